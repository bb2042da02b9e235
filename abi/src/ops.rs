//! The operations: request bytes in, answer bytes out. Each reads its request, runs core and
//! writes the outcome; no rule lives here. Generic over the host, so the same code runs behind
//! the wasm imports and in this crate's native tests.

use crate::protocol::{
    AccountList, AccountRow, AccountsRequest, Answer, Failed, Head, InspectRequest, LoggedIn,
    LoggedOut, LoginRequest, LogoutRequest, Op, PROTOCOL_VERSION_1, Secret, StatusFound,
    StatusRequest, SwitchRequest, Switched, VERSIONS,
};
use base64::Engine as _;
use choreo_auth_core::host::{Clock, Random};
use choreo_auth_core::http::HttpClient;
use choreo_auth_core::kv::{KeyValue, KvStore};
use choreo_auth_core::login::{self, Host, Policy, StatusError};
use choreo_auth_core::vectors::block_on_ready;
use choreo_auth_core::{AccountRef, ApiBase, Code, report};
use serde::Deserialize;
use zeroize::Zeroizing;

/// The module's host: core's four capabilities, the store being core's accounts over the
/// host's key-value store ([`KvStore`], the npm package's layout).
pub type ModuleHost<H, C, R, K> = Host<H, C, R, KvStore<K>>;

/// Answers one request of the protocol.
pub fn call<H: HttpClient, C: Clock, R: Random, K: KeyValue>(
    host: &ModuleHost<H, C, R, K>,
    request: &[u8],
) -> Vec<u8> {
    match dispatch(host, request) {
        Ok(answer) => answer,
        Err(failed) => failed.to_bytes(),
    }
}

fn dispatch<H: HttpClient, C: Clock, R: Random, K: KeyValue>(
    host: &ModuleHost<H, C, R, K>,
    request: &[u8],
) -> Result<Vec<u8>, Failed> {
    let head: Head = serde_json::from_slice(request).map_err(|e| malformed(None, &e))?;
    match head.version {
        None => {
            return Err(Failed::new(
                Code::BadRequest,
                format!(
                    "the request has no version; add \"version\": {PROTOCOL_VERSION_1}, the protocol version the host speaks"
                ),
            ));
        }
        Some(version) if !VERSIONS.contains(&version) => {
            let mut failed = Failed::new(
                Code::UnsupportedVersion,
                format!(
                    "this module speaks protocol version {PROTOCOL_VERSION_1}, not {version}; send version {PROTOCOL_VERSION_1} requests or use a module that speaks version {version}"
                ),
            );
            failed.versions = Some(VERSIONS);
            return Err(failed);
        }
        Some(_) => {}
    }
    let op = head
        .op
        .as_deref()
        .and_then(|name| Op::ALL.iter().find(|op| op.as_str() == name))
        .ok_or_else(|| {
            let names: Vec<&str> = Op::ALL.iter().map(|op| op.as_str()).collect();
            let what = if head.op.is_some() {
                "an unknown"
            } else {
                "no"
            };
            Failed::new(
                Code::BadRequest,
                format!(
                    "the request has {what} op; version {PROTOCOL_VERSION_1} has {}",
                    names.join(", ")
                ),
            )
        })?;
    Ok(match op {
        Op::Inspect => inspect(host, read(*op, request)?)?,
        Op::Login => log_in(host, read(*op, request)?)?,
        Op::Status => status(host, read(*op, request)?)?,
        Op::Logout => log_out(host, read(*op, request)?)?,
        Op::Accounts => accounts(host, read(*op, request)?)?,
        Op::Switch => switch(host, read(*op, request)?)?,
    })
}

/// The request of `op` as its type.
fn read<'a, T: Deserialize<'a>>(op: Op, request: &'a [u8]) -> Result<T, Failed> {
    serde_json::from_slice(request).map_err(|e| malformed(Some(op), &e))
}

