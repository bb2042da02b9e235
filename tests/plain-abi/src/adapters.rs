//! Core's host traits over the imported host functions. The imports are synchronous, so every
//! future here is ready on its first poll.

use crate::abi;
use base64::Engine as _;
use choreo_auth_core::AccountRef;
use choreo_auth_core::credential::Credential;
use choreo_auth_core::host::{Clock, CredentialStore, Random, RandomError, StoreError};
use choreo_auth_core::http::{HttpClient, HttpError, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

#[derive(Debug)]
pub struct ImportedHttp;

#[derive(Debug)]
pub struct ImportedClock;

#[derive(Debug)]
pub struct ImportedRandom;

#[derive(Debug)]
pub struct ImportedStore;

// No Debug: it holds the authorization header.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireRequest<'a> {
    method: &'a str,
    url: &'a str,
    authorization: &'a str,
    body: Option<&'a str>,
    timeout_ms: u32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireResponse {
    #[serde(default)]
    status: u16,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    body_base64: Option<String>,
    /// The host stopped reading at core's size cap.
    #[serde(default)]
    truncated: bool,
    /// No answer: `timeout`, `connect`, `redirect-refused` or `failed`, with `error` as detail.
    #[serde(default)]
    failure: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

fn http_error(message: &str) -> HttpError {
    HttpError::Failed {
        detail: message.to_owned(),
    }
}

impl HttpClient for ImportedHttp {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let authorization = Zeroizing::new(format!("Bearer {}", request.bearer.expose()));
        let wire = WireRequest {
            method: request.method.as_str(),
            url: &request.url,
            authorization: &authorization,
            body: request.body.as_deref(),
            timeout_ms: request.timeout_ms,
        };
        // Plain strings only: serialising cannot fail.
        let json = Zeroizing::new(serde_json::to_vec(&wire).unwrap_or_default());
        let answer = abi::http_send(&json).ok_or_else(|| http_error("the host gave no answer"))?;
        let answer: WireResponse = serde_json::from_slice(&answer)
            .map_err(|_| http_error("the host's http answer is malformed"))?;
        let detail = answer.error.unwrap_or_default();
        match answer.failure.as_deref() {
            None if detail.is_empty() => {}
            Some("timeout") => return Err(HttpError::Timeout),
            Some("connect") => return Err(HttpError::Connect { detail }),
            Some("redirect-refused") => return Err(HttpError::RedirectRefused),
            _ => return Err(HttpError::Failed { detail }),
        }
        let body = match (answer.body, answer.body_base64) {
            (_, Some(b64)) => base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|_| http_error("the host's http body is not base64"))?,
            (Some(text), None) => text.into_bytes(),
            (None, None) => Vec::new(),
        };
        Ok(HttpResponse {
            truncated: answer.truncated,
            status: answer.status,
            headers: answer
                .headers
                .into_iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v))
                .collect(),
            body,
        })
    }
}

impl Clock for ImportedClock {
    fn now_unix_ms(&self) -> i64 {
        abi::now_unix_ms()
    }
}

impl Random for ImportedRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        abi::random_fill(dest).then_some(()).ok_or(RandomError)
    }
}

#[derive(Deserialize)]
struct StoreAnswer {
    #[serde(default)]
    credential: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    message: String,
}

/// Reads a store answer: the credential it carries, if any, or the store's error.
fn read_store_answer(answer: Option<Zeroizing<Vec<u8>>>) -> Result<Option<Credential>, StoreError> {
    let failed = |message: &str| StoreError::Failed {
        message: message.to_owned(),
    };
    let answer = answer.ok_or_else(|| failed("the host gave no answer"))?;
    let answer: StoreAnswer =
        serde_json::from_slice(&answer).map_err(|_| failed("the host's answer is malformed"))?;
    match answer.error.as_deref() {
        None => {}
        Some("unavailable") => {
            return Err(StoreError::Unavailable {
                message: answer.message,
            });
        }
        Some("corrupt") => {
            return Err(StoreError::Corrupt {
                message: answer.message,
            });
        }
        Some(_) => {
            return Err(StoreError::Failed {
                message: answer.message,
            });
        }
    }
    answer
        .credential
        .map(Zeroizing::new)
        .map(|json| {
            Credential::from_stored_json(&json).ok_or_else(|| StoreError::Corrupt {
                message: "the stored entry is not a credential".into(),
            })
        })
        .transpose()
}

/// One account per API base on the host's side: a named organization matches or is absent.
impl CredentialStore for ImportedStore {
    async fn load(&self, which: AccountRef<'_>) -> Result<Option<Credential>, StoreError> {
        let found = read_store_answer(abi::store_load(which.api_base.as_str()))?;
        Ok(found.filter(|c| which.matches(&c.session)))
    }

    async fn save(&self, credential: &Credential) -> Result<(), StoreError> {
        let json = credential.to_stored_json();
        read_store_answer(abi::store_save(
            credential.api_base.as_str(),
            json.as_bytes(),
        ))
        .map(drop)
    }

    async fn delete(&self, which: AccountRef<'_>) -> Result<Option<Credential>, StoreError> {
        if which.org.is_some() && self.load(which).await?.is_none() {
            return Ok(None);
        }
        read_store_answer(abi::store_delete(which.api_base.as_str()))
    }
}
