//! One function per command: resolve inputs, call core, print. Every rule is core's.

use crate::cli::{AccountArgs, ApiArg, LoginArgs, LogoutArgs, TimeoutArg};
use crate::error::CliError;
use crate::http::ReqwestClient;
use crate::input::read_token_input;
use crate::output;
use crate::store::{Stores, config_dir, keyring};
use crate::sys::{OsRandom, SystemClock};
use choreo_auth_core::env::{self, Chosen, TOKEN_VARIABLES};
use choreo_auth_core::host::{CredentialStore, StoreError};
use choreo_auth_core::login::{self, Host, LoginError, LogoutError, Policy, StatusError};
use choreo_auth_core::report;
use choreo_auth_core::source::{EnvToken, LoginFacts, Storage, StoreKind, TokenSource, plan_login};
use choreo_auth_core::{AccountRef, ApiBase, DEFAULT_API_BASE, Problem, SecretToken, Session};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use tracing::debug;
use zeroize::Zeroizing;

pub const API_ENV: &str = "CHOREO_API";
pub const TIMEOUT_ENV: &str = "CHOREO_TIMEOUT";

type CliHost = Host<ReqwestClient, SystemClock, OsRandom, Stores>;

/// `--api`, else `CHOREO_API`, else the US region; checked by core (https off loopback).
pub(crate) fn resolve_api(arg: &ApiArg) -> Result<ApiBase, CliError> {
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

/// The token variable commands use and its value: the facts are which of `CHOREO_TOKEN`,
/// `WSO2IP_PAT` and `CLOUD_STS_TOKEN` are set and not empty; core chooses.
struct FromEnv {
    chosen: Chosen,
    value: Zeroizing<Vec<u8>>,
}

fn env_token() -> Option<FromEnv> {
    let values: Vec<(&str, Zeroizing<Vec<u8>>)> = TOKEN_VARIABLES
        .into_iter()
        .filter_map(|name| {
            let bytes = Zeroizing::new(std::env::var_os(name)?.into_encoded_bytes());
            (!bytes.is_empty()).then_some((name, bytes))
        })
        .collect();
    let set: Vec<&str> = values.iter().map(|(name, _)| *name).collect();
    let chosen = env::choose(&set)?;
    let value = values.into_iter().find(|(name, _)| *name == chosen.name)?.1;
    debug!(variable = chosen.name, "token from the environment");
    Some(FromEnv { chosen, value })
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

pub async fn login(args: &LoginArgs) -> Result<u8, CliError> {
    if !args.stray.is_empty() || args.with_token.as_deref().is_some_and(|v| !v.is_empty()) {
        return Err(CliError::TokenInArguments);
    }
    if args.with_token.is_none() {
        return Err(CliError::MissingWithToken);
    }
    let api = resolve_api(&args.api)?;
    let policy = policy(&args.timeout)?;
    let dir = config_dir()?;
    let input = read_token_input().map_err(CliError::Input)?;
    let http = ReqwestClient::new(&api);
    let now = SystemClock.now_unix();
    let (credential, mut warnings) =
        login::authenticate(&http, &SystemClock, &OsRandom, &api, &input, &policy)
            .await
            .map_err(CliError::Login)?;
    // Facts for core's rule: how the token variable in use relates to this token, what the
    // user asked for, and whether the keyring answered (assumed until a write says otherwise).
    let env = env_token();
    let env_name = env.as_ref().map_or(env::CHOREO_TOKEN, |e| e.chosen.name);
    if let Some(e) = &env {
        warnings.extend(e.chosen.notes.iter().cloned());
    }
    let mut facts = LoginFacts {
        env: EnvToken::compare(
            &credential.token,
            env_name,
            env.as_ref().map(|e| &e.value[..]),
            now,
        ),
        insecure_storage: args.insecure_storage,
        keyring_reachable: true,
    };
    let mut refused = None;
    let (stored, notes) = loop {
        let plan = plan_login(&facts);
        match plan.storage {
            Storage::In(kind) => match Stores::new(dir.clone(), kind).save(&credential).await {
                Ok(()) => break (Some(kind), plan.notes),
                Err(e @ StoreError::Unavailable { .. })
                    if kind == StoreKind::Keyring && facts.keyring_reachable =>
                {
                    debug!("the keyring is unreachable");
                    facts.keyring_reachable = false;
                    refused = Some(e);
                }
                Err(e) => return Err(CliError::Login(LoginError::Store(e))),
            },
            Storage::Nothing => break (None, plan.notes),
            Storage::FailClosed => {
                // Told before the error: the variable still wins once a store works.
                output::to_stderr(output::problem_lines(&plan.notes));
                let e = refused.unwrap_or(StoreError::Unavailable {
                    message: keyring::WAYS_OUT.to_owned(),
                });
                return Err(CliError::Login(LoginError::Store(e)));
            }
        }
    };
    warnings.extend(notes);
    let session = &credential.session;
    let stores = Stores::new(dir, stored.unwrap_or(StoreKind::Keyring));
    let mut lines = vec![match stored {
        Some(_) => format!(
            "Logged in to {} as user {}",
            session.api_base, session.user_id
        ),
        None => format!(
            "Checked {env_name} with {}: user {}",
            session.api_base, session.user_id
        ),
    }];
    lines.extend(
        output::session_lines(session, now)
            .into_iter()
            .map(|l| format!("  {l}")),
    );
    lines.push(match stored {
        Some(kind) => format!("  stored in: {}", stores.describe(kind)),
        None => "  stored in: nothing".to_owned(),
    });
    lines.extend(output::problem_lines(&warnings));
    if stored == Some(StoreKind::File) {
        lines.push(plaintext_warning(&stores));
    }
    output::to_stderr(lines);
    if args.json {
        print_json(&LoginJson {
            session,
            warnings: &warnings,
            stored: stored.map(StoreKind::as_str),
        })?;
    }
    Ok(0)
}

/// What `login --json` prints on success.
#[derive(Serialize)]
struct LoginJson<'a> {
    session: &'a Session,
    warnings: &'a [Problem],
    /// `keyring`, `file`, or null when nothing was stored (CHOREO_TOKEN serves).
    stored: Option<&'static str>,
}

/// What `logout --json` prints on success: the removed session, or every one with `--all`.
#[derive(Serialize)]
#[serde(untagged)]
enum LogoutJson<'a> {
    One { session: &'a Session },
    All { sessions: Vec<&'a Session> },
}

fn print_json(value: &impl Serialize) -> Result<(), CliError> {
    print_json_lines([serde_json::to_string(value).unwrap_or_default()])
}

/// JSON goes out as is: never styled, whatever the terminal.
fn print_json_lines(lines: impl IntoIterator<Item = String>) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    for line in lines {
        writeln!(stdout, "{line}").map_err(CliError::Output)?;
    }
    Ok(())
}

/// One account as `auth status` shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatusJson {
    api_base: String,
    /// `keyring`, `file` or `env` (a token variable, in memory).
    source: &'static str,
    /// The token variable, when `source` is `env`: `CHOREO_TOKEN`, `WSO2IP_PAT` or
    /// `CLOUD_STS_TOKEN`.
    #[serde(skip_serializing_if = "Option::is_none")]
    variable: Option<&'static str>,
    storage: Option<String>,
    plaintext: bool,
    /// Whether commands on this api base use this account; only when every account is listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    active: Option<bool>,
    checked_online: bool,
    session: Option<Session>,
    masked: Option<String>,
    warnings: Vec<Problem>,
    /// Why this account failed its check, in a listing of every account.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<output::JsonError>,
}

