//! The Choreo API as the real CLI speaks it: where it lives, what the requests are, and how
//! answers (good and bad) are read. No I/O: requests are built here and sent by a host.

use crate::host::{HttpRequest, HttpResponse, MAX_RESPONSE_BYTES, Method};
use crate::secret::SecretToken;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

pub const DEFAULT_API_BASE: &str = "https://apis.choreo.dev";
pub const INTROSPECT_PATH: &str = "/api-key-service/v1.0/pat/introspect";
pub const ORGS_PATH: &str = "/orgs/1.0.0/orgs";

/// A checked API base URL: `https://` anywhere, `http://` only on a loopback host; no
/// credentials, query or fragment; no trailing slash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApiBase {
    url: String,
    loopback: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiBaseError {
    Invalid { reason: &'static str },
    Insecure,
}

impl ApiBaseError {
    pub fn code(&self) -> crate::problem::Code {
        use crate::problem::Code;
        match self {
            ApiBaseError::Invalid { .. } => Code::InvalidApiBase,
            ApiBaseError::Insecure => Code::InsecureApiBase,
        }
    }
}

impl fmt::Display for ApiBaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiBaseError::Invalid { reason } => write!(f, "the api base url is invalid: {reason}"),
            ApiBaseError::Insecure => {
                f.write_str("the api base must use https unless its host is a loopback address")
            }
        }
    }
}

impl std::error::Error for ApiBaseError {}

impl ApiBase {
    pub fn parse(input: &str) -> Result<Self, ApiBaseError> {
        let invalid = |reason| Err(ApiBaseError::Invalid { reason });
        let input = input.trim();
        let (scheme, rest) = match input.split_once("://") {
            Some((s, rest)) if s.eq_ignore_ascii_case("https") => ("https", rest),
            Some((s, rest)) if s.eq_ignore_ascii_case("http") => ("http", rest),
            _ => return invalid("it must start with https://"),
        };
        if rest.contains(['?', '#']) {
            return invalid("it must not have a query or fragment");
        }
        if !rest.bytes().all(|b| b.is_ascii_graphic()) {
            return invalid("it must be plain ascii without spaces");
        }
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if authority.contains('@') {
            return invalid("it must not contain credentials");
        }
        let host = host_of(authority).ok_or(ApiBaseError::Invalid {
            reason: "its host or port is malformed",
        })?;
        let loopback = is_loopback(&host);
        if scheme == "http" && !loopback {
            return Err(ApiBaseError::Insecure);
        }
        let path = path.trim_end_matches('/');
        Ok(Self {
            url: format!("{scheme}://{}{path}", authority.to_ascii_lowercase()),
            loopback,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    pub fn is_loopback(&self) -> bool {
        self.loopback
    }

    pub fn join(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }
}

impl fmt::Display for ApiBase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

/// The host of `host[:port]` or `[v6][:port]`, lower-cased, if well formed.
fn host_of(authority: &str) -> Option<String> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() || port.is_some_and(|p| p.is_empty() || p.parse::<u16>().is_err()) {
        return None;
    }
    Some(host.to_ascii_lowercase())
}

fn is_loopback(host: &str) -> bool {
    if host == "localhost" || host.ends_with(".localhost") || host == "::1" {
        return true;
    }
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4 && octets[0] == "127" && octets.iter().all(|o| o.parse::<u8>().is_ok())
}

/// `POST {api}/api-key-service/v1.0/pat/introspect`.
pub fn introspect_request(api: &ApiBase, token: &SecretToken) -> HttpRequest {
    HttpRequest {
        method: Method::Post,
        url: api.join(INTROSPECT_PATH),
        bearer: token.clone(),
        body: None,
    }
}

/// `GET {api}/orgs/1.0.0/orgs`.
pub fn orgs_request(api: &ApiBase, token: &SecretToken) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        url: api.join(ORGS_PATH),
        bearer: token.clone(),
        body: None,
    }
}

