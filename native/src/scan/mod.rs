//! `choreo token scan`: finds leaked tokens in files, stdin, git history or the staged
//! changes. Core's `finder` decides what a token is; this module only brings bytes (walking,
//! reading in chunks, git objects), asks the api about found Choreo PATs (`--verify`) and
//! prints.

mod files;
mod git;
mod report;
mod utf16;

use crate::cli::Cli;
pub use crate::cli::ScanArgs;
use crate::commands::resolve_api;
use crate::error::CliError;
use crate::http::ReqwestClient;
use crate::sys::SystemClock;
use choreo_auth_core::Code;
use choreo_auth_core::finder::{self, Finding, Verified};
use clap::CommandFactory;
use std::fmt;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// Exit status when anything is found.
pub const EXIT_FOUND: u8 = 1;

/// One token found, and where.
#[derive(Debug)]
pub struct Found {
    /// As given or walked (`<stdin>` for stdin); in git, the path in the tree.
    pub path: String,
    /// The commit that first has the blob (`--git`).
    pub commit: Option<String>,
    pub finding: Finding,
    pub verified: Option<Verified>,
}

/// What a scan covered.
#[derive(Debug, Default)]
pub struct Totals {
    pub files: u64,
    pub bytes: u64,
    /// An explicit path did not exist.
    pub missing_path: bool,
}

/// Why a scan could not run at all.
#[derive(Debug)]
pub enum ScanError {
    NotARepository { path: PathBuf, reason: String },
    Git { what: &'static str, reason: String },
}

impl ScanError {
    pub fn code(&self) -> Code {
        match self {
            ScanError::NotARepository { .. } => Code::NotAGitRepository,
            ScanError::Git { .. } => Code::GitUnreadable,
        }
    }
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScanError::NotARepository { path, reason } => write!(
                f,
                "{} is not in a git repository ({reason}); give the repository's path, or \
                 scan files without --git and --staged",
                path.display()
            ),
            ScanError::Git { what, reason } => write!(
                f,
                "could not read {what} from the repository: {reason}; check it with `git fsck`"
            ),
        }
    }
}

impl std::error::Error for ScanError {}

/// A warning on stderr; the scan goes on.
fn warn(message: fmt::Arguments<'_>) {
    let message = message.to_string();
    let _ = writeln!(
        std::io::stderr().lock(),
        "choreo: warning: {}",
        // A path may be a token pasted in the wrong place: never echo it.
        crate::output::redact_arguments(&report::terminal_safe(&message))
    );
}

pub async fn run(args: &ScanArgs) -> Result<u8, CliError> {
    if (args.git || args.staged) && args.paths.len() > 1 {
        Cli::command()
            .error(
                clap::error::ErrorKind::TooManyValues,
                "--git and --staged scan one repository: give at most one PATH",
            )
            .exit();
    }
    // A bad api base is a usage error before any work.
    let api = args.verify.then(|| resolve_api(&args.api)).transpose()?;
    let near_misses = args.all;
    let (mut found, totals) = if args.git || args.staged {
        let repo = args.paths.first().cloned().unwrap_or_else(|| ".".into());
        let scan = if args.git {
            git::history(&repo, near_misses)
        } else {
            git::staged(&repo, near_misses)
        };
        scan.map_err(CliError::Scan)?
    } else {
        files::scan(&args.paths, near_misses)
    };
    found.sort_by(|a, b| {
        (&a.path, &a.commit, a.finding.offset).cmp(&(&b.path, &b.commit, b.finding.offset))
    });
    if let Some(api) = &api {
        verify(api, &mut found).await;
    }
    report::print(args, &found, &totals).map_err(CliError::Output)?;
    Ok(if !found.is_empty() {
        EXIT_FOUND
    } else if totals.missing_path {
        crate::error::EXIT_USAGE
    } else {
        0
    })
}

/// Introspects each found Choreo PAT once (core picks which, and how many), one request every
/// `VERIFY_INTERVAL_MS`; every other finding is never sent and keeps no verdict.
async fn verify(api: &choreo_auth_core::ApiBase, found: &mut [Found]) {
    let http = ReqwestClient::new(api);
    let tokens = finder::tokens_to_verify(found.iter().map(|f| &f.finding));
    let mut verdicts = Vec::with_capacity(tokens.len());
    for (i, token) in tokens.into_iter().enumerate() {
        if i > 0 {
            tokio::time::sleep(Duration::from_millis(finder::VERIFY_INTERVAL_MS)).await;
        }
        let verdict = finder::verify(&http, api, token, SystemClock.now_unix()).await;
        verdicts.push((token.clone(), verdict));
    }
    let mut unasked = false;
    for f in found.iter_mut() {
        if let Some(token) = &f.finding.token {
            let verdict = verdicts.iter().find(|(t, _)| t == token).map(|(_, v)| *v);
            unasked |= verdict.is_none();
            f.verified = Some(verdict.unwrap_or(Verified::Unknown));
        }
    }
    if unasked {
        warn(format_args!(
            "verified the first {} choreo tokens only; the others are marked unknown",
            finder::VERIFY_MAX
        ));
    }
}
