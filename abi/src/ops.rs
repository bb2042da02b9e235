//! The operations: request bytes in, answer bytes out. Each reads its request, runs core and
//! writes the outcome; no rule lives here. Generic over the host, so the same code runs behind
//! the plain module's synchronous imports, over any asynchronous host in the same process, and
//! in this crate's native tests.

use crate::protocol::{
    AccountList, AccountRow, AccountsRequest, Answer, EnvironmentRequest, EnvironmentTokenRequest,
    Failed, Head, InspectRequest, LoggedOut, LoginRequest, LogoutRequest, Op, PROTOCOL_VERSION_1,
    Secret, StatusRequest, StsRequest, SwitchRequest, Switched, TokenFound, TokenRequest, VERSIONS,
};
use base64::Engine as _;
use choreo_auth_core::host::{Clock, Random};
use choreo_auth_core::http::HttpClient;
use choreo_auth_core::kv::{KeyValue, KvStore};
use choreo_auth_core::login::{self, Host, Policy};
use choreo_auth_core::{AccountRef, ApiBase, Code, Failure, SecretToken, env, report};
use serde::Deserialize;
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// The module's host: core's four capabilities, the store being core's accounts over the
/// host's key-value store ([`KvStore`], the layout the npm package's storage holds).
pub type ModuleHost<H, C, R, K> = Host<H, C, R, KvStore<K>>;

/// Answers one request of the protocol: `request` is its JSON, the answer is JSON too, a
/// refusal included (every failure is an answer with `ok: false`).
///
/// `input` is the input's bytes given beside the request, for hosts in the same process (they
/// can write a token straight into memory, so it never becomes a string of their language);
/// such a request has neither `input` nor `inputBase64`. Operations that take no
/// input ignore it. The plain module's `call` export has no beside input.
///
/// The future awaits only the host's capabilities: with a host that answers synchronously
/// (the plain module's imports) it is ready on its first poll.
pub async fn call<H: HttpClient, C: Clock, R: Random, K: KeyValue>(
    host: &ModuleHost<H, C, R, K>,
    request: &[u8],
    input: Option<&[u8]>,
) -> Vec<u8> {
    match dispatch(host, request, input).await {
        Ok(answer) => answer,
        Err(failed) => failed.to_bytes(),
    }
}

