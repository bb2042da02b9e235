//! One function per command: resolve inputs, call core, print. Every rule is core's.

use crate::cli::{ApiArg, LoginArgs, TimeoutArg};
use crate::error::{CliError, EXIT_USAGE};
use crate::http::ReqwestClient;
use crate::input::read_token_input;
use crate::output;
use crate::store::{StoreKind, Stores, config_dir};
use crate::sys::{OsRandom, SystemClock};
use choreo_auth_core::formats::FormatRules;
use choreo_auth_core::host::CredentialStore;
use choreo_auth_core::login::{self, Host, Policy};
use choreo_auth_core::report::{self, examine};
use choreo_auth_core::{ApiBase, DEFAULT_API_BASE, Problem, SecretToken, Session};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use tracing::debug;
use zeroize::Zeroizing;

pub const API_ENV: &str = "CHOREO_API";
pub const TOKEN_ENV: &str = "CHOREO_TOKEN";
pub const TIMEOUT_ENV: &str = "CHOREO_TIMEOUT";

type CliHost = Host<ReqwestClient, SystemClock, OsRandom, Stores>;

/// `--api`, else `CHOREO_API`, else the US region; checked by core (https off loopback).
fn resolve_api(arg: &ApiArg) -> Result<ApiBase, CliError> {
    let from_env = std::env::var(API_ENV).ok().filter(|v| !v.is_empty());
    let text = arg
        .api
        .clone()
        .or(from_env)
        .unwrap_or_else(|| DEFAULT_API_BASE.to_owned());
    let api = ApiBase::parse(&text)?;
    debug!(api = %api, "api base");
    Ok(api)
}

/// The policy of a command that asks the api: `--timeout`, else `CHOREO_TIMEOUT` (whole
/// seconds, 1 to 3600), else core's default. Core holds every request to it.
fn policy(arg: &TimeoutArg) -> Result<Policy, CliError> {
    let seconds = match (arg.timeout, std::env::var(TIMEOUT_ENV).ok()) {
        (Some(s), _) => Some(s),
        (None, Some(v)) if !v.is_empty() => Some(
            v.trim()
                .parse::<u32>()
                .ok()
                .filter(|s| (1..=3600).contains(s))
                .ok_or(CliError::InvalidTimeout)?,
        ),
        (None, _) => None,
    };
    Ok(Policy {
        timeout_ms: seconds.map(|s| s * 1000),
        ..Policy::default()
    })
}

/// Writes `bytes` to stdout; a failed write (a closed pipe, a full disk) is an error, exit 1.
pub fn write_stdout(bytes: &[u8]) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(CliError::Output)
}

/// `CHOREO_TOKEN`, if set and not empty (as gh treats `GH_TOKEN`).
fn env_token() -> Option<Zeroizing<Vec<u8>>> {
    let value = std::env::var_os(TOKEN_ENV)?;
    let bytes = Zeroizing::new(value.into_encoded_bytes());
    (!bytes.is_empty()).then_some(bytes)
}

fn host(api: &ApiBase, store: Stores) -> CliHost {
    Host {
        http: ReqwestClient::new(api),
        clock: SystemClock,
        random: OsRandom,
        store,
    }
}

fn plaintext_warning(stores: &Stores) -> String {
    format!(
        "warning: the token is kept unencrypted in {}; anyone who can read that file can use \
         it (log in again without --insecure-storage to move it to the os keyring)",
        stores.file_path().display()
    )
}

