//! The host protocol through its real types and operations, natively (the same code runs
//! behind the wasm imports): the document's examples, and what is refused.
//!
//! `abi/PROTOCOL.md` is executable: its examples are one session, run here in order through
//! the protocol's real types and operations. A block ```` ```json request ```` is sent to
//! `call`; the module's HTTP requests must be the ```` ```json http-request ```` blocks that
//! follow, each answered with the next ```` ```json http-answer ````; the answer must be the
//! ```` ```json answer ```` block. ```` ```json store-value KEY ```` is what the host's store
//! holds under KEY at that point; ```` ```json store-answer ```` and a lone `http-answer` must
//! be valid import answers. Every JSON block has one of these roles, so none goes unchecked.
//!
//! `BLESS=1 cargo test -p choreo-auth-abi --test protocol` rewrites the module's outputs
//! (`answer`, `http-request`, `store-value`) with what it produces; review the diff.
use choreo_auth_abi::ops::{ModuleHost, call};
use choreo_auth_abi::protocol::{HttpAnswer, HttpCall, StoreAnswer};
use choreo_auth_core::host::{Clock, Random, RandomError, StoreError};
use choreo_auth_core::http::{HttpClient, HttpError, HttpRequest, HttpResponse};
use choreo_auth_core::kv::{KeyValue, KvStore, MemoryKv};
use choreo_auth_core::vectors::block_on_ready;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::ops::Range;
use std::path::PathBuf;
use zeroize::Zeroizing;

/// 2026-01-01T00:00:00Z, the examples' clock.
const NOW_MS: i64 = 1_767_225_600_000;

/// One fenced ```` ```json ROLE [ARG] ```` block of the document.
struct Block {
    role: String,
    arg: Option<String>,
    text: String,
    /// Where `text` is in the document.
    at: Range<usize>,
    line: usize,
}

fn blocks(doc: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut offset = 0;
    let mut open: Option<(String, Option<String>, usize, usize)> = None;
    for (number, line) in doc.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_end();
        match &open {
            None if trimmed.starts_with("```json") => {
                let mut words = trimmed["```json".len()..].split_whitespace();
                let role = words.next().unwrap_or_default().to_owned();
                open = Some((
                    role,
                    words.next().map(str::to_owned),
                    offset + line.len(),
                    number + 1,
                ));
            }
            Some((role, arg, start, at_line)) if trimmed == "```" => {
                found.push(Block {
                    role: role.clone(),
                    arg: arg.clone(),
                    text: doc[*start..offset].to_owned(),
                    at: *start..offset,
                    line: *at_line,
                });
                open = None;
            }
            _ => {}
        }
        offset += line.len();
    }
    assert!(open.is_none(), "PROTOCOL.md has an unclosed block");
    found
}

/// Pretty JSON in the order the module wrote it (serde_json's `Value` would sort the keys);
/// a list of plain values stays on one line.
fn pretty(compact: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let (mut in_string, mut escaped) = (false, false);
    // Inside a list written on one line.
    let mut inline = false;
    let chars: Vec<char> = compact.chars().collect();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    for (i, &c) in chars.iter().enumerate() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' if matches!(chars.get(i + 1), Some('}' | ']')) => out.push(c),
            '[' if !chars[i + 1..]
                .iter()
                .take_while(|&&c| c != ']')
                .any(|&c| c == '{' || c == '[') =>
            {
                inline = true;
                out.push(c);
            }
            ']' if inline => {
                inline = false;
                out.push(c);
            }
            ',' if inline => out.push_str(", "),
            '{' | '[' => {
                out.push(c);
                depth += 1;
                newline(&mut out, depth);
            }
            '}' | ']' if matches!(chars.get(i.wrapping_sub(1)), Some('{' | '[')) => out.push(c),
            '}' | ']' => {
                depth -= 1;
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out.push('\n');
    out
}