/// Why a request does not parse, without quoting it: serde's messages can quote a value, and
/// a value can be the token. Field names the protocol defines are named.
fn malformed(op: Option<Op>, e: &serde_json::Error) -> Failed {
    let at = format!("line {} column {}", e.line(), e.column());
    let what = match op {
        Some(op) => format!("the {} request", op.as_str()),
        None => "the request".to_owned(),
    };
    let text = e.to_string();
    let named = |prefix: &str| {
        let rest = text.strip_prefix(prefix)?.strip_prefix('`')?;
        let name = &rest[..rest.find('`')?];
        (name.len() <= 32 && name.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(name)
    };
    let why = if !e.is_data() {
        format!("{what} is not json ({at})")
    } else if let Some(field) = named("missing field ") {
        format!("{what} lacks the field {field} ({at})")
    } else if text.starts_with("unknown field") {
        let field = named("unknown field ").unwrap_or("a field");
        format!("{what} has {field}, which version {PROTOCOL_VERSION_1} does not define ({at})")
    } else {
        format!("{what} has a value of the wrong type ({at})")
    };
    Failed::new(
        Code::BadRequest,
        format!("{why}; send the json PROTOCOL.md describes"),
    )
}

/// The input's bytes, from `input` (text) or `inputBase64`.
fn input_bytes(
    input: Option<Secret>,
    input_base64: Option<Secret>,
) -> Result<Zeroizing<Vec<u8>>, Failed> {
    match (input, input_base64) {
        (Some(text), None) => Ok(Zeroizing::new(text.into_zeroizing().as_bytes().to_vec())),
        (None, Some(b64)) => base64::engine::general_purpose::STANDARD
            .decode(b64.expose())
            .map(Zeroizing::new)
            .map_err(|_| {
                Failed::new(
                    Code::BadRequest,
                    "inputBase64 is not base64; encode the input's bytes with the standard alphabet",
                )
            }),
        _ => Err(Failed::new(
            Code::BadRequest,
            "give exactly one of input and inputBase64",
        )),
    }
}

fn api_base(text: &str) -> Result<ApiBase, Failed> {
    ApiBase::parse(text).map_err(|e| Failed::new(e.code(), e.to_string()))
}

fn inspect<H, C: Clock, R, K>(
    host: &ModuleHost<H, C, R, K>,
    request: InspectRequest,
) -> Result<Vec<u8>, Failed> {
    let input = input_bytes(request.input, request.input_base64)?;
    let report = match request.now {
        Some(now) => report::inspect(&input, now),
        None => report::inspect_with_clock(&input, &host.clock),
    };
    Ok(Answer::ok(crate::protocol::Inspected { report: &report }).to_bytes())
}

fn log_in<H: HttpClient, C: Clock, R: Random, K: KeyValue>(
    host: &ModuleHost<H, C, R, K>,
    request: LoginRequest,
) -> Result<Vec<u8>, Failed> {
    let api = api_base(&request.api_base)?;
    let input = input_bytes(request.input, request.input_base64)?;
    let policy = Policy {
        required_scopes: request.required_scopes,
        timeout_ms: request.timeout_ms,
    };
    match block_on_ready(login::login(host, &api, &input, &policy)) {
        Ok(outcome) => Ok(Answer::ok(LoggedIn {
            session: outcome.session,
            warnings: outcome.warnings,
        })
        .to_bytes()),
        Err(e) => {
            let mut failed = Failed::new(e.code(), e.to_string());
            failed.error.problems = e.problems().to_vec();
            Err(failed)
        }
    }
}

fn status<H: HttpClient, C: Clock, R: Random, K: KeyValue>(
    host: &ModuleHost<H, C, R, K>,
    request: StatusRequest,
) -> Result<Vec<u8>, Failed> {
    let api = api_base(&request.api_base)?;
    let which = AccountRef {
        api_base: &api,
        org: request.org.as_deref(),
    };
    let policy = Policy {
        required_scopes: request.required_scopes,
        timeout_ms: request.timeout_ms,
    };
    match block_on_ready(login::status(host, which, &policy, request.online)) {
        Ok(found) => Ok(Answer::ok(StatusFound {
            session: found.session,
            checked_online: found.checked_online,
            warnings: found.warnings,
        })
        .to_bytes()),
        Err(e) => {
            let mut failed = Failed::new(e.code(), e.to_string());
            if let StatusError::Check { session, .. } = e {
                failed.session = Some(session);
            }
            Err(failed)
        }
    }
}

fn log_out<H, C, R, K: KeyValue>(
    host: &ModuleHost<H, C, R, K>,
    request: LogoutRequest,
) -> Result<Vec<u8>, Failed> {
    let api = api_base(&request.api_base)?;
    let which = AccountRef {
        api_base: &api,
        org: request.org.as_deref(),
    };
    block_on_ready(login::logout(&host.store, which))
        .map(|session| Answer::ok(LoggedOut { session }).to_bytes())
        .map_err(|e| Failed::new(e.code(), e.to_string()))
}

fn accounts<H, C, R, K: KeyValue>(
    host: &ModuleHost<H, C, R, K>,
    _: AccountsRequest,
) -> Result<Vec<u8>, Failed> {
    let index =
        block_on_ready(host.store.index()).map_err(|e| Failed::new(e.code(), e.to_string()))?;
    let accounts = index
        .iter()
        .map(|listed| AccountRow {
            api_base: listed.api_base.to_owned(),
            org: listed.account.org.clone(),
            org_uuid: listed.account.org_uuid.clone(),
            active: listed.active,
        })
        .collect();
    Ok(Answer::ok(AccountList { accounts }).to_bytes())
}

fn switch<H, C, R, K: KeyValue>(
    host: &ModuleHost<H, C, R, K>,
    request: SwitchRequest,
) -> Result<Vec<u8>, Failed> {
    let api = api_base(&request.api_base)?;
    let switched = block_on_ready(host.store.switch(&api, request.org.as_deref()))
        .map_err(|e| Failed::new(e.code(), e.to_string()))?;
    let account = AccountRow {
        api_base: api.to_string(),
        org: switched.to.org,
        org_uuid: switched.to.org_uuid,
        active: true,
    };
    Ok(Answer::ok(Switched {
        account,
        changed: switched.changed,
    })
    .to_bytes())
}