/// `GET {api}/orgs/1.0.0/orgs/{handle}`, the handle percent-encoded as one path segment.
pub fn org_request(api: &ApiBase, token: &SecretToken, handle: &str) -> HttpRequest {
    let mut url = api.join(ORGS_PATH);
    url.push('/');
    for b in handle.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            url.push(char::from(b));
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    HttpRequest {
        method: Method::Get,
        url,
        bearer: token.clone(),
        body: None,
    }
}

/// The introspection answer. Unknown fields are ignored; missing lists are empty.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Introspection {
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    pub organization_uuid: String,
    #[serde(default, deserialize_with = "id_string")]
    pub user_id: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub allowed_scopes: Vec<String>,
    #[serde(default)]
    pub valid_until: Option<String>,
    pub status: String,
}

/// An organization as `GET /orgs` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    pub uuid: String,
    pub handle: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Deserialize)]
struct OrgEnvelope {
    organization: Organization,
}

// Ids arrive as numbers or strings depending on the endpoint; both are kept as text. A visitor,
// not an untagged enum or `serde_json::Number`: those pull buffering and float formatting into
// the wasm build for nothing.
fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct IdVisitor;
    impl<'de> serde::de::Visitor<'de> for IdVisitor {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or an integer id")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<String, E> {
            Ok(String::new())
        }
    }
    d.deserialize_any(IdVisitor)
}

fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

/// What went wrong talking to the API, before any policy is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// 401: the token is unknown, revoked or malformed as far as the server is concerned.
    Unauthorized { detail: Option<String> },
    /// Any other non-success status.
    Server { status: u16, detail: Option<String> },
    /// A success status with a body that is not what the protocol says.
    BadResponse { what: &'static str },
}

fn success(r: &HttpResponse) -> bool {
    (200..300).contains(&r.status)
}

/// Reads a JSON answer, turning error statuses into [`ApiError`].
pub fn read_json<T: for<'de> Deserialize<'de>>(
    r: &HttpResponse,
    what: &'static str,
    token: &SecretToken,
) -> Result<T, ApiError> {
    if !success(r) {
        let detail = error_detail(r, token);
        return Err(match r.status {
            401 => ApiError::Unauthorized { detail },
            status => ApiError::Server { status, detail },
        });
    }
    if r.body.len() > MAX_RESPONSE_BYTES {
        return Err(ApiError::BadResponse { what });
    }
    crate::json::from_slice(&r.body).map_err(|_| ApiError::BadResponse { what })
}

pub fn read_introspection(
    r: &HttpResponse,
    token: &SecretToken,
) -> Result<Introspection, ApiError> {
    read_json(r, "the introspection answer", token)
}

pub fn read_orgs(r: &HttpResponse, token: &SecretToken) -> Result<Vec<Organization>, ApiError> {
    read_json(r, "the organization list", token)
}

pub fn read_org(r: &HttpResponse, token: &SecretToken) -> Result<Organization, ApiError> {
    read_json::<OrgEnvelope>(r, "the organization answer", token).map(|e| e.organization)
}

/// A short, printable reason from an error answer: RFC 6750 `WWW-Authenticate: Bearer
/// error=...`, or an RFC 6749-style JSON body (`error`, `error_description`, or `message`).
/// Dropped if it would echo the token back.
pub fn error_detail(r: &HttpResponse, token: &SecretToken) -> Option<String> {
    #[derive(Deserialize)]
    struct Body {
        error: Option<String>,
        error_description: Option<String>,
        message: Option<String>,
    }
    let from_header = r.header("www-authenticate").and_then(|h| {
        let params = bearer_params(h)?;
        let get = |k: &str| {
            params
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.clone())
        };
        join(get("error"), get("error_description"))
    });
    let from_body = || {
        let body: Body =
            crate::json::from_slice(r.body.get(..MAX_RESPONSE_BYTES.min(r.body.len()))?).ok()?;
        join(body.error, body.error_description.or(body.message))
    };
    let detail = from_header.or_else(from_body)?;
    let clean: String = detail
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    (!clean.is_empty() && !clean.contains(token.expose())).then_some(clean)
}

fn join(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a}: {b}")),
        (a, b) => a.or(b),
    }
}

