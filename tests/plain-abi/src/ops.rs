//! The exported operations as safe functions from request bytes to answer bytes. Each one
//! parses its JSON request, runs core, and serialises the outcome; no rule lives here.

use crate::adapters::{ImportedClock, ImportedHttp, ImportedRandom, ImportedStore};
use base64::Engine as _;
use choreo_auth_core::credential::Session;
use choreo_auth_core::login::{self, Host, Policy};
use choreo_auth_core::vectors::{self, block_on_ready};
use choreo_auth_core::{AccountRef, ApiBase, Code, Problem};
use serde::{Deserialize, Serialize};
use serde_json::json;
use zeroize::Zeroizing;

const HOST: Host<ImportedHttp, ImportedClock, ImportedRandom, ImportedStore> = Host {
    http: ImportedHttp,
    clock: ImportedClock,
    random: ImportedRandom,
    store: ImportedStore,
};

/// What login, status and logout answer.
#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct Answer {
    ok: bool,
    code: Option<Code>,
    message: Option<String>,
    session: Option<Session>,
    /// Login: notices and warnings, or the offline problems of a rejection. Status: warnings.
    problems: Vec<Problem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    checked_online: Option<bool>,
}

impl Answer {
    fn failed(code: Code, message: String) -> Self {
        Self {
            code: Some(code),
            message: Some(message),
            ..Self::default()
        }
    }

    fn bytes(&self) -> Vec<u8> {
        // Strings, numbers and lists only: serialising cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    api_base: String,
    #[serde(default)]
    input: Option<String>,
    #[serde(default)]
    input_base64: Option<String>,
    #[serde(default)]
    required_scopes: Vec<String>,
    /// The whole exchange's time limit; core's default if absent.
    #[serde(default)]
    timeout_ms: Option<u32>,
    #[serde(default = "yes")]
    online: bool,
}

fn yes() -> bool {
    true
}

/// The request and its API base, or the answer explaining why they are unusable.
fn parse_request(bytes: &[u8]) -> Result<(Request, ApiBase), Vec<u8>> {
    let request: Request = serde_json::from_slice(bytes).map_err(|e| {
        // Position only: serde's message can quote the input, which may hold the token.
        let at = format!("line {} column {}", e.line(), e.column());
        Answer::failed(
            Code::BadRequest,
            format!("the request is malformed at {at}"),
        )
        .bytes()
    })?;
    let api = ApiBase::parse(&request.api_base)
        .map_err(|e| Answer::failed(e.code(), e.to_string()).bytes())?;
    Ok((request, api))
}

pub fn run_vector(bytes: &[u8]) -> Vec<u8> {
    let answer = match std::str::from_utf8(bytes)
        .map_err(|e| e.to_string())
        .and_then(vectors::run_json)
    {
        Ok(output) => json!({ "output": output }),
        Err(error) => json!({ "error": error }),
    };
    answer.to_string().into_bytes()
}

pub fn login(bytes: &[u8]) -> Vec<u8> {
    let (mut request, api) = match parse_request(bytes) {
        Ok(r) => r,
        Err(answer) => return answer,
    };
    let input = match (
        request.input.take().map(Zeroizing::new),
        &request.input_base64,
    ) {
        (Some(text), None) => Zeroizing::new(text.as_bytes().to_vec()),
        (None, Some(b64)) => match base64::engine::general_purpose::STANDARD.decode(b64) {
            Ok(raw) => Zeroizing::new(raw),
            Err(_) => {
                return Answer::failed(Code::BadRequest, "inputBase64 is not base64".into())
                    .bytes();
            }
        },
        _ => {
            return Answer::failed(
                Code::BadRequest,
                "give exactly one of input and inputBase64".into(),
            )
            .bytes();
        }
    };
    let policy = Policy {
        required_scopes: request.required_scopes,
        timeout_ms: request.timeout_ms,
    };
    match block_on_ready(login::login(&HOST, &api, &input, &policy)) {
        Ok(outcome) => Answer {
            ok: true,
            session: Some(outcome.session),
            problems: outcome.warnings,
            ..Answer::default()
        },
        Err(e) => Answer {
            problems: e.problems().to_vec(),
            ..Answer::failed(e.code(), e.to_string())
        },
    }
    .bytes()
}

pub fn status(bytes: &[u8]) -> Vec<u8> {
    let (request, api) = match parse_request(bytes) {
        Ok(r) => r,
        Err(answer) => return answer,
    };
    let policy = Policy {
        required_scopes: request.required_scopes,
        timeout_ms: request.timeout_ms,
    };
    let active = AccountRef::active(&api);
    match block_on_ready(login::status(&HOST, active, &policy, request.online)) {
        Ok(report) => Answer {
            ok: true,
            session: Some(report.session),
            problems: report.warnings,
            checked_online: Some(report.checked_online),
            ..Answer::default()
        },
        Err(e) => {
            let session = match &e {
                login::StatusError::Check { session, .. } => Some((**session).clone()),
                _ => None,
            };
            Answer {
                session,
                ..Answer::failed(e.code(), e.to_string())
            }
        }
    }
    .bytes()
}

pub fn logout(bytes: &[u8]) -> Vec<u8> {
    let (_, api) = match parse_request(bytes) {
        Ok(r) => r,
        Err(answer) => return answer,
    };
    match block_on_ready(login::logout(&HOST.store, AccountRef::active(&api))) {
        Ok(session) => Answer {
            ok: true,
            session: Some(session),
            ..Answer::default()
        },
        Err(e) => Answer::failed(e.code(), e.to_string()),
    }
    .bytes()
}
