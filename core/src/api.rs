//! The Choreo API as the real CLI speaks it: where it lives, what the requests are, and how
//! answers (good and bad) are read. No I/O: requests are built here and sent by a host.

use crate::http::{DEFAULT_TIMEOUT_MS, HttpRequest, HttpResponse, MAX_RESPONSE_BYTES, Method};
use crate::secret::SecretToken;
use crate::untrusted::Untrusted;
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
    /// Reads `input` as the WHATWG URL parser (reqwest's `url` crate, `fetch`) reads it, so
    /// the host judged here is the host they connect to: `\` ends the host like `/` does
    /// (`http://192.0.2.2\.localhost` has the host `192.0.2.2`), and hosts ending in a number
    /// are IPv4 addresses. Plain http is allowed only when that host is a loopback address
    /// (127.0.0.0/8, `[::1]`) or exactly `localhost`: a `*.localhost` name may be resolved by
    /// DNS, so it needs https.
    ///
    /// Only a plain subset of what WHATWG accepts is accepted (no percent-encoding, dot
    /// segments, empty port, non-ascii or punycode host, IPv4 in other than dotted decimal);
    /// the rest is refused. The `url` crate would cost the wasm package 28 KB gzip, so the
    /// tests check this against it instead: whatever is accepted, `url` reads the same way
    /// and serialises the same.
    pub fn parse(input: &str) -> Result<Self, ApiBaseError> {
        let invalid = |reason| Err(ApiBaseError::Invalid { reason });
        let input = input.trim_ascii();
        if !input.bytes().all(|b| b.is_ascii_graphic()) {
            return invalid("it must be plain ascii without spaces");
        }
        // The scheme holds no `:`, so its `://` is the text's first.
        let scheme = |s: &str| {
            let n = s.len();
            (input.len() >= n && input.as_bytes()[..n].eq_ignore_ascii_case(s.as_bytes()))
                .then(|| &input[n..])
        };
        let (https, rest) = match (scheme("https://"), scheme("http://")) {
            (Some(rest), _) => (true, rest),
            (None, Some(rest)) => (false, rest),
            _ => return invalid("it must start with https://"),
        };
        if rest.contains(['?', '#']) {
            return invalid("it must not have a query or fragment");
        }
        let (authority, path) = rest.split_at(rest.find(['/', '\\']).unwrap_or(rest.len()));
        if authority.contains('@') {
            return invalid("it must not contain credentials");
        }
        let malformed = ApiBaseError::Invalid {
            reason: "its host or port is malformed",
        };
        let (host, port) = split_host_port(authority).ok_or(malformed.clone())?;
        let host = Host::parse(host).ok_or(malformed.clone())?;
        let port = match port {
            None => None,
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                let n = p.parse::<u16>().map_err(|_| malformed.clone())?;
                (n != if https { 443 } else { 80 }).then_some(n)
            }
            Some(_) => return Err(malformed),
        };
        let loopback = host.loopback;
        if !https && !loopback {
            return Err(ApiBaseError::Insecure);
        }
        let path = path.replace('\\', "/");
        let plain = |seg: &str| {
            seg != "."
                && seg != ".."
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
        };
        if !path
            .split('/')
            .skip(1)
            .all(|seg| seg.is_empty() || plain(seg))
        {
            return invalid("its path must be plain letters, digits and - . _ ~");
        }
        let mut url = format!("{}://{}", if https { "https" } else { "http" }, host.name);
        if let Some(port) = port {
            url.push_str(&format!(":{port}"));
        }
        url.push_str(path.trim_end_matches('/'));
        Ok(Self { url, loopback })
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

/// `host[:port]` or `[v6][:port]`; the port as written, if there is a colon.
fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    if authority.starts_with('[') {
        let end = authority.find(']')? + 1;
        let (host, after) = authority.split_at(end);
        return match after {
            "" => Some((host, None)),
            _ => Some((host, Some(after.strip_prefix(':')?))),
        };
    }
    Some(match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

/// An API base's host, as WHATWG parses and serialises it, within the plain subset
/// [`ApiBase::parse`] takes. Read without `core::net`'s parsers, whose generality the wasm
/// package would carry in full.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Host {
    /// The WHATWG serialisation: a lower-case domain, dotted-decimal IPv4, bracketed IPv6.
    name: String,
    /// 127.0.0.0/8, `[::1]` or exactly `localhost`.
    loopback: bool,
}