impl StatusJson {
    /// The human lines: a headline, the session, where the token comes from, how it was
    /// checked.
    fn lines(&self, from: &str) -> Vec<String> {
        let mut headline = match (&self.session, self.variable) {
            (Some(s), Some(name)) => {
                format!("Using {name} for {} as user {}", self.api_base, s.user_id)
            }
            (None, Some(name)) => format!(
                "Using {name} for {} (not checked: --offline)",
                self.api_base
            ),
            (Some(s), None) => format!("Logged in to {} as user {}", self.api_base, s.user_id),
            (None, None) => format!("Account on {}", self.api_base),
        };
        if self.active == Some(true) {
            headline.push_str(" (active)");
        }
        let mut lines = vec![headline];
        match &self.session {
            Some(session) => lines.extend(
                output::session_lines(session, SystemClock.now_unix())
                    .into_iter()
                    .map(|l| format!("  {l}")),
            ),
            None => lines.push(format!(
                "  token: {}",
                self.masked.as_deref().unwrap_or("…")
            )),
        }
        lines.push(format!("  token from: {from}"));
        lines.push(match (&self.error, self.checked_online) {
            (Some(e), _) => format!("  checked: failed: {} ({})", e.message, e.code),
            (None, true) => "  checked: online, the api accepts the token".to_owned(),
            (None, false) => "  checked: no (--offline); this is what was stored".to_owned(),
        });
        lines
    }
}

