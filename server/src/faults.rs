//! Injected faults: what the next Choreo API requests get instead of a normal answer.

use crate::api::invalid_token;
use crate::json_error;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use std::time::Duration;

pub const DEFAULT_DELAY_MS: u64 = 1000;
pub const MAX_DELAY_MS: u64 = 120_000;
/// Size of the `huge` answer: about 5 MiB, five times what clients may read.
pub const HUGE_CHUNKS: usize = 80;
const CHUNK_LEN: usize = 64 * 1024;
static CHUNK: [u8; CHUNK_LEN] = [b'a'; CHUNK_LEN];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultMode {
    Delay,
    ServerError,
    Malformed,
    Huge,
    Unauthorized,
    Redirect,
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
            FaultMode::Delay => {
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
            FaultMode::Malformed | FaultMode::Huge | FaultMode::Unauthorized => {
                unused(
                    self.status.is_some(),
                    "status applies to server-error and redirect",
                )?;
            }
        }
        if self.mode != FaultMode::Delay {
            unused(self.delay_ms.is_some(), "delayMs applies to delay only")?;
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

    pub fn action(&self) -> Action {
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
