//! The shared test vectors of `tests/vectors/`, run the same way by every host: native tests,
//! the wasm package in Node and Chromium, and the host protocol's module (`abi/`) under wasmtime.
//!
//! A vector is either an inspection (input → report) or a login scenario (input + the API's
//! answers, in order → outcome). The API answers are scripted so the vectors stay host-neutral;
//! the real reference server is exercised by each host's end-to-end tests.

use crate::api::ApiBase;
use crate::credential::Session;
use crate::host::{Clock, CredentialStore, Random, RandomError};
use crate::http::{HttpClient, HttpError, HttpRequest, HttpResponse};
use crate::login::{self, Host, Policy};
use crate::memory::MemoryStore;
use crate::problem::{Code, Problem};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Vector {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_base64: Option<String>,
    /// Unix seconds the rules run at.
    pub now: i64,
    /// The codes expected, in order: written by hand, checked independently of `expect`.
    pub codes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<LoginScenario>,
    /// The full expected output (a report, or a login outcome).
    #[serde(default)]
    pub expect: serde_json::Value,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginScenario {
    /// `pat` (the default: `login`, which stores) or `sts` (the STS flow, which stores nothing).
    #[serde(default, skip_serializing_if = "Flow::is_pat")]
    pub flow: Flow,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_scopes: Vec<String>,
    /// Answers to the requests in the order they are sent.
    pub responses: Vec<ScriptedResponse>,
}

/// Which flow a login scenario runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flow {
    #[default]
    Pat,
    Sts,
}

impl Flow {
    fn is_pat(&self) -> bool {
        *self == Flow::Pat
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScriptedResponse {
    pub status: u16,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
    /// A raw body, for malformed answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
    /// The host stopped reading at the size cap.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// No answer, as a host reports it: `timeout`, `connect` or `redirect-refused` (the
    /// status and body are then ignored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

impl Vector {
    pub fn input_bytes(&self) -> Result<Vec<u8>, String> {
        match (&self.input, &self.input_base64) {
            (Some(text), None) => Ok(text.as_bytes().to_vec()),
            (None, Some(b64)) => base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| format!("{}: inputBase64: {e}", self.name)),
            _ => Err(format!(
                "{}: give exactly one of input and inputBase64",
                self.name
            )),
        }
    }
}

/// What a login scenario produced, as compared across hosts.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub ok: bool,
    pub code: Option<Code>,
    pub message: Option<String>,
    pub session: Option<Session>,
    /// Notices and warnings on success; every offline problem on an offline rejection.
    pub problems: Vec<Problem>,
    /// `METHOD path` of each request sent, in order.
    pub requests: Vec<String>,
    /// Whether a credential is in the store afterwards (it starts empty).
    pub stored: bool,
}

struct Scripted {
    answers: RefCell<VecDeque<ScriptedResponse>>,
    sent: RefCell<Vec<String>>,
}

impl HttpClient for Scripted {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let path = request
            .url
            .strip_prefix(crate::api::DEFAULT_API_BASE)
            .unwrap_or(&request.url);
        self.sent
            .borrow_mut()
            .push(format!("{} {path}", request.method.as_str()));
        let Some(answer) = self.answers.borrow_mut().pop_front() else {
            return Err(HttpError::Connect {
                detail: "connection refused".into(),
            });
        };
        match answer.failure.as_deref() {
            None => {}
            Some("timeout") => return Err(HttpError::Timeout),
            Some("redirect-refused") => return Err(HttpError::RedirectRefused),
            Some(other) => {
                return Err(HttpError::Connect {
                    detail: other.to_owned(),
                });
            }
        }
        let body = match (answer.body, answer.body_text) {
            (_, Some(text)) => text.into_bytes(),
            (Some(json), None) => json.to_string().into_bytes(),
            (None, None) => Vec::new(),
        };
        Ok(HttpResponse {
            status: answer.status,
            headers: answer.headers.into_iter().collect(),
            body,
            truncated: answer.truncated,
        })
    }
}

struct Fixed(i64);

impl Clock for Fixed {
    fn now_unix_ms(&self) -> i64 {
        self.0 * 1000
    }
}

/// Counts up from 0, so session ids are the same on every host.
struct Counting;

impl Random for Counting {
    fn fill(&self, dest: &mut [u8]) -> Result<(), RandomError> {
        for (i, b) in dest.iter_mut().enumerate() {
            *b = i as u8;
        }
        Ok(())
    }
}

/// Polls a future that never waits (all vector hosts answer at once) to completion.
pub fn block_on_ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => out,
        Poll::Pending => unreachable!("vector hosts answer synchronously"),
    }
}

/// Runs one vector and returns its output JSON, byte-identical on every host.
pub fn run(vector: &Vector) -> Result<String, String> {
    let input = vector.input_bytes()?;
    let Some(scenario) = &vector.login else {
        return Ok(crate::report::inspect_json(&input, vector.now));
    };
    let host = Host {
        http: Scripted {
            answers: RefCell::new(scenario.responses.iter().cloned().collect()),
            sent: RefCell::default(),
        },
        clock: Fixed(vector.now),
        random: Counting,
        store: MemoryStore::default(),
    };
    let api = ApiBase::parse(crate::api::DEFAULT_API_BASE).map_err(|e| e.to_string())?;
    let policy = Policy {
        required_scopes: scenario.required_scopes.clone(),
        ..Policy::default()
    };
    let result = match scenario.flow {
        Flow::Pat => block_on_ready(login::login(&host, &api, &input, &policy)),
        Flow::Sts => block_on_ready(crate::sts::authenticate(
            &host.http,
            &host.clock,
            &host.random,
            &api,
            &input,
            &policy,
        ))
        .map(|(credential, warnings)| login::LoginResult {
            session: credential.session,
            warnings,
        }),
    };
    let stored = block_on_ready(host.store.load(crate::account::AccountRef::active(&api)))
        .ok()
        .flatten()
        .is_some();
    let requests = host.http.sent.take();
    let outcome = match result {
        Ok(o) => Outcome {
            ok: true,
            code: None,
            message: None,
            session: Some(o.session),
            problems: o.warnings,
            requests,
            stored,
        },
        Err(e) => Outcome {
            ok: false,
            code: Some(e.code()),
            message: Some(e.to_string()),
            session: None,
            problems: e.problems().to_vec(),
            requests,
            stored,
        },
    };
    serde_json::to_string(&outcome).map_err(|e| e.to_string())
}

/// [`run`] from vector JSON, for hosts that only pass strings (wasm ABIs).
pub fn run_json(vector_json: &str) -> Result<String, String> {
    let vector: Vector =
        serde_json::from_str(vector_json).map_err(|e| format!("bad vector: {e}"))?;
    run(&vector)
}

/// The codes an output carries, in order: report problems, then a login error's code.
pub fn codes_of(output: &str) -> Result<Vec<String>, String> {
    let v: serde_json::Value = serde_json::from_str(output).map_err(|e| e.to_string())?;
    let mut codes: Vec<String> = v["problems"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["code"].as_str().map(str::to_owned))
        .collect();
    if let Some(code) = v["code"].as_str()
        && !codes.iter().any(|c| c == code)
    {
        codes.push(code.to_owned());
    }
    Ok(codes)
}