impl Host {
    fn parse(text: &str) -> Option<Self> {
        if let Some(v6) = text.strip_prefix('[') {
            let pieces = ipv6(v6.strip_suffix(']')?)?;
            return Some(Host {
                name: serialise_ipv6(&pieces),
                loopback: pieces == [0, 0, 0, 0, 0, 0, 0, 1],
            });
        }
        let name = text.to_ascii_lowercase();
        let labels_ok = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && !name.split('.').any(|l| l.starts_with("xn--"));
        if !labels_ok {
            return None;
        }
        // WHATWG reads a host whose last label is a number (decimal, or 0x hex) as IPv4,
        // in forms this subset leaves out (`0x7f.1`, `2130706433`, octal): only a.b.c.d.
        let last = name.strip_suffix('.').unwrap_or(&name);
        let last = last.rsplit('.').next().unwrap_or_default();
        let number = !last.is_empty()
            && (last.bytes().all(|b| b.is_ascii_digit())
                || last
                    .strip_prefix("0x")
                    .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit())));
        if !number {
            let loopback = name == "localhost";
            return Some(Host { name, loopback });
        }
        // Dotted decimal as read is already its serialisation.
        let [first, ..] = ipv4(&name)?;
        Some(Host {
            name,
            loopback: first == 127,
        })
    }
}

/// Dotted-decimal IPv4: four numbers 0 to 255 without leading zeros, as WHATWG reads them
/// (and in an IPv6 address too).
fn ipv4(text: &str) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = text.split('.');
    for byte in &mut out {
        let p = parts.next()?.as_bytes();
        if p.is_empty() || p.len() > 3 || (p.len() > 1 && p[0] == b'0') {
            return None;
        }
        let mut n = 0u32;
        for &b in p {
            n = n * 10 + char::from(b).to_digit(10)?;
        }
        *byte = u8::try_from(n).ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// The eight pieces of an IPv6 address in brackets: groups of one to four hex digits, at
/// most one `::` standing for one or more zero groups, and dotted-decimal IPv4 as the last
/// two pieces. No zone. WHATWG reads each of these forms alike.
fn ipv6(text: &str) -> Option<[u16; 8]> {
    let at = text.as_bytes().windows(2).position(|w| w == b"::");
    let (head, tail) = match at {
        Some(at) => (&text[..at], Some(&text[at + 2..])),
        None => (text, None),
    };
    let mut front = Vec::new();
    groups(head, tail.is_none(), &mut front)?;
    let mut pieces = [0u16; 8];
    match tail {
        None if front.len() == 8 => pieces.copy_from_slice(&front),
        None => return None,
        Some(tail) => {
            let mut back = Vec::new();
            groups(tail, true, &mut back)?;
            if front.len() + back.len() > 7 {
                return None;
            }
            pieces[..front.len()].copy_from_slice(&front);
            pieces[8 - back.len()..].copy_from_slice(&back);
        }
    }
    Some(pieces)
}

/// The pieces of `h16:h16:…` (empty text: none), the last group dotted IPv4 if `last`.
fn groups(text: &str, last: bool, out: &mut Vec<u16>) -> Option<()> {
    if text.is_empty() {
        return Some(());
    }
    let mut groups = text.split(':').peekable();
    while let Some(g) = groups.next() {
        if last && groups.peek().is_none() && g.contains('.') {
            let [a, b, c, d] = ipv4(g)?;
            out.extend([u16::from_be_bytes([a, b]), u16::from_be_bytes([c, d])]);
        } else if (1..=4).contains(&g.len()) {
            let mut n = 0u32;
            for b in g.bytes() {
                n = n * 16 + char::from(b).to_digit(16)?;
            }
            out.push(u16::try_from(n).ok()?);
        } else {
            return None;
        }
        if out.len() > 8 {
            return None;
        }
    }
    Some(())
}

/// The WHATWG serialisation: in brackets, lower-case hex without leading zeros, its first
/// longest run of two or more zero pieces as `::`, never in dotted form.
fn serialise_ipv6(pieces: &[u16; 8]) -> String {
    let (mut best, mut run) = ((0, 0), (0, 0));
    for (i, &p) in pieces.iter().enumerate() {
        run = if p == 0 {
            (if run.1 == 0 { i } else { run.0 }, run.1 + 1)
        } else {
            (0, 0)
        };
        if run.1 > best.1 {
            best = run;
        }
    }
    let mut out = String::from("[");
    let mut i = 0;
    while i < 8 {
        if best.1 >= 2 && i == best.0 {
            out.push_str(if i == 0 { "::" } else { ":" });
            i += best.1;
            continue;
        }
        let p = u32::from(pieces[i]);
        for shift in [12, 8, 4, 0] {
            if p >> shift != 0 || shift == 0 {
                out.extend(char::from_digit((p >> shift) & 0xf, 16));
            }
        }
        if i < 7 {
            out.push(':');
        }
        i += 1;
    }
    out.push(']');
    out
}

/// `POST {api}/api-key-service/v1.0/pat/introspect`.
pub fn introspect_request(api: &ApiBase, token: &SecretToken) -> HttpRequest {
    HttpRequest {
        method: Method::Post,
        url: api.join(INTROSPECT_PATH),
        bearer: token.clone(),
        body: None,
        timeout_ms: DEFAULT_TIMEOUT_MS,
    }
}

/// `GET {api}/orgs/1.0.0/orgs`.
pub fn orgs_request(api: &ApiBase, token: &SecretToken) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        url: api.join(ORGS_PATH),
        bearer: token.clone(),
        body: None,
        timeout_ms: DEFAULT_TIMEOUT_MS,
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
        timeout_ms: DEFAULT_TIMEOUT_MS,
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

crate::untrusted::untrusted_fields!(OrgEnvelope { organization });
crate::untrusted::untrusted_fields!(Introspection {
    id,
    organization_uuid,
    user_id,
    allowed_scopes,
    valid_until,
    status,
});
crate::untrusted::untrusted_fields!(Organization {
    id,
    uuid,
    handle,
    name
});

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

/// Reads a JSON answer, turning error statuses into [`ApiError`]. Every string of it is
/// cleaned ([`crate::untrusted`]) before anyone sees it.
pub fn read_json<T: for<'de> Deserialize<'de> + Untrusted>(
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
    let mut value: T =
        crate::json::from_slice(&r.body).map_err(|_| ApiError::BadResponse { what })?;
    value.clean_for(Some(token));
    Ok(value)
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
/// Each part is cleaned ([`crate::untrusted`]) as the server sent it, before the parts are
/// joined and the whole is cut to 200 characters.
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
        join(get("error"), get("error_description"), token)
    });
    let from_body = || {
        let body: Body =
            crate::json::from_slice(r.body.get(..MAX_RESPONSE_BYTES.min(r.body.len()))?).ok()?;
        join(body.error, body.error_description.or(body.message), token)
    };
    let detail: String = from_header.or_else(from_body)?.chars().take(200).collect();
    (!detail.is_empty()).then_some(detail)
}

