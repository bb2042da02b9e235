//! `choreo token scan`: finds leaked tokens in files, stdin, git history or the staged
//! changes. Core's `finder` decides what a token is; this module only brings bytes (walking,
//! reading in chunks, git objects), asks the api about found Choreo PATs (`--verify`) and
//! prints.

mod files;
mod git;
mod report;
mod utf16;

use crate::cli::{ApiArg, Cli};
use crate::commands::resolve_api;
use crate::error::CliError;
use crate::http::ReqwestClient;
use crate::sys::SystemClock;
use choreo_auth_core::Code;
use choreo_auth_core::finder::{self, Finding, Verified};
use clap::{Args, CommandFactory};
use std::fmt;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// Exit status when anything is found.
pub const EXIT_FOUND: u8 = 1;

const AFTER_HELP: &str = "\
What is found: tokens whose format says what they are — Choreo PATs of the chp_ format
(checksummed), GitHub classic (ghp_ gho_ ghu_ ghs_ ghr_, checksummed) and fine-grained
(github_pat_), npm (npm_, checksummed), GitLab (glpat-), Slack (xox…-), Stripe (sk_live_
rk_live_ sk_test_) and AWS access key ids (AKIA ASIA). A checksummed token is reported only
when its checksum holds; --all adds the near misses, marked checksum invalid. A token counts
only when it stands alone, not inside a longer word or base64 string.

Opaque tokens cannot be scanned for: a Choreo PAT without the chp_ prefix (the format of
real Choreo PATs is not published) looks like any other word.

Output: `path:line:column kind masked` per token (never a token in full), a summary on
stderr. Exit status: 1 when anything is found, 0 when nothing is, 2 on a usage error or a
path that does not exist. An unreadable file is a warning and the scan goes on.";

#[derive(Debug, Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct ScanArgs {
    /// Files or directories to scan (default: the current directory); `-` reads stdin. With
    /// --git or --staged: the repository (default: the current directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Scan every blob reachable from the repository's refs, each once, instead of files.
    #[arg(long, conflicts_with = "staged")]
    pub git: bool,
    /// Scan what the next commit adds: the index's blobs that differ from HEAD.
    #[arg(long)]
    pub staged: bool,
    /// Print one JSON document.
    #[arg(long, conflicts_with = "sarif")]
    pub json: bool,
    /// Print SARIF 2.1.0, for code-scanning upload.
    #[arg(long)]
    pub sarif: bool,
    /// Also report checksummed tokens whose checksum fails (near misses).
    #[arg(long)]
    pub all: bool,
    /// Ask the api whether each Choreo PAT found is still active (only Choreo PATs are sent;
    /// at most 20, one request every 200 ms).
    #[arg(long)]
    pub verify: bool,
    #[command(flatten)]
    pub api: ApiArg,
}

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
    pub fn code(&self) -> &'static str {
        match self {
            ScanError::NotARepository { .. } => Code::NotAGitRepository.as_str(),
            ScanError::Git { .. } => Code::GitUnreadable.as_str(),
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            ScanError::NotARepository { .. } => crate::error::EXIT_USAGE,
            ScanError::Git { .. } => crate::error::EXIT_FAILED,
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
        report::terminal_safe(&message)
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
