//! The reference server as its clients see it: the real binary, real HTTP on loopback.

use choreo_auth_core::api::{ApiBase, INTROSPECT_PATH, ORGS_PATH};
use choreo_auth_core::host::{HttpClient, HttpError, HttpRequest, HttpResponse, Method};
use choreo_auth_core::login::{Policy, verify};
use choreo_auth_core::time::parse_rfc3339;
use choreo_auth_core::{SecretToken, checksum};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

const ACME_UUID: &str = "0b7d1f1e-5c6a-4a39-9d3e-2f1a8c4e7b10";
const GLOBEX_UUID: &str = "6e2c9a47-8d13-4f0b-b5a2-93c7d1e0f864";

/// A running server process; killed when dropped.
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Vec<String>,
    api: String,
    token: SecretToken,
    http: reqwest::Client,
}

fn start(args: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_choreo-reference-server"))
        .args(args)
        .arg("--exit-on-stdin-eof")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server binary starts");
    let stdin = child.stdin.take();
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        let n = stdout.read_line(&mut line).expect("stdout is readable");
        assert!(n > 0, "the server exited before `ready`: {lines:?}");
        let line = line.trim_end().to_owned();
        if line == "ready" {
            break;
        }
        lines.push(line);
    }
    let field = |name: &str| {
        lines
            .iter()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} line"))
            .to_owned()
    };
    let api = field("api: ");
    let token = SecretToken::new(field("token: "));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Server {
        child,
        stdin,
        lines,
        api,
        token,
        http,
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for_exit(child: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }

    async fn call(&self, method: reqwest::Method, path: &str, token: Option<&str>) -> Reply {
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Reply::from(request.send().await.unwrap()).await
    }

    async fn introspect(&self, token: &str) -> Reply {
        self.call(reqwest::Method::POST, INTROSPECT_PATH, Some(token))
            .await
    }

    async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(reqwest::Method::GET, path, Some(token)).await
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = self.http.request(method, self.url(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        Reply::from(request.send().await.unwrap()).await
    }

    async fn mint(&self, body: Value) -> (String, Value) {
        let reply = self
            .admin(reqwest::Method::POST, "/admin/pats", Some(body))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
        let token = reply.json()["token"].as_str().unwrap().to_owned();
        (token, reply.json())
    }

    async fn fault(&self, body: Value) {
        let reply = self
            .admin(reqwest::Method::POST, "/admin/faults", Some(body))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    }

    async fn requests(&self) -> Reply {
        self.admin(reqwest::Method::GET, "/admin/requests", None)
            .await
    }

    /// Sends bytes as they are (reqwest would normalise `..` away) and returns the status.
    fn raw_get_status(&self, target: &str) -> u16 {
        self.raw_get_status_for_host(target, self.api.trim_start_matches("http://"))
    }

    fn raw_get_status_for_host(&self, target: &str, host: &str) -> u16 {
        let addr = self.api.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).unwrap();
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status line in {answer:?}"))
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    async fn from(response: reqwest::Response) -> Self {
        Self {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.bytes().await.unwrap().to_vec(),
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not json ({e}): {}", self.text()))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    fn assert_invalid_token(&self) {
        assert_eq!(self.status, StatusCode::UNAUTHORIZED, "{}", self.text());
        let challenge = self.header("www-authenticate").expect("a challenge");
        assert!(
            challenge.starts_with(
                r#"Bearer realm="choreo", error="invalid_token", error_description=""#
            ),
            "{challenge}"
        );
        assert_eq!(self.json()["error"], "invalid_token");
    }
}

/// The host adapter a client would write, to run core's own verify flow against the server.
struct Reqwest(reqwest::Client);

impl HttpClient for Reqwest {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
        };
        let response = self
            .0
            .request(method, &request.url)
            .bearer_auth(request.bearer.expose())
            .send()
            .await
            .map_err(|_| HttpError::Failed {
                detail: "request failed".into(),
            })?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .map(|v| vec![("www-authenticate".to_owned(), v.to_owned())])
            .unwrap_or_default();
        let body = response.bytes().await.map_err(|_| HttpError::Failed {
            detail: "body failed".into(),
        })?;
        Ok(HttpResponse {
            status,
            headers,
            body: body.to_vec(),
            truncated: false,
        })
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn core_verdict(server: &Server, token: &str) -> Result<String, &'static str> {
    let api = ApiBase::parse(&server.api).unwrap();
    verify(
        &Reqwest(server.http.clone()),
        &api,
        &SecretToken::new(token.to_owned()),
        &Policy::default(),
        now(),
    )
    .await
    .map(|v| v.organization.handle)
    .map_err(|e| e.code().as_str())
}

#[tokio::test]
async fn startup_prints_the_contract_lines_then_ready() {
    let server = start(&[]);
    let [api, token, org, scopes, valid_until] = &server.lines[..] else {
        panic!("unexpected start-up lines: {:?}", server.lines.len());
    };
    let port = api.strip_prefix("api: http://127.0.0.1:").unwrap();
    assert!(port.parse::<u16>().unwrap() > 0);
    let token = token.strip_prefix("token: chp_").unwrap();
    assert!(
        checksum::verify(token),
        "the demo token carries its checksum"
    );
    assert_eq!(org, &format!("org: acme (Acme Corp, uuid {ACME_UUID})"));
    assert_eq!(
        scopes,
        "scopes: apim:api_view choreo:project_view choreo:component_view"
    );
    let until = parse_rfc3339(valid_until.strip_prefix("valid-until: ").unwrap()).unwrap();
    assert!(
        (until - now() - 30 * 86_400).abs() < 60,
        "valid for 30 days"
    );
}

#[tokio::test]
async fn the_demo_token_passes_cores_own_login_checks() {
    let server = start(&[]);
    assert_eq!(
        core_verdict(&server, server.token.expose()).await,
        Ok("acme".to_owned())
    );
}

#[tokio::test]
async fn cores_checks_fail_with_the_codes_tests_need_to_provoke() {
    let server = start(&[]);
    let (nowhere, _) = server.mint(json!({"org": "nowhere"})).await;
    assert_eq!(core_verdict(&server, &nowhere).await, Err("org-not-found"));
    let (revoked, view) = server.mint(json!({})).await;
    let id = view["id"].as_str().unwrap();
    server
        .admin(
            reqwest::Method::POST,
            &format!("/admin/pats/{id}/revoke"),
            None,
        )
        .await;
    assert_eq!(core_verdict(&server, &revoked).await, Err("pat-inactive"));
    let (expired, _) = server.mint(json!({"ttlSeconds": -5})).await;
    assert_eq!(core_verdict(&server, &expired).await, Err("pat-expired"));
    let (globex, _) = server.mint(json!({"org": "globex"})).await;
    assert_eq!(
        core_verdict(&server, &globex).await,
        Ok("globex".to_owned()),
        "the token's org is found by uuid, not by list position"
    );
    assert_eq!(
        core_verdict(&server, "chp_unknown").await,
        Err("unauthorized")
    );
}

#[tokio::test]
async fn stdin_eof_stops_the_server_cleanly() {
    let mut server = start(&[]);
    drop(server.stdin.take());
    assert!(wait_for_exit(&mut server.child).success());
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly() {
    let mut server = start(&[]);
    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(wait_for_exit(&mut server.child).success());
}

#[test]
fn a_non_loopback_host_is_refused_with_exit_code_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_choreo-reference-server"))
        .args(["--host", "0.0.0.0"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let message = String::from_utf8(out.stderr).unwrap();
    assert!(
        message.contains("--host must be a loopback address"),
        "{message}"
    );
}

#[tokio::test]
async fn introspection_describes_known_tokens_and_refuses_others() {
    let server = start(&[]);
    let good = server.introspect(server.token.expose()).await;
    assert_eq!(good.status, StatusCode::OK);
    let body = good.json();
    assert_eq!(body["organizationUuid"], ACME_UUID);
    assert_eq!(body["status"], "active");
    assert_eq!(body["allowedScopes"].as_array().unwrap().len(), 3);
    assert!(body["id"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(body["userId"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(parse_rfc3339(body["validUntil"].as_str().unwrap()).unwrap() > now());

    server
        .introspect("chp_nosuchtoken")
        .await
        .assert_invalid_token();
    server
        .call(reqwest::Method::POST, INTROSPECT_PATH, None)
        .await
        .assert_invalid_token();
    let (forged, _) = server.mint(json!({})).await;
    let mut forged = forged.into_bytes();
    forged[10] ^= 1;
    server
        .introspect(std::str::from_utf8(&forged).unwrap())
        .await
        .assert_invalid_token();
}

#[tokio::test]
async fn revoked_and_expired_tokens_are_described_but_refused_by_the_org_endpoints() {
    let server = start(&[]);
    let (revoked, view) = server.mint(json!({})).await;
    let id = view["id"].as_str().unwrap();
    let answer = server
        .admin(
            reqwest::Method::POST,
            &format!("/admin/pats/{id}/revoke"),
            None,
        )
        .await;
    assert_eq!(answer.json()["status"], "revoked");
    assert_eq!(
        server.introspect(&revoked).await.json()["status"],
        "revoked"
    );

    let (expired, view) = server.mint(json!({})).await;
    let id = view["id"].as_str().unwrap();
    server
        .admin(
            reqwest::Method::POST,
            &format!("/admin/pats/{id}/expire"),
            None,
        )
        .await;
    let described = server.introspect(&expired).await.json();
    assert_eq!(described["status"], "active");
    assert!(parse_rfc3339(described["validUntil"].as_str().unwrap()).unwrap() < now());

    for token in [revoked.as_str(), expired.as_str(), "chp_unknown"] {
        server.get(ORGS_PATH, token).await.assert_invalid_token();
        server
            .get(&format!("{ORGS_PATH}/acme"), token)
            .await
            .assert_invalid_token();
    }
    let unknown_id = server
        .admin(reqwest::Method::POST, "/admin/pats/nope/revoke", None)
        .await;
    assert_eq!(unknown_id.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn orgs_list_both_seeded_orgs_and_one_org_answers_only_its_own_tokens() {
    let server = start(&[]);
    let token = server.token.expose();
    let list = server.get(ORGS_PATH, token).await.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["id"], 1);
    assert_eq!(list[0]["uuid"], ACME_UUID);
    assert_eq!(list[0]["handle"], "acme");
    assert_eq!(list[0]["name"], "Acme Corp");
    assert_eq!(list[1]["handle"], "globex");
    assert_eq!(list[1]["uuid"], GLOBEX_UUID);
    for field in ["id", "idpId", "createdAt"] {
        assert!(list[0]["owner"][field].is_string(), "owner.{field}");
    }

    let acme = server.get(&format!("{ORGS_PATH}/acme"), token).await;
    assert_eq!(acme.status, StatusCode::OK);
    assert_eq!(acme.json()["organization"], list[0]);
    let globex = server.get(&format!("{ORGS_PATH}/globex"), token).await;
    assert_eq!(globex.status, StatusCode::FORBIDDEN);
    let unknown = server.get(&format!("{ORGS_PATH}/initech"), token).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json()["error"], "not_found");
}

#[tokio::test]
async fn admin_mints_tokens_with_the_asked_org_scopes_and_lifetime() {
    let server = start(&[]);
    let (token, view) = server
        .mint(json!({"org": "globex", "scopes": ["a:b"], "ttlSeconds": 3600, "userId": "u-1"}))
        .await;
    assert!(checksum::verify(token.strip_prefix("chp_").unwrap()));
    assert_eq!(view["organizationUuid"], GLOBEX_UUID);
    assert_eq!(view["scopes"], json!(["a:b"]));
    assert_eq!(view["userId"], "u-1");
    assert_eq!(view["status"], "active");
    let until = parse_rfc3339(view["validUntil"].as_str().unwrap()).unwrap();
    assert!((until - now() - 3600).abs() < 60);
    let described = server.introspect(&token).await.json();
    assert_eq!(described["allowedScopes"], json!(["a:b"]));
    assert_eq!(described["id"], view["id"]);

    let (_, fixed) = server
        .mint(json!({"validUntil": "2031-05-06T07:08:09Z", "status": "suspended"}))
        .await;
    assert_eq!(fixed["validUntil"], "2031-05-06T07:08:09Z");
    assert_eq!(fixed["status"], "suspended");
    assert_eq!(fixed["organizationUuid"], ACME_UUID);

    let (_, nowhere) = server.mint(json!({"org": "nowhere"})).await;
    let orgs = server.get(ORGS_PATH, server.token.expose()).await.json();
    assert!(
        orgs.as_array()
            .unwrap()
            .iter()
            .all(|o| o["uuid"] != nowhere["organizationUuid"])
    );

    let (_, default) = server.mint(json!({})).await;
    let until = parse_rfc3339(default["validUntil"].as_str().unwrap()).unwrap();
    assert!((until - now() - 30 * 86_400).abs() < 60);
    let empty_body = server
        .admin(reqwest::Method::POST, "/admin/pats", None)
        .await;
    assert_eq!(empty_body.status, StatusCode::CREATED);

    for bad in [
        json!({"org": "initech"}),
        json!({"ttlSeconds": 5, "validUntil": "2031-05-06T07:08:09Z"}),
        json!({"validUntil": "tomorrow"}),
        json!({"scope": ["typo"]}),
    ] {
        let refused = server
            .admin(reqwest::Method::POST, "/admin/pats", Some(bad.clone()))
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(refused.json()["error"], "invalid_request");
    }
}

/// Core's STS flow against the server: the organization's handle, or the failing code.
async fn core_sts_verdict(server: &Server, token: &str) -> Result<String, &'static str> {
    let api = ApiBase::parse(&server.api).unwrap();
    choreo_auth_core::sts::authenticate(
        &Reqwest(server.http.clone()),
        &SystemClock,
        &Counting,
        &api,
        token.as_bytes(),
        &Policy::default(),
    )
    .await
    .map(|(credential, _)| credential.session.organization.handle)
    .map_err(|e| e.code().as_str())
}

struct SystemClock;

impl choreo_auth_core::host::Clock for SystemClock {
    fn now_unix_ms(&self) -> i64 {
        now() * 1000
    }
}

struct Counting;

impl choreo_auth_core::host::Random for Counting {
    fn fill(&self, dest: &mut [u8]) -> Result<(), choreo_auth_core::host::RandomError> {
        dest.iter_mut().enumerate().for_each(|(i, b)| *b = i as u8);
        Ok(())
    }
}

impl Server {
    async fn mint_sts(&self, body: Value) -> (String, Value) {
        let reply = self
            .admin(reqwest::Method::POST, "/admin/sts", Some(body))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
        let token = reply.json()["token"].as_str().unwrap().to_owned();
        (token, reply.json())
    }
}

#[tokio::test]
async fn admin_mints_rs256_sts_tokens_that_the_org_endpoints_accept_for_their_own_org() {
    let server = start(&[]);
    let (token, claims) = server.mint_sts(json!({})).await;
    assert_eq!(
        claims["organization"],
        json!({"handle": "acme", "uuid": ACME_UUID})
    );
    assert!((claims["exp"].as_i64().unwrap() - now() - 3600).abs() < 60);
    let report = choreo_auth_core::inspect(token.as_bytes(), now());
    assert_eq!(report.kind.as_deref(), Some("choreo-sts"));
    assert_eq!(report.jwt.as_ref().unwrap().alg(), "RS256");

    let acme = server.get(&format!("{ORGS_PATH}/acme"), &token).await;
    assert_eq!(acme.status, StatusCode::OK, "{}", acme.text());
    assert_eq!(acme.json()["organization"]["uuid"], ACME_UUID);
    let globex = server.get(&format!("{ORGS_PATH}/globex"), &token).await;
    assert_eq!(globex.status, StatusCode::FORBIDDEN);
    assert_eq!(server.get(ORGS_PATH, &token).await.status, StatusCode::OK);
    assert_eq!(core_sts_verdict(&server, &token).await, Ok("acme".into()));
    // An STS token is not a PAT: introspection does not know it.
    server.introspect(&token).await.assert_invalid_token();

    let (globex_token, _) = server
        .mint_sts(json!({"org": "globex", "sub": "u-9"}))
        .await;
    assert_eq!(
        core_sts_verdict(&server, &globex_token).await,
        Ok("globex".into())
    );
    // A handle claim that is not the organization's own is refused, though signed.
    let (renamed, _) = server.mint_sts(json!({"handle": "globex"})).await;
    assert_eq!(
        server
            .get(&format!("{ORGS_PATH}/globex"), &renamed)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    for bad in [json!({"org": "initech"}), json!({"ttl": 5})] {
        let refused = server
            .admin(reqwest::Method::POST, "/admin/sts", Some(bad.clone()))
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn sts_tokens_expired_or_not_signed_by_this_server_get_401() {
    let server = start(&[]);
    let (token, _) = server.mint_sts(json!({})).await;
    let acme = format!("{ORGS_PATH}/acme");
    let (expired, _) = server.mint_sts(json!({"ttlSeconds": -120})).await;
    server.get(&acme, &expired).await.assert_invalid_token();
    // Core refuses it offline, before asking.
    assert_eq!(
        core_sts_verdict(&server, &expired).await,
        Err("sts-expired")
    );

    // Another payload under this signature: core reads the claims, the server refuses it.
    let (globex, _) = server.mint_sts(json!({"org": "globex"})).await;
    let parts: Vec<&str> = token.split('.').collect();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        globex.split('.').nth(1).unwrap(),
        parts[2]
    );
    let refused = server.get(&format!("{ORGS_PATH}/globex"), &forged).await;
    refused.assert_invalid_token();
    assert!(
        refused
            .header("www-authenticate")
            .unwrap()
            .contains("signature"),
        "{:?}",
        refused.header("www-authenticate")
    );
    assert_eq!(
        core_sts_verdict(&server, &forged).await,
        Err("unauthorized")
    );

    // A token of another server run (another key) is refused too.
    let other = start(&[]);
    let (foreign, _) = other.mint_sts(json!({})).await;
    server.get(&acme, &foreign).await.assert_invalid_token();
}

#[tokio::test]
async fn server_error_fault_answers_503_json_by_default_and_any_status_on_request() {
    let server = start(&[]);
    server
        .fault(json!({"mode": "server-error", "times": 1}))
        .await;
    let failed = server.introspect(server.token.expose()).await;
    assert_eq!(failed.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(failed.json()["error"], "server_error");
    assert_eq!(
        server.introspect(server.token.expose()).await.status,
        StatusCode::OK,
        "times: 1 applies to one request only"
    );
    server
        .fault(json!({"mode": "server-error", "status": 500}))
        .await;
    for _ in 0..3 {
        let failed = server.get(ORGS_PATH, server.token.expose()).await;
        assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    }
    let cleared = server
        .admin(reqwest::Method::DELETE, "/admin/faults", None)
        .await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    assert_eq!(
        server.get(ORGS_PATH, server.token.expose()).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn malformed_fault_answers_200_with_invalid_json() {
    let server = start(&[]);
    server.fault(json!({"mode": "malformed", "times": 1})).await;
    let reply = server.introspect(server.token.expose()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert!(serde_json::from_slice::<Value>(&reply.body).is_err());
}

#[tokio::test]
async fn huge_fault_streams_about_five_mebibytes() {
    let server = start(&[]);
    server.fault(json!({"mode": "huge", "times": 1})).await;
    let reply = server.introspect(server.token.expose()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header("content-length"),
        None,
        "streamed, not announced"
    );
    assert!((5 << 20..(5 << 20) + 64).contains(&reply.body.len()));
    assert_eq!(
        core_verdict(&server, server.token.expose()).await,
        Ok("acme".to_owned())
    );
}

#[tokio::test]
async fn unauthorized_fault_refuses_even_a_good_token() {
    let server = start(&[]);
    server
        .fault(json!({"mode": "unauthorized", "times": 2}))
        .await;
    server
        .introspect(server.token.expose())
        .await
        .assert_invalid_token();
    assert_eq!(
        core_verdict(&server, server.token.expose()).await,
        Err("unauthorized")
    );
    assert_eq!(
        core_verdict(&server, server.token.expose()).await,
        Ok("acme".to_owned())
    );
}

#[tokio::test]
async fn redirect_fault_answers_307_to_the_location() {
    let server = start(&[]);
    let elsewhere = "http://127.0.0.1:9/elsewhere";
    server
        .fault(json!({"mode": "redirect", "location": elsewhere, "times": 1}))
        .await;
    let reply = server.get(ORGS_PATH, server.token.expose()).await;
    assert_eq!(reply.status, StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(reply.header("location"), Some(elsewhere));
    let missing_location = server
        .admin(
            reqwest::Method::POST,
            "/admin/faults",
            Some(json!({"mode": "redirect"})),
        )
        .await;
    assert_eq!(missing_location.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn delay_fault_holds_the_answer_back_then_answers_normally() {
    let server = start(&[]);
    server
        .fault(json!({"mode": "delay", "delayMs": 300, "times": 1}))
        .await;
    let started = Instant::now();
    let reply = server.introspect(server.token.expose()).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["status"], "active");
}

#[tokio::test]
async fn unknown_fault_modes_are_refused() {
    let server = start(&[]);
    for bad in [
        json!({"mode": "explode"}),
        json!({"mode": "huge", "times": 0}),
        json!({"mode": "server-error", "status": 200}),
    ] {
        let refused = server
            .admin(reqwest::Method::POST, "/admin/faults", Some(bad.clone()))
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn the_request_log_shows_what_was_asked_and_never_a_token() {
    let server = start(&["--cors-origin", "http://127.0.0.1:5555"]);
    let token = server.token.expose();
    let (minted, _) = server.mint(json!({})).await;
    server.introspect(token).await;
    server.get(ORGS_PATH, &minted).await;
    server.call(reqwest::Method::GET, ORGS_PATH, None).await;
    server.get(&format!("{ORGS_PATH}/{token}"), token).await;
    server
        .http
        .get(server.url(ORGS_PATH))
        .header("Origin", "http://127.0.0.1:5555")
        .send()
        .await
        .unwrap();
    let log = server.requests().await;
    let text = log.text();
    assert!(!text.contains(token) && !text.contains(&minted), "{text}");
    assert!(!text.contains(&token[4..14]), "{text}");
    assert_eq!(
        log.json(),
        json!([
            {"method": "POST", "path": INTROSPECT_PATH, "authorization": "present", "origin": null},
            {"method": "GET", "path": ORGS_PATH, "authorization": "present", "origin": null},
            {"method": "GET", "path": ORGS_PATH, "authorization": "absent", "origin": null},
            {"method": "GET", "path": "/orgs/1.0.0/orgs/<redacted>", "authorization": "present", "origin": null},
            {"method": "GET", "path": ORGS_PATH, "authorization": "absent", "origin": "http://127.0.0.1:5555"},
        ])
    );
    let cleared = server
        .admin(reqwest::Method::DELETE, "/admin/requests", None)
        .await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    assert_eq!(server.requests().await.json(), json!([]));
}

#[tokio::test]
async fn cors_answers_allowed_origins_only() {
    let allowed = "http://127.0.0.1:5555";
    let server = start(&[
        "--cors-origin",
        allowed,
        "--cors-origin",
        "http://localhost:6666",
    ]);
    let preflight = |origin: &'static str| {
        server
            .http
            .request(reqwest::Method::OPTIONS, server.url(INTROSPECT_PATH))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization")
            .send()
    };
    let ok = Reply::from(preflight("http://127.0.0.1:5555").await.unwrap()).await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    assert_eq!(ok.header("access-control-allow-origin"), Some(allowed));
    assert_eq!(ok.header("access-control-allow-methods"), Some("GET, POST"));
    assert_eq!(
        ok.header("access-control-allow-headers"),
        Some("Authorization, Content-Type")
    );
    assert!(ok.header("access-control-max-age").is_some());
    assert_eq!(ok.header("vary"), Some("Origin"));

    let refused = Reply::from(preflight("http://evil.example").await.unwrap()).await;
    assert!(refused.header("access-control-allow-origin").is_none());
    assert!(refused.header("access-control-allow-headers").is_none());

    let mut headers = HeaderMap::new();
    headers.insert("origin", HeaderValue::from_static(allowed));
    let actual = Reply::from(
        server
            .http
            .post(server.url(INTROSPECT_PATH))
            .headers(headers)
            .bearer_auth(server.token.expose())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(actual.status, StatusCode::OK);
    assert_eq!(actual.header("access-control-allow-origin"), Some(allowed));
    assert_eq!(actual.header("vary"), Some("Origin"));
    assert_eq!(
        actual.header("access-control-expose-headers"),
        Some("WWW-Authenticate")
    );

    let foreign = Reply::from(
        server
            .http
            .post(server.url(INTROSPECT_PATH))
            .header("Origin", "http://evil.example")
            .bearer_auth(server.token.expose())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(foreign.header("access-control-allow-origin").is_none());
    let same_origin = server.introspect(server.token.expose()).await;
    assert!(same_origin.header("access-control-allow-origin").is_none());
    assert_eq!(
        server.requests().await.json().as_array().unwrap().len(),
        3,
        "preflights are not api requests"
    );
}

#[tokio::test]
async fn the_admin_surface_refuses_pages_from_other_origins() {
    let server = start(&["--cors-origin", "http://127.0.0.1:5555"]);
    let from = |origin: &'static str| {
        server
            .http
            .post(server.url("/admin/pats"))
            .header("Origin", origin)
            .send()
    };
    let refused = Reply::from(from("http://evil.example").await.unwrap()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let allowed = Reply::from(from("http://127.0.0.1:5555").await.unwrap()).await;
    assert_eq!(allowed.status, StatusCode::CREATED);
}

#[tokio::test]
async fn the_admin_surface_refuses_rebound_host_names() {
    let server = start(&[]);
    let port = server.api.rsplit(':').next().unwrap();
    assert_eq!(
        server.raw_get_status_for_host("/admin/requests", &format!("localhost:{port}")),
        200
    );
    assert_eq!(
        server.raw_get_status_for_host("/admin/requests", &format!("evil.example:{port}")),
        403
    );
}

fn web_root(name: &str) -> PathBuf {
    let base = std::env::temp_dir().join(format!(
        "choreo-reference-server-{name}-{}",
        std::process::id()
    ));
    let root = base.join("site");
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    std::fs::write(
        root.join("index.html"),
        "<!doctype html><title>demo</title>",
    )
    .unwrap();
    std::fs::write(root.join("app.mjs"), "export {};").unwrap();
    std::fs::write(root.join("pkg/core_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(root.join(".env"), "SECRET=1").unwrap();
    std::fs::write(base.join("outside.txt"), "not for the web").unwrap();
    std::os::unix::fs::symlink(base.join("outside.txt"), root.join("link.txt")).unwrap();
    root
}

#[tokio::test]
async fn static_files_carry_the_csp_and_the_right_mime_types() {
    let root = web_root("mime");
    let server = start(&["--web-root", root.to_str().unwrap()]);
    let index = Reply::from(server.http.get(server.url("/")).send().await.unwrap()).await;
    assert_eq!(index.status, StatusCode::OK);
    assert_eq!(index.text(), "<!doctype html><title>demo</title>");
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(
        index.header("content-security-policy"),
        Some(
            "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; \
             style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
             frame-ancestors 'none'"
        )
    );
    assert_eq!(index.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(index.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(index.header("cache-control"), Some("no-store"));

    for (path, mime) in [
        ("/pkg/core_bg.wasm", "application/wasm"),
        ("/app.mjs", "text/javascript; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
    ] {
        let file = Reply::from(server.http.get(server.url(path)).send().await.unwrap()).await;
        assert_eq!(file.status, StatusCode::OK, "{path}");
        assert_eq!(file.header("content-type"), Some(mime), "{path}");
        assert!(file.header("content-security-policy").is_some(), "{path}");
    }
    let missing = Reply::from(
        server
            .http
            .get(server.url("/nope.js"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["error"], "not_found");
    std::fs::remove_dir_all(root.parent().unwrap()).unwrap();
}

#[tokio::test]
async fn static_serving_never_leaves_the_web_root() {
    let root = web_root("traversal");
    let server = start(&["--web-root", root.to_str().unwrap()]);
    assert_eq!(server.raw_get_status("/index.html"), 200);
    for target in [
        "/../outside.txt",
        "/pkg/../../outside.txt",
        "/%2e%2e/outside.txt",
        "/pkg/%2E%2E%2F%2E%2E%2Foutside.txt",
        "/..%5coutside.txt",
        "/.env",
        "/link.txt",
    ] {
        assert_eq!(server.raw_get_status(target), 404, "{target}");
    }
    std::fs::remove_dir_all(root.parent().unwrap()).unwrap();
}

#[tokio::test]
async fn unknown_routes_and_oversized_bodies_are_refused_as_json() {
    let server = start(&[]);
    let unknown = server.get("/api/v2/whatever", server.token.expose()).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json()["error"], "not_found");
    let wrong_method = server
        .call(
            reqwest::Method::GET,
            INTROSPECT_PATH,
            Some(server.token.expose()),
        )
        .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    let huge = json!({"userId": "x".repeat(100 * 1024)});
    let oversized = server
        .admin(reqwest::Method::POST, "/admin/pats", Some(huge))
        .await;
    assert_eq!(oversized.status, StatusCode::PAYLOAD_TOO_LARGE);
}