/// The auth-params of a `Bearer` challenge: `Bearer realm="x", error="invalid_token"`.
pub fn bearer_params(header: &str) -> Option<Vec<(String, String)>> {
    let rest = header.trim_start();
    let scheme = rest.get(..6)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut rest = rest[6..].trim_start();
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (name, after) = rest.split_once('=')?;
        let after = after.trim_start();
        let (value, tail) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let end = loop {
                match chars.next()? {
                    (_, '\\') => value.push(chars.next()?.1),
                    (i, '"') => break i + 1,
                    (_, c) => value.push(c),
                }
            };
            (value, &quoted[end..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        out.push((name.trim().to_owned(), value));
        rest = tail.trim_start().trim_start_matches(',').trim_start();
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        assert_eq!(
            ApiBase::parse("https://apis.choreo.dev/").unwrap().as_str(),
            "https://apis.choreo.dev"
        );
        assert!(
            ApiBase::parse("http://127.0.0.1:8080")
                .unwrap()
                .is_loopback()
        );
        assert!(ApiBase::parse("http://localhost:1/api/").is_ok());
        assert!(ApiBase::parse("http://[::1]:9/").is_ok());
        assert_eq!(
            ApiBase::parse("http://apis.choreo.dev"),
            Err(ApiBaseError::Insecure)
        );
        assert_eq!(
            ApiBase::parse("http://127.0.0.1.evil.com"),
            Err(ApiBaseError::Insecure)
        );
        assert_eq!(
            ApiBase::parse("http://10.0.0.1"),
            Err(ApiBaseError::Insecure)
        );
    }

    #[test]
    fn malformed_bases_are_invalid() {
        for bad in [
            "apis.choreo.dev",
            "ftp://x",
            "https://",
            "https://u:p@x",
            "https://x?y",
            "https://x:99999",
            "https://a b",
        ] {
            assert_eq!(
                ApiBase::parse(bad).map_err(|e| e.code().as_str()),
                Err("invalid-api-base"),
                "{bad}"
            );
        }
    }

    #[test]
    fn ids_are_kept_as_text_whether_numbers_or_strings() {
        let org = |id: &str| {
            let json = format!(r#"{{"id":{id},"uuid":"u","handle":"h","name":"n","owner":{{}}}}"#);
            serde_json::from_str::<Organization>(&json).map(|o| o.id)
        };
        assert_eq!(org("7").unwrap(), "7");
        assert_eq!(org("-7").unwrap(), "-7");
        assert_eq!(org(r#""o-7""#).unwrap(), "o-7");
        assert_eq!(org("null").unwrap(), "");
        assert!(org("[1]").is_err());
    }

    #[test]
    fn org_handles_are_one_path_segment() {
        let api = ApiBase::parse("https://x").unwrap();
        let t = SecretToken::new("t".into());
        assert_eq!(
            org_request(&api, &t, "a/b c").url,
            "https://x/orgs/1.0.0/orgs/a%2Fb%20c"
        );
    }

    #[test]
    fn bearer_challenges_are_parsed() {
        let p = bearer_params(r#"Bearer realm="choreo", error="invalid_token", error_description="the \"token\" expired""#).unwrap();
        assert_eq!(p[1], ("error".into(), "invalid_token".into()));
        assert_eq!(p[2].1, r#"the "token" expired"#);
        assert!(bearer_params("Basic realm=x").is_none());
    }

    #[test]
    fn error_details_never_echo_the_token() {
        let t = SecretToken::new("chp_secret".into());
        let r = HttpResponse {
            status: 401,
            headers: vec![],
            body: br#"{"error":"bad token chp_secret"}"#.to_vec(),
        };
        assert_eq!(error_detail(&r, &t), None);
        let r = HttpResponse {
            status: 401,
            headers: vec![],
            body: br#"{"error":"invalid_token","error_description":"revoked"}"#.to_vec(),
        };
        assert_eq!(
            error_detail(&r, &t).as_deref(),
            Some("invalid_token: revoked")
        );
    }
}