/// What `auth status` prints: stdout lines (human, or one JSON document) and stderr warnings.
#[derive(Default)]
struct Printed {
    out: Vec<String>,
    warn: Vec<String>,
}

impl Printed {
    fn push(&mut self, json: bool, body: &StatusJson, from: &str) {
        if json {
            self.out
                .push(serde_json::to_string(body).unwrap_or_default());
        } else {
            self.out.extend(body.lines(from));
        }
        self.warn.extend(output::problem_lines(&body.warnings));
    }

    fn print(self, json: bool) -> Result<(), CliError> {
        if json {
            print_json_lines(self.out)?;
        } else {
            output::to_stdout(self.out).map_err(CliError::Output)?;
        }
        output::to_stderr(self.warn);
        Ok(())
    }
}

fn env_source(name: &'static str) -> String {
    format!(
        "{} (in memory, nothing stored)",
        TokenSource::Env(name).describe()
    )
}

/// The token variable in use: checked online with its flow (PAT or STS), storing nothing, or
/// only inspected offline.
async fn check_env(
    offline: bool,
    api: &ApiBase,
    env: &FromEnv,
    policy: &Policy,
) -> Result<StatusJson, CliError> {
    let FromEnv { chosen, value } = env;
    let mut body = StatusJson {
        api_base: api.to_string(),
        source: TokenSource::Env(chosen.name).as_str(),
        variable: Some(chosen.name),
        storage: None,
        plaintext: false,
        active: None,
        checked_online: !offline,
        session: None,
        masked: None,
        warnings: Vec::new(),
        error: None,
    };
    if offline {
        let report = env::examine(chosen.flow, value, SystemClock.now_unix()).report;
        if !report.ok {
            return Err(CliError::Login(LoginError::Rejected(Box::new(report))));
        }
        body.masked.clone_from(&report.masked);
        if let Some(kind) = &report.kind {
            body.masked = Some(format!("{} ({kind})", body.masked.unwrap_or_default()));
        }
        body.warnings = chosen.notes.clone();
        body.warnings.extend(report.problems);
        return Ok(body);
    }
    let http = ReqwestClient::new(api);
    let (credential, warnings) =
        env::authenticate(&http, &SystemClock, &OsRandom, api, chosen, value, policy)
            .await
            .map_err(CliError::Login)?;
    body.masked = Some(credential.session.masked.clone());
    body.session = Some(credential.session);
    body.warnings = warnings;
    Ok(body)
}

/// A stored account, re-checked online unless `offline` (core's `status`): its status, where
/// its token comes from, and the check's failure, shown with the stored session.
async fn check_stored(
    stores: &Stores,
    which: AccountRef<'_>,
    offline: bool,
    policy: &Policy,
) -> Result<(StatusJson, String, Option<StatusError>), CliError> {
    let kind = stores.accounts().await?.find(which)?.at.store;
    let api = which.api_base;
    let host = host(api, stores.clone());
    let (session, checked_online, warnings, failure) =
        match login::status(&host, which, policy, !offline).await {
            Ok(report) => (report.session, report.checked_online, report.warnings, None),
            Err(StatusError::Check { session, error }) => {
                let failure = StatusError::Check {
                    session: session.clone(),
                    error,
                };
                (*session, !offline, Vec::new(), Some(failure))
            }
            Err(e) => return Err(CliError::Status(e)),
        };
    let body = StatusJson {
        api_base: api.to_string(),
        source: TokenSource::Stored(kind).as_str(),
        variable: None,
        storage: Some(stores.describe(kind)),
        plaintext: kind == StoreKind::File,
        active: None,
        checked_online,
        masked: Some(session.masked.clone()),
        session: Some(session),
        warnings,
        error: None,
    };
    Ok((body, stores.describe(kind), failure))
}