/// `a: b`, each part cleaned on its own first.
fn join(a: Option<String>, b: Option<String>, token: &SecretToken) -> Option<String> {
    let cleaner = crate::untrusted::Cleaner::new(Some(token));
    let (mut a, mut b) = (a, b);
    a.clean(&cleaner);
    b.clean(&cleaner);
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a}: {b}")),
        (a, b) => a.or(b),
    }
}

/// The auth-params of a `Bearer` challenge: `Bearer realm="x", error="invalid_token"`.
pub fn bearer_params(header: &str) -> Option<Vec<(String, String)>> {
    let rest = header.trim_ascii_start();
    let scheme = rest.get(..6)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut rest = rest[6..].trim_ascii_start();
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (name, after) = rest.split_once('=')?;
        let after = after.trim_ascii_start();
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
            (after[..end].trim_ascii().to_owned(), &after[end..])
        };
        out.push((name.trim_ascii().to_owned(), value));
        rest = tail
            .trim_ascii_start()
            .trim_start_matches(',')
            .trim_ascii_start();
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ascii_blanks_around_an_api_base_are_dropped() {
        let padded = ApiBase::parse(" \thttps://apis.choreo.dev\r\n").unwrap();
        assert_eq!(padded.as_str(), "https://apis.choreo.dev");
        // A non-ascii space is part of the text, as the WHATWG URL parser reads it.
        let nbsp = ApiBase::parse("https://apis.choreo.dev\u{a0}").unwrap_err();
        assert_eq!(nbsp.code(), crate::problem::Code::InvalidApiBase);
    }

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
    fn loopback_is_decided_from_the_host_a_url_parser_sees() {
        // WHATWG parsers read `\` as `/`: the host is 192.0.2.2, not a *.localhost name.
        for insecure in [
            r"http://192.0.2.2\.localhost",
            r"http://192.0.2.2\.localhost:8080/api",
            "http://192.0.2.2/.localhost",
            "http://evil.localhost",
            "http://localhost.evil.com",
            "http://127.0.0.1.evil.com",
            "http://[::2]",
            "http://0.0.0.0",
        ] {
            assert_eq!(
                ApiBase::parse(insecure),
                Err(ApiBaseError::Insecure),
                "{insecure}"
            );
        }
        for loopback in [
            "http://127.0.0.1",
            "http://127.9.8.7:1",
            "http://[::1]:9",
            "http://LOCALHOST:1",
        ] {
            let api = ApiBase::parse(loopback).unwrap();
            assert!(api.is_loopback(), "{loopback}");
        }
        // What core judged is what adapters are given: the parser's own serialisation.
        assert_eq!(
            ApiBase::parse(r"http://127.0.0.1:8\api\").unwrap().as_str(),
            "http://127.0.0.1:8/api"
        );
        assert_eq!(
            ApiBase::parse("HTTPS://[0:0::1]:443/a/").unwrap().as_str(),
            "https://[::1]/a"
        );
        assert!(ApiBase::parse("https://sub.localhost").is_ok());
        // What WHATWG reads in ways beyond the plain subset is refused, not guessed at.
        for beyond in [
            "http://0x7f.1:1",
            "http://2130706433",
            "http://127.1",
            "http://127.0.0.01",
            "http://127.0.0.1.",
            "http://127.0.0.1%2e",
            "http://127.0.0.1/%2e%2e/",
            "https://x/a/../b",
            "https://x:/",
            "http:///127.0.0.1",
            "https://xn--nxasmq6b.example",
        ] {
            assert_eq!(
                ApiBase::parse(beyond).map_err(|e| e.code()),
                Err(crate::Code::InvalidApiBase),
                "{beyond}"
            );
        }
    }

    /// URL-ish text from pieces that matter to WHATWG parsing.
    fn url_texts() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            Just("http://"),
            Just("https://"),
            Just("HTTP://"),
            Just("/"),
            Just("\\"),
            Just(":"),
            Just("@"),
            Just("."),
            Just("["),
            Just("]"),
            Just("::1"),
            Just("0"),
            Just("127"),
            Just("1"),
            Just("255"),
            Just("256"),
            Just("0x7f"),
            Just("localhost"),
            Just("LocalHost"),
            Just("evil"),
            Just("xn--"),
            Just("%2e"),
            Just("-"),
            Just("_"),
            Just("~"),
            Just("?"),
            Just("#"),
            Just("80"),
            Just("443"),
            Just("8080"),
            Just("99999"),
            Just("a"),
            Just("api"),
        ];
        let host = prop_oneof![
            Just("127.0.0.1"),
            Just("[::1]"),
            Just("[0:0:0:0:0:0:0:1]"),
            Just("[1:0:0:2:0:0:0:3]"),
            Just("[::ffff:127.0.0.1]"),
            Just("localhost"),
            Just("192.0.2.2"),
            Just("apis.choreo.dev"),
        ];
        (
            prop_oneof![Just("http://"), Just("https://")],
            host,
            proptest::collection::vec(piece, 0..8),
        )
            .prop_map(|(scheme, host, rest)| format!("{scheme}{host}{}", rest.concat()))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 4000, ..Default::default() })]

        /// Whatever core accepts, the WHATWG parser reads the same way: same scheme and host
        /// (so the same loopback decision), and the same serialisation.
        #[test]
        fn accepted_bases_read_the_same_as_whatwg(text in url_texts()) {
            if let Ok(api) = ApiBase::parse(&text) {
                let url = url::Url::parse(&text).expect("WHATWG parses what core accepts");
                let loopback = match url.host() {
                    Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                    Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                    Some(url::Host::Domain(d)) => d == "localhost",
                    None => false,
                };
                proptest::prop_assert_eq!(api.is_loopback(), loopback, "{}", text);
                proptest::prop_assert_eq!(api.as_str(), url.as_str().trim_end_matches('/'), "{}", text);
                proptest::prop_assert!(url.query().is_none() && url.fragment().is_none());
                proptest::prop_assert!(url.username().is_empty() && url.password().is_none());
            }
        }
    }

    #[test]
    fn odd_forms_of_loopback_hosts_are_judged_by_what_whatwg_reads() {
        let judged = |text: &str| ApiBase::parse(text).map(|a| (a.is_loopback(), a.to_string()));
        for (text, loopback, serialised) in [
            ("http://[::1]", true, "http://[::1]"),
            ("http://[0:0:0:0:0:0:0:1]:8", true, "http://[::1]:8"),
            ("http://[0000:0::0:0001]", true, "http://[::1]"),
            ("http://127.255.0.9", true, "http://127.255.0.9"),
            ("HTTP://LocalHost:80/A", true, "http://localhost/A"),
            ("http://localhost", true, "http://localhost"),
            (
                "https://[::FFFF:127.0.0.1]",
                false,
                "https://[::ffff:7f00:1]",
            ),
            ("https://[1:0:0:2:0:0:0:3]", false, "https://[1:0:0:2::3]"),
            ("https://[1:0:0:0:2:0:0:3]", false, "https://[1::2:0:0:3]"),
            (
                "https://[1:2:3:4:5:6:7:8]",
                false,
                "https://[1:2:3:4:5:6:7:8]",
            ),
            (
                "https://[::2:3:4:5:6:7:8]",
                false,
                "https://[0:2:3:4:5:6:7:8]",
            ),
            (
                "https://[1:2:3:4:5:6:1.2.3.4]",
                false,
                "https://[1:2:3:4:5:6:102:304]",
            ),
            ("https://[::]", false, "https://[::]"),
        ] {
            assert_eq!(
                judged(text),
                Ok((loopback, serialised.to_owned())),
                "{text}"
            );
        }
        // Loopback only through a mapping or a resolver, or not at all: https or nothing.
        for text in [
            "http://[::ffff:127.0.0.1]",
            "http://[::127.0.0.1]",
            "http://[::ffff:7f00:1]",
            "http://[1::]",
            "http://[::1:0]",
            "http://[0:0:0:0:0:0:1:0]",
            "http://127.0.0.1.nip.io",
            "http://localhost.",
            "http://localhost.localdomain",
            "http://128.0.0.1",
            "http://126.255.255.255",
            "http://0.0.0.0",
            "http://[::]",
        ] {
            assert_eq!(judged(text), Err(ApiBaseError::Insecure), "{text}");
        }
        for text in [
            "http://127.1",
            "http://0x7f.0.0.1",
            "http://0177.0.0.1",
            "http://127.0.0.256",
            "http://127.0.0.1.2",
            "http://[::1%25eth0]",
            "http://[::1:]",
            "http://[:1]",
            "http://[1::2::3]",
            "http://[:::1]",
            "http://[1:2:3:4:5:6:7:8:9]",
            "http://[1:2:3:4::5:6:7:8]",
            "http://[1:2:3:4:5:6:7]",
            "http://[00001::1]",
            "http://[::g]",
            "http://[::1.2.3.4:1]",
            "http://[1.2.3.4::]",
            "http://[::127.0.0.01]",
            "http://[::127.0.1]",
            "http://[1:2:3:4:5:6:7:1.2.3.4]",
            "http://[::1",
            "http://::1]",
            "http://[]",
        ] {
            assert_eq!(
                ApiBase::parse(text).map_err(|e| e.code()),
                Err(crate::Code::InvalidApiBase),
                "{text}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 20000, ..Default::default() })]

        /// The address parsers take exactly what `core::net`'s take, with the same value.
        #[test]
        fn addresses_read_as_core_net_reads_them(parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "0", "1", "7f", "FFFF", "ffff", "12345", "0000", "00001", ":", "::", ".", "127",
                "255", "256", "01", "1.2.3.4", "g", "%", "", "1:", "ab:", "0:", "1:2:3:4:",
            ]),
            0..14,
        )) {
            let text = parts.concat();
            proptest::prop_assert_eq!(
                ipv6(&text),
                text.parse::<core::net::Ipv6Addr>().ok().map(|a| a.segments()),
                "{}", text
            );
            proptest::prop_assert_eq!(
                ipv4(&text),
                text.parse::<core::net::Ipv4Addr>().ok().map(|a| a.octets()),
                "{}", text
            );
            if let Some(pieces) = ipv6(&text) {
                let url = url::Url::parse(&format!("https://[{text}]/")).unwrap();
                proptest::prop_assert_eq!(
                    format!("https://{}/", serialise_ipv6(&pieces)),
                    url.as_str()
                );
            }
        }
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
            truncated: false,
        };
        assert_eq!(
            error_detail(&r, &t).as_deref(),
            Some("bad token [redacted]")
        );
        let r = HttpResponse {
            status: 401,
            headers: vec![],
            body: br#"{"error":"invalid_token","error_description":"revoked"}"#.to_vec(),
            truncated: false,
        };
        assert_eq!(
            error_detail(&r, &t).as_deref(),
            Some("invalid_token: revoked")
        );
    }
}