async fn dispatch<H: HttpClient, C: Clock, R: Random, K: KeyValue>(
    host: &ModuleHost<H, C, R, K>,
    request: &[u8],
    beside: Option<&[u8]>,
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
        Op::Inspect => inspect(host, read(*op, request)?, beside)?,
        Op::Login => log_in(host, read(*op, request)?, beside).await?,
        Op::Status => status(host, read(*op, request)?).await?,
        Op::Logout => log_out(host, read(*op, request)?).await?,
        Op::Accounts => accounts(host, read(*op, request)?).await?,
        Op::Switch => switch(host, read(*op, request)?).await?,
        Op::Token => token(host, read(*op, request)?).await?,
        Op::Environment => environment(host, read(*op, request)?).await?,
        Op::EnvironmentToken => environment_token(host, read(*op, request)?)?,
        Op::Sts => sts(host, read(*op, request)?, beside).await?,
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

/// The input's bytes, from `input` (text), `inputBase64` or the bytes given `beside` the
/// request: exactly one of the three.
fn input_bytes(
    input: Option<Secret>,
    input_base64: Option<Secret>,
    beside: Option<&[u8]>,
) -> Result<Zeroizing<Vec<u8>>, Failed> {
    match (input, input_base64, beside) {
        (None, None, Some(bytes)) => Ok(Zeroizing::new(bytes.to_vec())),
        (Some(text), None, None) => Ok(Zeroizing::new(text.into_zeroizing().as_bytes().to_vec())),
        (None, Some(b64), None) => base64::engine::general_purpose::STANDARD
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
    ApiBase::parse(text).map_err(failed)
}

/// The protocol's error answer of a failure of core.
fn failed(e: impl Into<Failure>) -> Failed {
    Failed::from(e.into())
}

fn policy(required_scopes: Vec<String>, timeout_ms: Option<u32>) -> Policy {
    Policy {
        required_scopes,
        timeout_ms,
    }
}

fn inspect<H, C: Clock, R, K>(
    host: &ModuleHost<H, C, R, K>,
    request: InspectRequest,
    beside: Option<&[u8]>,
) -> Result<Vec<u8>, Failed> {
    let input = input_bytes(request.input, request.input_base64, beside)?;
    let report = match request.now {
        Some(now) => report::inspect(&input, now),
        None => report::inspect_with_clock(&input, &host.clock),
    };
    Ok(Answer::ok(crate::protocol::Inspected { report: &report }).to_bytes())
}

async fn log_in<H: HttpClient, C: Clock, R: Random, K: KeyValue>(
    host: &ModuleHost<H, C, R, K>,
    request: LoginRequest,
    beside: Option<&[u8]>,
) -> Result<Vec<u8>, Failed> {
    let api = api_base(&request.api_base)?;
    let input = input_bytes(request.input, request.input_base64, beside)?;
    let policy = policy(request.required_scopes, request.timeout_ms);
    let result = login::login(host, &api, &input, &policy).await;
    Ok(Answer::ok(result.map_err(failed)?).to_bytes())
}

async fn status<H: HttpClient, C: Clock, R: Random, K: KeyValue>(
    host: &ModuleHost<H, C, R, K>,
    request: StatusRequest,
) -> Result<Vec<u8>, Failed> {
    let api = api_base(&request.api_base)?;
    let which = AccountRef {
        api_base: &api,
        org: request.org.as_deref(),
    };
    let policy = policy(request.required_scopes, request.timeout_ms);
    let found = login::status(host, which, &policy, request.online).await;
    Ok(Answer::ok(found.map_err(failed)?).to_bytes())
}

async fn log_out<H, C, R, K: KeyValue>(
    host: &ModuleHost<H, C, R, K>,
    request: LogoutRequest,
) -> Result<Vec<u8>, Failed> {
    let api = api_base(&request.api_base)?;
    let which = AccountRef {
        api_base: &api,
        org: request.org.as_deref(),
    };
    let session = login::logout(&host.store, which).await.map_err(failed)?;
    Ok(Answer::ok(LoggedOut { session }).to_bytes())
}

async fn accounts<H, C, R, K: KeyValue>(
    host: &ModuleHost<H, C, R, K>,
    _: AccountsRequest,
) -> Result<Vec<u8>, Failed> {
    let index = host.store.index().await.map_err(failed)?;
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

async fn switch<H, C, R, K: KeyValue>(
    host: &ModuleHost<H, C, R, K>,
    request: SwitchRequest,
) -> Result<Vec<u8>, Failed> {
    let api = api_base(&request.api_base)?;
    let switched = (host.store.switch(&api, request.org.as_deref()).await).map_err(failed)?;
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

/// The answer holding `token`.
fn token_found(token: &SecretToken, variable: Option<&str>) -> Vec<u8> {
    Answer::ok(TokenFound {
        token: Secret::new(token.expose().to_owned()),
        variable: variable.map(str::to_owned),
    })
    .to_bytes()
}

async fn token<H, C, R, K: KeyValue>(
    host: &ModuleHost<H, C, R, K>,
    request: TokenRequest,
) -> Result<Vec<u8>, Failed> {
    let api = api_base(&request.api_base)?;
    let which = AccountRef {
        api_base: &api,
        org: request.org.as_deref(),
    };
    let credential = login::stored(&host.store, which).await.map_err(failed)?;
    Ok(token_found(&credential.token, None))
}

/// The variable core chooses among the token variables `variables` sets to a non-empty
/// string, with its value's bytes.
fn env_variable(
    api: &ApiBase,
    variables: &BTreeMap<String, Secret>,
) -> Result<(env::Chosen, Zeroizing<Vec<u8>>), Failed> {
    let set: Vec<&str> = env::TOKEN_VARIABLES
        .into_iter()
        .filter(|name| variables.get(*name).is_some_and(|v| !v.expose().is_empty()))
        .collect();
    let chosen = env::choose_for(api, &set).map_err(failed)?;
    let value = variables
        .get(chosen.name)
        .map(|v| Zeroizing::new(v.expose().as_bytes().to_vec()))
        .unwrap_or_default();
    Ok((chosen, value))
}

async fn environment<H: HttpClient, C: Clock, R: Random, K>(
    host: &ModuleHost<H, C, R, K>,
    request: EnvironmentRequest,
) -> Result<Vec<u8>, Failed> {
    let api = api_base(&request.api_base)?;
    let (chosen, value) = env_variable(&api, &request.variables)?;
    let policy = policy(request.required_scopes, request.timeout_ms);
    let checked = env::check(host, &api, &chosen, &value, &policy).await;
    Ok(Answer::ok(checked.map_err(failed)?).to_bytes())
}

/// Offline only, and no I/O but the clock: a host may run it synchronously.
fn environment_token<H, C: Clock, R, K>(
    host: &ModuleHost<H, C, R, K>,
    request: EnvironmentTokenRequest,
) -> Result<Vec<u8>, Failed> {
    let api = api_base(&request.api_base)?;
    let (chosen, value) = env_variable(&api, &request.variables)?;
    let now = request
        .now
        .unwrap_or_else(|| host.clock.now_unix_ms().div_euclid(1000));
    let token = env::token(&chosen, &value, now).map_err(failed)?;
    Ok(token_found(&token, Some(chosen.name)))
}

async fn sts<H: HttpClient, C: Clock, R: Random, K>(
    host: &ModuleHost<H, C, R, K>,
    request: StsRequest,
    beside: Option<&[u8]>,
) -> Result<Vec<u8>, Failed> {
    let api = api_base(&request.api_base)?;
    let input = input_bytes(request.input, request.input_base64, beside)?;
    let policy = policy(request.required_scopes, request.timeout_ms);
    let checked = env::check(host, &api, &env::Chosen::sts(), &input, &policy).await;
    Ok(Answer::ok(checked.map_err(failed)?).to_bytes())
}