fn json(block: &Block) -> Value {
    serde_json::from_str(&block.text)
        .unwrap_or_else(|e| panic!("PROTOCOL.md line {}: not json: {e}", block.line))
}

/// The HTTP exchanges of one transcript: the module's request, as its JSON, and the answer.
#[derive(Default)]
struct Script {
    /// The answers still to give, in order.
    exchanges: RefCell<VecDeque<String>>,
    /// The module's requests, as it sent them.
    sent: RefCell<Vec<String>>,
}

impl HttpClient for &Script {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let sent = String::from_utf8(HttpCall::json(&request).to_vec()).expect("utf-8");
        self.sent.borrow_mut().push(sent);
        let answer = self
            .exchanges
            .borrow_mut()
            .pop_front()
            .expect("the module sent a request PROTOCOL.md does not show");
        HttpAnswer::read(answer.as_bytes())
    }
}

struct Fixed;

impl Clock for Fixed {
    fn now_unix_ms(&self) -> i64 {
        NOW_MS
    }
}

/// Counts up from 0, so session ids are the examples'.
struct Counting;

impl Random for Counting {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        for (i, b) in dest.iter_mut().enumerate() {
            *b = i as u8;
        }
        Ok(())
    }
}

/// A host whose store is core's memory storage, starting empty.
fn host(script: &Script) -> ModuleHost<&Script, Fixed, Counting, MemoryKv> {
    host_over(script, MemoryKv::default())
}

fn host_over<K: KeyValue>(script: &Script, storage: K) -> ModuleHost<&Script, Fixed, Counting, K> {
    ModuleHost {
        http: script,
        clock: Fixed,
        random: Counting,
        store: KvStore { storage },
    }
}

#[test]
fn every_example_of_protocol_md_is_what_the_module_does() {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/PROTOCOL.md"));
    let doc = std::fs::read_to_string(&path).expect("PROTOCOL.md");
    let bless = std::env::var_os("BLESS").is_some();
    let script = Script::default();
    let host = host(&script);

    let blocks = blocks(&doc);
    let mut rewrites: Vec<(Range<usize>, String)> = Vec::new();
    let mut failures = Vec::new();
    let mut check = |block: &Block, actual: &str, failures: &mut Vec<String>| {
        let actual_value: Value = serde_json::from_str(actual).expect("the module writes json");
        if serde_json::from_str::<Value>(&block.text).ok() != Some(actual_value) {
            failures.push(format!(
                "PROTOCOL.md line {} ({}): the module gives\n{}",
                block.line,
                block.role,
                pretty(actual)
            ));
            rewrites.push((block.at.clone(), pretty(actual)));
        }
    };
    let mut transcripts = 0;
    let mut i = 0;
    while i < blocks.len() {
        let block = &blocks[i];
        match block.role.as_str() {
            "request" => {
                // The transcript: HTTP exchanges up to the answer.
                let mut j = i + 1;
                let mut http_requests = Vec::new();
                while j < blocks.len() && blocks[j].role != "answer" {
                    match blocks[j].role.as_str() {
                        "http-request" => http_requests.push(j),
                        "http-answer" => script
                            .exchanges
                            .borrow_mut()
                            .push_back(blocks[j].text.clone()),
                        other => panic!(
                            "PROTOCOL.md line {}: a {other} block inside a transcript",
                            blocks[j].line
                        ),
                    }
                    j += 1;
                }
                assert!(
                    j < blocks.len(),
                    "PROTOCOL.md line {}: a request without its answer",
                    block.line
                );
                let request = json(block).to_string();
                let answer = block_on_ready(call(&host, request.as_bytes(), None));
                let answer = String::from_utf8(answer).expect("utf-8");
                let sent = script.sent.take();
                assert_eq!(
                    sent.len(),
                    http_requests.len(),
                    "PROTOCOL.md line {}: the module sent {} requests, the document shows {}",
                    block.line,
                    sent.len(),
                    http_requests.len()
                );
                for (k, sent) in http_requests.iter().zip(&sent) {
                    check(&blocks[*k], sent, &mut failures);
                }
                assert!(
                    script.exchanges.borrow().is_empty(),
                    "PROTOCOL.md line {}: http answers left over",
                    block.line
                );
                check(&blocks[j], &answer, &mut failures);
                transcripts += 1;
                i = j + 1;
                continue;
            }
            "store-value" => {
                let key = block.arg.as_deref().expect("store-value names its key");
                let value = block_on_ready(host.store.storage.get(key)).expect("memory");
                let value = value.unwrap_or_else(|| {
                    panic!("PROTOCOL.md line {}: the store holds no {key}", block.line)
                });
                check(block, &value, &mut failures);
            }
            "store-answer" => {
                serde_json::from_value::<StoreAnswer>(json(block)).unwrap_or_else(|e| {
                    panic!("PROTOCOL.md line {}: not a store answer: {e}", block.line)
                });
            }
            "http-answer" => {
                serde_json::from_value::<HttpAnswer>(json(block)).unwrap_or_else(|e| {
                    panic!("PROTOCOL.md line {}: not an http answer: {e}", block.line)
                });
            }
            other => panic!(
                "PROTOCOL.md line {}: a json block of unknown role {other:?}",
                block.line
            ),
        }
        i += 1;
    }
    assert!(
        transcripts >= 8,
        "PROTOCOL.md has {transcripts} transcripts"
    );

    if bless && !rewrites.is_empty() {
        let mut text = doc.clone();
        rewrites.sort_by_key(|(at, _)| std::cmp::Reverse(at.start));
        for (at, new) in rewrites {
            text.replace_range(at, &new);
        }
        std::fs::write(&path, text).expect("PROTOCOL.md written");
    }
    assert!(
        failures.is_empty(),
        "PROTOCOL.md differs from the module (BLESS=1 rewrites it; review the diff):\n{}",
        failures.join("\n")
    );
}