/// `auth status --api` / `--org`: one account, and its failure is the command's.
async fn status_one(
    json: bool,
    offline: bool,
    api: &ApiBase,
    org: Option<&str>,
    policy: &Policy,
) -> Result<Printed, CliError> {
    let mut printed = Printed::default();
    if let (Some(env), None) = (env_token(), org) {
        let body = check_env(offline, api, &env, policy).await?;
        printed.push(json, &body, &env_source(env.chosen.name));
        return Ok(printed);
    }
    let stores = Stores::new(config_dir()?, StoreKind::Keyring);
    let which = AccountRef { api_base: api, org };
    let (body, from, failure) = check_stored(&stores, which, offline, policy).await?;
    if let Some(failure) = failure {
        return Err(CliError::Status(failure));
    }
    printed.push(json, &body, &from);
    if body.plaintext {
        printed.warn.push(plaintext_warning(&stores));
    }
    Ok(printed)
}

/// `auth status`: every account on every api base, the token variable's first; the exit status
/// is the first failing account's.
async fn status_all(
    json: bool,
    offline: bool,
    api: &ApiBase,
    policy: &Policy,
) -> Result<(Printed, u8), CliError> {
    let mut bodies: Vec<(StatusJson, String)> = Vec::new();
    let env = env_token();
    if let Some(env) = &env {
        let mut body = check_env(offline, api, env, policy).await?;
        body.active = Some(true);
        bodies.push((body, env_source(env.chosen.name)));
    }
    let stores = Stores::new(config_dir()?, StoreKind::Keyring);
    let accounts = stores.accounts().await?;
    if accounts.index.is_empty() && accounts.unread.is_empty() && env.is_none() {
        return Err(CliError::NoAccounts);
    }
    let mut status = 0;
    let mut plaintext = false;
    for listed in accounts.index.iter() {
        let Ok(base) = ApiBase::parse(listed.api_base) else {
            continue;
        };
        let which = AccountRef {
            api_base: &base,
            org: Some(&listed.account.org_uuid),
        };
        let (mut body, from, failure) = check_stored(&stores, which, offline, policy).await?;
        // While a token variable is set, commands on its api base use it, not the stored account.
        body.active = Some(listed.active && !(env.is_some() && base == *api));
        if let Some(failure) = failure {
            let failure = CliError::Status(failure);
            if status == 0 {
                status = failure.exit_code();
            }
            body.error = Some(output::JsonError::of(&failure));
        }
        plaintext |= body.plaintext;
        bodies.push((body, from));
    }
    let mut printed = Printed::default();
    for (base, e) in &accounts.unread {
        printed.warn.push(format!(
            "error: the account stored for {base} is unreadable: {e} ({})",
            e.code()
        ));
        if status == 0 {
            status = e.code().exit_status();
        }
    }
    if json {
        let list: Vec<&StatusJson> = bodies.iter().map(|(b, _)| b).collect();
        printed
            .out
            .push(serde_json::to_string(&list).unwrap_or_default());
        for (body, _) in &bodies {
            printed.warn.extend(output::problem_lines(&body.warnings));
        }
    } else {
        for (i, (body, from)) in bodies.iter().enumerate() {
            if i > 0 {
                printed.out.push(String::new());
            }
            printed.push(false, body, from);
        }
    }
    if plaintext {
        printed.warn.push(plaintext_warning(&stores));
    }
    Ok((printed, status))
}

pub async fn status(
    json: bool,
    offline: bool,
    args: &AccountArgs,
    timeout: &TimeoutArg,
) -> Result<u8, CliError> {
    let api = resolve_api(&args.api)?;
    let policy = policy(timeout)?;
    if args.api.api.is_some() || args.org.is_some() {
        status_one(json, offline, &api, args.org.as_deref(), &policy)
            .await?
            .print(json)?;
        return Ok(0);
    }
    let (printed, status) = status_all(json, offline, &api, &policy).await?;
    printed.print(json)?;
    Ok(status)
}