/// Lines, each ending in a newline.
fn lines(lines: &[String]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

fn stderr_lines(lines: impl IntoIterator<Item = String>) {
    let mut err = std::io::stderr().lock();
    for line in lines {
        let _ = writeln!(err, "{line}");
    }
}

pub async fn login(args: &LoginArgs) -> Result<u8, CliError> {
    if !args.stray.is_empty() || args.with_token.as_deref().is_some_and(|v| !v.is_empty()) {
        return Err(CliError::TokenInArguments);
    }
    if args.with_token.is_none() {
        return Err(CliError::MissingWithToken);
    }
    if env_token().is_some() {
        return Err(CliError::EnvTokenSet);
    }
    let api = resolve_api(&args.api)?;
    let policy = policy(&args.timeout)?;
    let kind = if args.insecure_storage {
        StoreKind::File
    } else {
        StoreKind::Keyring
    };
    let stores = Stores::new(config_dir()?, kind);
    let input = read_token_input().map_err(CliError::Input)?;
    let host = host(&api, stores);
    let outcome = login::login(&host, &api, &input, &policy)
        .await
        .map_err(CliError::Login)?;
    let session = &outcome.session;
    let mut lines = vec![format!(
        "Logged in to {} as user {}",
        session.api_base, session.user_id
    )];
    let now = SystemClock.now_unix();
    lines.extend(
        output::session_lines(session, now)
            .into_iter()
            .map(|l| format!("  {l}")),
    );
    lines.push(format!("  stored in: {}", host.store.describe(kind)));
    lines.extend(output::problem_lines(&outcome.warnings));
    if kind == StoreKind::File {
        lines.push(plaintext_warning(&host.store));
    }
    stderr_lines(lines);
    Ok(0)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusJson<'a> {
    api_base: &'a str,
    /// `keyring`, `file` or `env` (CHOREO_TOKEN, in memory).
    source: &'a str,
    storage: Option<String>,
    plaintext: bool,
    checked_online: bool,
    session: Option<&'a Session>,
    masked: Option<&'a str>,
    warnings: &'a [Problem],
}

/// What `auth status` prints: stdout lines (human or one JSON line) and stderr warnings.
#[derive(Default)]
struct Printed {
    out: Vec<String>,
    warn: Vec<String>,
}

impl Printed {
    /// The JSON body, or the human lines for a checked session.
    fn session(&mut self, json: bool, body: &StatusJson<'_>, headline: String, source: String) {
        if json {
            self.out
                .push(serde_json::to_string(body).unwrap_or_default());
        } else if let Some(session) = body.session {
            self.out.push(headline);
            self.out.extend(
                output::session_lines(session, SystemClock.now_unix())
                    .into_iter()
                    .map(|l| format!("  {l}")),
            );
            self.out.push(format!("  {source}"));
            self.out.push(if body.checked_online {
                "  checked: online, the api accepts the token".to_owned()
            } else {
                "  checked: no (--offline); this is what was stored".to_owned()
            });
        }
        self.warn.extend(output::problem_lines(body.warnings));
    }
}

const ENV_SOURCE: &str = "token from: CHOREO_TOKEN (in memory, nothing stored)";

/// With CHOREO_TOKEN: checked online like a login that stores nothing, or only inspected.
async fn status_from_env(
    json: bool,
    offline: bool,
    api: &ApiBase,
    input: &[u8],
    policy: &Policy,
) -> Result<Printed, CliError> {
    let mut printed = Printed::default();
    if offline {
        let report = report::inspect(input, SystemClock.now_unix());
        if !report.ok {
            return Err(CliError::Rejected(Box::new(report)));
        }
        let masked = report.masked.as_deref();
        if json {
            let body = StatusJson {
                api_base: api.as_str(),
                source: "env",
                storage: None,
                plaintext: false,
                checked_online: false,
                session: None,
                masked,
                warnings: &report.problems,
            };
            printed
                .out
                .push(serde_json::to_string(&body).unwrap_or_default());
        } else {
            printed.out.extend([
                format!("Using CHOREO_TOKEN for {api} (not checked: --offline)"),
                format!(
                    "  token: {} ({})",
                    masked.unwrap_or("…"),
                    report.kind.as_deref().unwrap_or("-")
                ),
                format!("  {ENV_SOURCE}"),
            ]);
        }
        printed.warn.extend(output::problem_lines(&report.problems));
        return Ok(printed);
    }
    let http = ReqwestClient::new(api);
    let (credential, warnings) =
        login::authenticate(&http, &SystemClock, &OsRandom, api, input, policy)
            .await
            .map_err(CliError::Login)?;
    let session = &credential.session;
    let body = StatusJson {
        api_base: api.as_str(),
        source: "env",
        storage: None,
        plaintext: false,
        checked_online: true,
        session: Some(session),
        masked: Some(&session.masked),
        warnings: &warnings,
    };
    let headline = format!("Using CHOREO_TOKEN for {api} as user {}", session.user_id);
    printed.session(json, &body, headline, ENV_SOURCE.to_owned());
    Ok(printed)
}

/// The stored credential, re-checked online unless `offline` (core's `status`).
async fn status_from_store(
    json: bool,
    offline: bool,
    api: &ApiBase,
    policy: &Policy,
) -> Result<Printed, CliError> {
    let stores = Stores::new(config_dir()?, StoreKind::Keyring);
    let kind = stores.kind_for(api)?.unwrap_or(StoreKind::Keyring);
    let host = host(api, stores);
    let report = login::status(&host, api, policy, !offline)
        .await
        .map_err(CliError::Status)?;
    let session = &report.session;
    let body = StatusJson {
        api_base: api.as_str(),
        source: kind.as_str(),
        storage: Some(host.store.describe(kind)),
        plaintext: kind == StoreKind::File,
        checked_online: report.checked_online,
        session: Some(session),
        masked: Some(&session.masked),
        warnings: &report.warnings,
    };
    let mut printed = Printed::default();
    let headline = format!("Logged in to {api} as user {}", session.user_id);
    let source = format!("stored in: {}", host.store.describe(kind));
    printed.session(json, &body, headline, source);
    if kind == StoreKind::File {
        printed.warn.push(plaintext_warning(&host.store));
    }
    Ok(printed)
}

pub async fn status(
    json: bool,
    offline: bool,
    api_arg: &ApiArg,
    timeout: &TimeoutArg,
) -> Result<u8, CliError> {
    let api = resolve_api(api_arg)?;
    let policy = policy(timeout)?;
    let printed = match env_token() {
        Some(input) => status_from_env(json, offline, &api, &input, &policy).await?,
        None => status_from_store(json, offline, &api, &policy).await?,
    };
    write_stdout(lines(&printed.out).as_bytes())?;
    stderr_lines(printed.warn);
    Ok(0)
}

pub async fn token(api_arg: &ApiArg) -> Result<u8, CliError> {
    let api = resolve_api(api_arg)?;
    let token: SecretToken = if let Some(input) = env_token() {
        let inspection = examine(&input, FormatRules::builtin(), SystemClock.now_unix());
        inspection
            .token
            .ok_or_else(|| CliError::Rejected(Box::new(inspection.report)))?
    } else {
        let stores = Stores::new(config_dir()?, StoreKind::Keyring);
        stores
            .load(&api)
            .await?
            .ok_or_else(|| CliError::NotLoggedIn {
                api_base: api.to_string(),
            })?
            .token
    };
    let stdout = std::io::stdout();
    if stdout.is_terminal() {
        stderr_lines([
            "warning: printing the token to a terminal; it stays in the scrollback".to_owned(),
        ]);
    }
    let line = Zeroizing::new(format!("{}\n", token.expose()));
    write_stdout(line.as_bytes())?;
    Ok(0)
}

pub async fn logout(api_arg: &ApiArg) -> Result<u8, CliError> {
    let api = resolve_api(api_arg)?;
    let stores = Stores::new(config_dir()?, StoreKind::Keyring);
    let kind = stores.kind_for(&api)?.unwrap_or(StoreKind::Keyring);
    let session = login::logout(&stores, &api)
        .await
        .map_err(CliError::Logout)?;
    let mut lines = vec![format!(
        "Logged out of {api}: removed the token {} of user {} ({}) from the {}",
        session.masked,
        session.user_id,
        session.organization.handle,
        stores.describe(kind)
    )];
    if env_token().is_some() {
        lines.push("note: CHOREO_TOKEN is still set and commands keep using it".to_owned());
    }
    stderr_lines(lines);
    Ok(0)
}

pub fn inspect(json: bool) -> Result<u8, CliError> {
    let input = read_token_input().map_err(CliError::Input)?;
    let report = report::inspect(&input, SystemClock.now_unix());
    if json {
        // Exactly core's inspect_json: the cross-host contract.
        write_stdout(format!("{}\n", report::to_json(&report)).as_bytes())?;
    } else {
        write_stdout(lines(&output::report_lines(&report)).as_bytes())?;
    }
    Ok(if report.first_error().is_some() {
        EXIT_USAGE
    } else {
        0
    })
}