const TOKEN: &str = "chp_Xq7Lm2Pz9Rt4Vw8Ny3Bc6Df1Gh5Jk01nNmox";

/// The answer to `request` from a host with an empty store and the HTTP `answers`.
fn answer(request: &str, answers: &[&str]) -> Value {
    let script = Script::default();
    script
        .exchanges
        .borrow_mut()
        .extend(answers.iter().map(|a| a.to_string()));
    let answer = block_on_ready(call(&host(&script), request.as_bytes(), None));
    let text = String::from_utf8(answer).expect("utf-8");
    assert!(!text.contains(TOKEN), "an answer quotes the token: {text}");
    let answer: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(answer["version"], 1, "{answer}");
    answer
}

#[test]
fn a_request_that_is_not_the_protocol_is_refused_and_named_never_quoted() {
    let api = r#""apiBase": "https://apis.choreo.dev""#;
    let cases = [
        (
            TOKEN.to_owned(),
            "the request is not json (line 1 column 1)",
        ),
        (
            format!(r#"{{"op": "login", {api}, "input": "{TOKEN}"}}"#),
            "the request has no version; add \"version\": 1",
        ),
        (
            format!(r#"{{"version": "1", "op": "login", "input": "{TOKEN}"}}"#),
            "the request has a value of the wrong type",
        ),
        (
            format!(r#"{{"version": 1, "op": "{TOKEN}"}}"#),
            "the request has an unknown op; version 1 has inspect, login, status, logout, accounts, switch, token, environment, environmentToken, sts",
        ),
        (
            format!(r#"{{"version": 1, "op": "login", "input": "{TOKEN}"}}"#),
            "the login request lacks the field apiBase",
        ),
        (
            format!(r#"{{"version": 1, "op": "login", {api}, "inputt": "{TOKEN}"}}"#),
            "the login request has inputt, which version 1 does not define",
        ),
        (
            format!(r#"{{"version": 1, "op": "login", {api}, "{TOKEN}": 1}}"#),
            "the login request has a field, which version 1 does not define",
        ),
        (
            format!(
                r#"{{"version": 1, "op": "login", {api}, "input": "x", "timeoutMs": "{TOKEN}"}}"#
            ),
            "the login request has a value of the wrong type",
        ),
        (
            format!(
                r#"{{"version": 1, "op": "login", {api}, "input": "{TOKEN}", "inputBase64": "eA=="}}"#
            ),
            "give exactly one of input and inputBase64",
        ),
        (
            format!(r#"{{"version": 1, "op": "inspect", "inputBase64": "{TOKEN}!"}}"#),
            "inputBase64 is not base64",
        ),
    ];
    for (request, message) in cases {
        let answer = answer(&request, &[]);
        assert_eq!(answer["ok"], false, "{request}");
        assert_eq!(answer["error"]["code"], "bad-request", "{request}");
        let got = answer["error"]["message"].as_str().unwrap();
        assert!(got.starts_with(message), "{request}\n  {got}");
    }
}

#[test]
fn import_answers_are_read_as_facts_and_a_malformed_one_fails_the_request() {
    let login = format!(
        r#"{{"version": 1, "op": "login", "apiBase": "https://apis.choreo.dev", "input": "{TOKEN}"}}"#
    );
    let cases = [
        // A redirect reported by status, or by a host that could not see it: never followed.
        (
            r#"{"status": 302, "headers": [["Location", "https://elsewhere.example/"]]}"#,
            "server-error",
        ),
        (r#"{"failure": "redirect-refused"}"#, "server-error"),
        (
            r#"{"status": 200, "bodyBase64": "e30=", "truncated": true}"#,
            "bad-response",
        ),
        (r#"{"failure": "timeout"}"#, "network-error"),
        (
            r#"{"failure": "connect", "detail": "connection refused"}"#,
            "network-error",
        ),
        (
            r#"{"status": 200, "body": "{}", "bodyBase64": "e30="}"#,
            "network-error",
        ),
        (r#"{"sttus": 200}"#, "network-error"),
        (r#"{"failure": "tls"}"#, "network-error"),
    ];
    for (http, code) in cases {
        let answer = answer(&login, &[http]);
        assert_eq!(answer["error"]["code"], code, "{http}: {answer}");
    }
    let malformed = answer(
        &login,
        &[r#"{"status": 200, "body": "{}", "bodyBase64": "e30="}"#],
    );
    assert!(
        malformed["error"]["message"]
            .as_str()
            .unwrap()
            .ends_with("the host's http answer gives both body and bodyBase64"),
        "{malformed}"
    );
}

#[test]
fn a_store_the_npm_package_wrote_before_accounts_is_read_and_adopted_where_it_is() {
    // PROTOCOL.md's login, with its three HTTP answers.
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/PROTOCOL.md"))
        .expect("PROTOCOL.md");
    let script = Script::default();
    let answers = blocks(&doc).into_iter().filter(|b| b.role == "http-answer");
    script
        .exchanges
        .borrow_mut()
        .extend(answers.take(3).map(|b| b.text));
    let host = host(&script);
    let request = |op: &str, fields: &str| -> Value {
        let request = format!(r#"{{"version": 1, "op": "{op}"{fields}}}"#);
        serde_json::from_slice(&block_on_ready(call(&host, request.as_bytes(), None)))
            .expect("json")
    };
    let api = r#", "apiBase": "https://apis.choreo.dev""#;
    let login = request("login", &format!(r#"{api}, "input": "{TOKEN}""#));
    assert_eq!(login["ok"], true, "{login}");

    // The npm package's layout before accounts: one credential under `choreo:{apiBase}`.
    let storage = &host.store.storage;
    let key = "choreo:https://apis.choreo.dev#a3b4c5d6-e7f8-4a9b-8c0d-1e2f3a4b5c6d";
    let credential = block_on_ready(storage.get(key)).unwrap().expect("stored");
    block_on_ready(storage.delete(key)).unwrap();
    block_on_ready(storage.delete("choreo:accounts")).unwrap();
    block_on_ready(storage.set("choreo:https://apis.choreo.dev", &credential)).unwrap();

    let status = request("status", api);
    assert_eq!(status["session"]["id"], login["session"]["id"], "{status}");
    let switched = request("switch", api);
    assert_eq!(switched["account"]["org"], "acme", "{switched}");
    // Adopted where it is: the index names the credential's key, no copy is made.
    assert_eq!(
        storage.keys(),
        ["choreo:accounts", "choreo:https://apis.choreo.dev"]
    );
    let accounts = request("accounts", "");
    assert_eq!(accounts["accounts"][0]["active"], true, "{accounts}");
    let logout = request("logout", api);
    assert_eq!(logout["session"]["id"], login["session"]["id"], "{logout}");
    assert_eq!(storage.keys(), Vec::<String>::new());
}

/// PROTOCOL.md's HTTP answers, in order: the login's three first.
fn documented_http_answers() -> Vec<String> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/PROTOCOL.md"))
        .expect("PROTOCOL.md");
    blocks(&doc)
        .into_iter()
        .filter(|b| b.role == "http-answer")
        .map(|b| b.text)
        .collect()
}

/// A Choreo STS access token of organization acme (tests/vectors/sts-login-success.json),
/// valid at the examples' clock.
const STS: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImNob3Jlby1zdHMtMjAyN2EifQ.eyJpc3MiOiJodHRwczovL3N0cy5jaG9yZW8uZGV2L29hdXRoMi90b2tlbiIsInN1YiI6ImQ3ZjFjMmE0LTViNmUtNGY4MC05YTFiLTJjM2Q0ZTVmNmE3YiIsImF1ZCI6ImNob3Jlby1jbGkiLCJleHAiOjE4MDAwMDM2MDAsImlhdCI6MTc5OTk5OTk0MCwic2NvcGUiOiJhcGltOmFwaV92aWV3IGNob3Jlbzpwcm9qZWN0X3ZpZXciLCJvcmdhbml6YXRpb24iOnsidXVpZCI6ImEzYjRjNWQ2LWU3ZjgtNGE5Yi04YzBkLTFlMmYzYTRiNWM2ZCIsImhhbmRsZSI6ImFjbWUifX0.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-Pw";

/// The STS token's organization answer: PROTOCOL.md's third login answer (acme).
fn sts_org_answer() -> String {
    documented_http_answers().swap_remove(2)
}

/// One host for a sequence of requests: `send` gives each request its HTTP answers and
/// returns the answer and the requests the module sent.
struct Session<K: KeyValue> {
    script: &'static Script,
    host: ModuleHost<&'static Script, Fixed, Counting, K>,
}

impl<K: KeyValue> Session<K> {
    fn over(storage: K) -> Self {
        let script: &'static Script = Box::leak(Box::default());
        Self {
            script,
            host: host_over(script, storage),
        }
    }

    fn send(&self, request: &str, beside: Option<&[u8]>, answers: &[String]) -> (Value, usize) {
        self.script
            .exchanges
            .borrow_mut()
            .extend(answers.iter().cloned());
        let answer = block_on_ready(call(&self.host, request.as_bytes(), beside));
        let sent = self.script.sent.take().len();
        assert!(
            self.script.exchanges.borrow().is_empty(),
            "{request}: http answers left over"
        );
        let answer: Value = serde_json::from_slice(&answer).expect("json");
        assert_eq!(answer["version"], 1, "{answer}");
        (answer, sent)
    }
}

fn memory_session() -> Session<MemoryKv> {
    Session::over(MemoryKv::default())
}

const API: &str = r#""apiBase": "https://apis.choreo.dev""#;

#[test]
fn token_gives_the_stored_token_of_an_account_and_not_logged_in_without_one() {
    let session = memory_session();
    let token = |fields: &str| {
        session.send(
            &format!(r#"{{"version": 1, "op": "token", {API}{fields}}}"#),
            None,
            &[],
        )
    };

    let (none, sent) = token("");
    assert_eq!(sent, 0);
    assert_eq!(none["ok"], false, "{none}");
    assert_eq!(none["error"]["code"], "not-logged-in");
    assert_eq!(
        none["error"]["message"],
        "not logged in to https://apis.choreo.dev"
    );

    let login = format!(r#"{{"version": 1, "op": "login", {API}, "input": "{TOKEN}\n"}}"#);
    let (login, _) = session.send(&login, None, &documented_http_answers()[..3]);
    assert_eq!(login["ok"], true, "{login}");

    let (found, sent) = token("");
    assert_eq!(sent, 0, "the stored token costs no request");
    assert_eq!(found["ok"], true, "{found}");
    assert_eq!(found["token"], TOKEN, "the token as stored, trimmed");
    assert!(found.get("variable").is_none(), "{found}");
    let (by_org, _) = token(r#", "org": "acme""#);
    assert_eq!(by_org["token"], TOKEN, "{by_org}");

    let (other, _) = token(r#", "org": "globex""#);
    assert_eq!(other["error"]["code"], "not-logged-in", "{other}");
    assert_eq!(
        other["error"]["message"],
        "not logged in to https://apis.choreo.dev (organization globex)"
    );
}

/// A store that cannot be reached, as a host without a keyring answers.
struct Unavailable;

impl KeyValue for Unavailable {
    async fn get(&self, _: &str) -> Result<Option<Zeroizing<String>>, StoreError> {
        Err(StoreError::Unavailable {
            message: "no secret service on this session".into(),
        })
    }

    async fn set(&self, _: &str, _: &str) -> Result<(), StoreError> {
        self.get("").await.map(drop)
    }

    async fn delete(&self, _: &str) -> Result<(), StoreError> {
        self.get("").await.map(drop)
    }
}

#[test]
fn token_fails_closed_when_the_store_does() {
    let session = Session::over(Unavailable);
    let request = format!(r#"{{"version": 1, "op": "token", {API}}}"#);
    let (answer, _) = session.send(&request, None, &[]);
    assert_eq!(answer["ok"], false, "{answer}");
    assert_eq!(answer["error"]["code"], "storage-unavailable", "{answer}");
}

fn environment(variables: &str) -> String {
    format!(r#"{{"version": 1, "op": "environment", {API}, "variables": {variables}}}"#)
}

#[test]
fn environment_checks_the_first_token_variable_set_with_its_flow_and_stores_nothing() {
    let session = memory_session();
    // CHOREO_TOKEN comes first and shadows CLOUD_STS_TOKEN; other names are ignored.
    let both =
        format!(r#"{{"PATH": "/usr/bin", "CLOUD_STS_TOKEN": "{STS}", "CHOREO_TOKEN": "{TOKEN}"}}"#);
    let (pat, sent) = session.send(&environment(&both), None, &documented_http_answers()[..3]);
    assert_eq!(
        sent, 3,
        "the PAT flow: introspection, organizations, organization"
    );
    assert_eq!(pat["ok"], true, "{pat}");
    assert_eq!(pat["variable"], "CHOREO_TOKEN");
    assert_eq!(pat["session"]["kind"], "choreo-pat");
    assert_eq!(pat["warnings"][0]["code"], "env-token-precedence", "{pat}");
    assert_eq!(
        pat["warnings"][0]["message"],
        "CHOREO_TOKEN is used: CLOUD_STS_TOKEN is set too, and the order is CHOREO_TOKEN, WSO2IP_PAT, CLOUD_STS_TOKEN"
    );
    assert_eq!(session.host.store.storage.keys(), Vec::<String>::new());

    // An empty variable counts as unset: the STS token is used, with the STS flow.
    let sts_only = format!(r#"{{"CHOREO_TOKEN": "", "CLOUD_STS_TOKEN": "{STS}"}}"#);
    let (sts, sent) = session.send(&environment(&sts_only), None, &[sts_org_answer()]);
    assert_eq!(sent, 1, "the STS flow: the organization only");
    assert_eq!(sts["ok"], true, "{sts}");
    assert_eq!(sts["variable"], "CLOUD_STS_TOKEN");
    assert_eq!(sts["session"]["kind"], "choreo-sts");
    assert_eq!(sts["warnings"], serde_json::json!([]), "{sts}");
    assert_eq!(session.host.store.storage.keys(), Vec::<String>::new());
}

#[test]
fn environment_without_a_token_variable_is_not_logged_in_naming_them() {
    let session = memory_session();
    for variables in [r#"{}"#, r#"{"CHOREO_TOKEN": "", "GH_TOKEN": "x"}"#] {
        let (answer, sent) = session.send(&environment(variables), None, &[]);
        assert_eq!(sent, 0);
        assert_eq!(answer["error"]["code"], "not-logged-in", "{answer}");
        assert_eq!(
            answer["error"]["message"],
            "not logged in to https://apis.choreo.dev: no token variable is set (CHOREO_TOKEN, WSO2IP_PAT, CLOUD_STS_TOKEN)"
        );
    }
    let request = format!(r#"{{"version": 1, "op": "environment", {API}}}"#);
    let (absent, _) = session.send(&request, None, &[]);
    assert_eq!(absent["error"]["code"], "not-logged-in", "{absent}");
}

#[test]
fn environment_refuses_a_token_with_the_problems_found_offline() {
    let session = memory_session();
    // An STS token in a PAT's variable: refused before any request.
    let misplaced = format!(r#"{{"WSO2IP_PAT": "{STS}"}}"#);
    let (answer, sent) = session.send(&environment(&misplaced), None, &[]);
    assert_eq!(sent, 0);
    assert_eq!(answer["error"]["code"], "sts-not-pat", "{answer}");
    let problems = answer["error"]["problems"].as_array().expect("problems");
    assert!(
        problems.iter().any(|p| p["code"] == "sts-not-pat"),
        "{answer}"
    );
    assert!(
        !answer.to_string().contains(STS),
        "an answer quotes the token"
    );
}

fn environment_token(variables: &str, now: &str) -> String {
    format!(r#"{{"version": 1, "op": "environmentToken", {API}, "variables": {variables}{now}}}"#)
}

#[test]
fn environment_token_gives_the_chosen_token_checked_offline_only() {
    let session = memory_session();
    let both = format!(r#"{{"CLOUD_STS_TOKEN": "{STS}", "WSO2IP_PAT": "{TOKEN}"}}"#);
    // No HTTP answer is scripted: a request would fail the test.
    let (found, sent) = session.send(&environment_token(&both, ""), None, &[]);
    assert_eq!(sent, 0);
    assert_eq!(found["ok"], true, "{found}");
    assert_eq!(found["token"], TOKEN);
    assert_eq!(found["variable"], "WSO2IP_PAT");

    let sts = format!(r#"{{"CLOUD_STS_TOKEN": "{STS}"}}"#);
    let (found, _) = session.send(&environment_token(&sts, ""), None, &[]);
    assert_eq!(found["token"], STS, "{found}");
    assert_eq!(found["variable"], "CLOUD_STS_TOKEN");

    // The STS token expires at 1800003600: `now` decides, else the host's clock (2026).
    let (expired, _) = session.send(
        &environment_token(&sts, r#", "now": 1900000000"#),
        None,
        &[],
    );
    assert_eq!(expired["ok"], false, "{expired}");
    assert_eq!(expired["error"]["code"], "sts-expired", "{expired}");
    let problems = expired["error"]["problems"].as_array().expect("problems");
    assert!(
        problems.iter().any(|p| p["code"] == "sts-expired"),
        "{expired}"
    );
    assert!(
        !expired.to_string().contains(STS),
        "an answer quotes the token"
    );

    let (none, _) = session.send(&environment_token("{}", ""), None, &[]);
    assert_eq!(
        none["error"]["message"],
        "not logged in to https://apis.choreo.dev: no token variable is set (CHOREO_TOKEN, WSO2IP_PAT, CLOUD_STS_TOKEN)"
    );
}

#[test]
fn sts_checks_an_sts_token_given_in_the_request_or_beside_it() {
    let session = memory_session();
    let in_request = format!(r#"{{"version": 1, "op": "sts", {API}, "input": "{STS}"}}"#);
    let (found, sent) = session.send(&in_request, None, &[sts_org_answer()]);
    assert_eq!(sent, 1);
    assert_eq!(found["ok"], true, "{found}");
    assert_eq!(found["variable"], "CLOUD_STS_TOKEN");
    assert_eq!(found["session"]["kind"], "choreo-sts");
    assert_eq!(found["session"]["organization"]["handle"], "acme");

    let beside = format!(r#"{{"version": 1, "op": "sts", {API}}}"#);
    let (same, _) = session.send(&beside, Some(STS.as_bytes()), &[sts_org_answer()]);
    assert_eq!(same, found);
    assert_eq!(session.host.store.storage.keys(), Vec::<String>::new());

    // A personal access token is not an STS token: refused offline.
    let (pat, sent) = session.send(&beside, Some(TOKEN.as_bytes()), &[]);
    assert_eq!(sent, 0);
    assert_eq!(pat["ok"], false, "{pat}");
    assert!(
        !pat["error"]["problems"].as_array().unwrap().is_empty(),
        "{pat}"
    );
}

#[test]
fn input_beside_the_request_is_the_input_and_excludes_input_in_it() {
    let session = memory_session();
    let inspect = |fields: &str, beside: Option<&[u8]>| {
        let request = format!(r#"{{"version": 1, "op": "inspect", "now": 1800000000{fields}}}"#);
        session.send(&request, beside, &[]).0
    };
    let in_request = inspect(&format!(r#", "input": "{TOKEN}\n""#), None);
    let beside = inspect("", Some(format!("{TOKEN}\n").as_bytes()));
    assert_eq!(beside, in_request);
    assert_eq!(beside["report"]["kind"], "choreo-pat", "{beside}");

    for fields in [
        format!(r#", "input": "{TOKEN}""#),
        r#", "inputBase64": "eA==""#.to_owned(),
    ] {
        let both = inspect(&fields, Some(TOKEN.as_bytes()));
        assert_eq!(both["error"]["code"], "bad-request", "{both}");
        assert_eq!(
            both["error"]["message"],
            "give exactly one of input and inputBase64"
        );
    }
    let neither = inspect("", None);
    assert_eq!(neither["error"]["code"], "bad-request", "{neither}");

    // Beside a login: the same session as PROTOCOL.md's login.
    let login = format!(r#"{{"version": 1, "op": "login", {API}}}"#);
    let (logged_in, sent) = session.send(
        &login,
        Some(TOKEN.as_bytes()),
        &documented_http_answers()[..3],
    );
    assert_eq!(sent, 3);
    assert_eq!(logged_in["session"]["masked"], "chp_…Nmox", "{logged_in}");

    // Operations that take no input ignore it.
    let accounts = r#"{"version": 1, "op": "accounts"}"#;
    let (listed, _) = session.send(accounts, Some(b"ignored"), &[]);
    assert_eq!(listed["ok"], true, "{listed}");
    assert_eq!(listed["accounts"][0]["org"], "acme", "{listed}");
}