pub async fn switch(args: &AccountArgs) -> Result<u8, CliError> {
    let api = resolve_api(&args.api)?;
    let stores = Stores::new(config_dir()?, StoreKind::Keyring);
    let switched = stores
        .switch(&api, args.org.as_deref())
        .await?
        .map_err(CliError::Account)?;
    let mut lines = vec![if switched.changed {
        format!(
            "Switched the active account of {api} to organization {}",
            switched.to.org
        )
    } else {
        format!(
            "Organization {} stays the active account of {api}",
            switched.to.org
        )
    }];
    if let Some(env) = env_token() {
        lines.push(format!(
            "note: {} is set, and commands use it first while it is set",
            env.chosen.name
        ));
    }
    output::to_stderr(lines);
    Ok(0)
}

pub async fn token(args: &AccountArgs) -> Result<u8, CliError> {
    let api = resolve_api(&args.api)?;
    let token: SecretToken = match (env_token(), &args.org) {
        (Some(env), None) => {
            output::to_stderr(output::problem_lines(&env.chosen.notes));
            env::token(&env.chosen, &env.value, SystemClock.now_unix()).map_err(CliError::Login)?
        }
        (_, org) => {
            let stores = Stores::new(config_dir()?, StoreKind::Keyring);
            let which = AccountRef {
                api_base: &api,
                org: org.as_deref(),
            };
            stores.accounts().await?.find(which)?;
            let stored = login::stored(&stores, which).await;
            stored.map_err(CliError::Status)?.token
        }
    };
    let stdout = std::io::stdout();
    if stdout.is_terminal() {
        output::to_stderr([
            "warning: printing the token to a terminal; it stays in the scrollback".to_owned(),
        ]);
    }
    let line = Zeroizing::new(format!("{}\n", token.expose()));
    write_stdout(line.as_bytes())?;
    Ok(0)
}

pub async fn logout(args: &LogoutArgs) -> Result<u8, CliError> {
    let api = resolve_api(&args.account.api)?;
    let org = args.account.org.as_deref();
    let stores = Stores::new(config_dir()?, StoreKind::Keyring);
    let accounts = stores.accounts().await?;
    let kind_of = |session: &Session| {
        accounts
            .index
            .get(&api, &session.organization.uuid)
            .map_or(StoreKind::Keyring, |a| a.at.store)
    };
    let removed: Vec<(Session, StoreKind)> = if args.all {
        let removed = stores.delete_all(&api).await?;
        removed
            .into_iter()
            .map(|c| {
                let kind = kind_of(&c.session);
                (c.session, kind)
            })
            .collect()
    } else {
        let which = AccountRef {
            api_base: &api,
            org,
        };
        let session = login::logout(&stores, which)
            .await
            .map_err(CliError::Logout)?;
        let kind = kind_of(&session);
        vec![(session, kind)]
    };
    if removed.is_empty() {
        return Err(CliError::Logout(LogoutError::NotLoggedIn {
            api_base: api.to_string(),
            org: None,
        }));
    }
    let mut lines: Vec<String> = removed
        .iter()
        .map(|(session, kind)| {
            format!(
                "Logged out of {api}: removed the token {} of user {} ({}) from the {}",
                session.masked,
                session.user_id,
                session.organization.handle,
                stores.describe(*kind)
            )
        })
        .collect();
    if let Ok(active) = stores
        .accounts()
        .await?
        .index
        .find(AccountRef::active(&api))
    {
        lines.push(format!(
            "The active account of {api} is now organization {}",
            active.org
        ));
    }
    if let Some(env) = env_token() {
        lines.push(format!(
            "note: {} is still set and commands keep using it",
            env.chosen.name
        ));
    }
    output::to_stderr(lines);
    if args.json {
        let sessions: Vec<&Session> = removed.iter().map(|(s, _)| s).collect();
        print_json(&if args.all {
            LogoutJson::All { sessions }
        } else {
            LogoutJson::One {
                session: sessions[0],
            }
        })?;
    }
    Ok(0)
}

pub fn inspect(json: bool) -> Result<u8, CliError> {
    let input = read_token_input().map_err(CliError::Input)?;
    let report = report::inspect(&input, SystemClock.now_unix());
    if json {
        // Exactly core's inspect_json: the cross-host contract.
        print_json_lines([report::to_json(&report)])?;
    } else {
        output::to_stdout(output::report_lines(&report)).map_err(CliError::Output)?;
    }
    Ok(report.first_error().map_or(0, |p| p.code.exit_status()))
}
