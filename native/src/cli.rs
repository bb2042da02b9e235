//! The command line, as clap derive types. Parsing only: behaviour lives in `commands`.

use clap::{Args, Parser, Subcommand};
use clap_complete::Shell;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "choreo",
    // The package version and, in a git build, the commit (build.rs).
    version = env!("CHOREO_VERSION"),
    about = "Log in to Choreo with a personal access token",
    after_help = "Environment:\n  CHOREO_API         api base url (default https://apis.choreo.dev)\n  CHOREO_TOKEN       personal access token commands use first, in memory (never stored by itself)\n  WSO2IP_PAT         personal access token, used next (never stored)\n  CLOUD_STS_TOKEN    Choreo STS access token, used last (never stored)\n  CHOREO_CONFIG_DIR  configuration and --insecure-storage directory\n  CHOREO_TIMEOUT     seconds the whole exchange with the api may take (default 30)\n\nToken variables come before stored accounts, in the order CHOREO_TOKEN, WSO2IP_PAT,\nCLOUD_STS_TOKEN; when several are set, a notice names the one used.\n\nExamples:\n  echo \"$CHOREO_TOKEN\" | choreo login --with-token\n  choreo auth status\n  choreo auth switch --org acme"
)]
pub struct Cli {
    /// Log what happens to stderr (never token material).
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in with a personal access token read from stdin.
    #[command(
        after_help = "Examples:\n  echo \"$CHOREO_TOKEN\" | choreo login --with-token\n  choreo login --with-token --insecure-storage < token.txt\n  choreo login --with-token --api https://apis.choreo.dev --json < token.txt"
    )]
    Login(LoginArgs),
    /// Show, switch between or print the stored accounts.
    #[command(
        subcommand,
        after_help = "Examples:\n  choreo auth status\n  choreo auth switch --org acme\n  choreo auth token --org acme"
    )]
    Auth(AuthCommand),
    /// Remove a stored account (the active one of the api base, unless --org or --all).
    #[command(
        after_help = "Examples:\n  choreo logout\n  choreo logout --org acme\n  choreo logout --all --api https://apis.choreo.dev --json"
    )]
    Logout(LogoutArgs),
    /// Offline checks of a token.
    #[command(
        subcommand,
        after_help = "Examples:\n  choreo token inspect < token.txt"
    )]
    Token(TokenCommand),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  choreo completions bash > ~/.local/share/bash-completion/completions/choreo\n  choreo completions zsh > \"${fpath[1]}/_choreo\""
    )]
    Completions {
        /// The shell to print the script for.
        #[arg(value_enum)]
        shell: Shell,
    },
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Read the token from stdin (the only way a token is accepted).
    ///
    /// A value given here is refused: stdin keeps tokens out of shell history and `ps`.
    #[arg(long, num_args = 0..=1, default_missing_value = "", hide_default_value = true)]
    pub with_token: Option<String>,
    /// Keep the token in a plaintext file in CHOREO_CONFIG_DIR instead of the OS keyring.
    #[arg(long)]
    pub insecure_storage: bool,
    /// Print the outcome as JSON to stdout: the session, or the error object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub api: ApiArg,
    #[command(flatten)]
    pub timeout: TimeoutArg,
    /// Tokens given as arguments are refused, never used.
    #[arg(hide = true, trailing_var_arg = true, allow_hyphen_values = true)]
    pub stray: Vec<String>,
}

#[derive(Debug, Args)]
// The doc comment is clap's help text, where a bare URL reads best.
#[allow(rustdoc::bare_urls)]
pub struct ApiArg {
    /// Choreo api base url [env: CHOREO_API] [default: https://apis.choreo.dev].
    #[arg(long, value_name = "URL")]
    pub api: Option<String>,
}

/// Which account: an organization on an api base.
#[derive(Debug, Args)]
pub struct AccountArgs {
    #[command(flatten)]
    pub api: ApiArg,
    /// Organization handle [default: the active account of the api base].
    #[arg(long, value_name = "HANDLE")]
    pub org: Option<String>,
}

#[derive(Debug, Args)]
pub struct LogoutArgs {
    #[command(flatten)]
    pub account: AccountArgs,
    /// Remove every account of the api base.
    #[arg(long, conflicts_with = "org")]
    pub all: bool,
    /// Print the outcome as JSON to stdout: the removed session(s), or the error object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TimeoutArg {
    /// Seconds the whole exchange with the api may take, every request and answer [env:
    /// CHOREO_TIMEOUT] [default: 30].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub timeout: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Show who is logged in, where each token comes from and whether it still works.
    ///
    /// With neither --api nor --org: every account on every api base, the active one of each
    /// marked. With either: that one account.
    #[command(
        after_help = "Examples:\n  choreo auth status\n  choreo auth status --org acme --json\n  choreo auth status --offline"
    )]
    Status {
        /// Print JSON to stdout (a list when every account is shown).
        #[arg(long)]
        json: bool,
        /// Do not ask the api; report what was stored.
        #[arg(long)]
        offline: bool,
        #[command(flatten)]
        account: AccountArgs,
        #[command(flatten)]
        timeout: TimeoutArg,
    },
    /// Make another organization's account the active one of its api base.
    ///
    /// Without --org it toggles when the api base has exactly two accounts.
    #[command(after_help = "Examples:\n  choreo auth switch\n  choreo auth switch --org acme")]
    Switch {
        #[command(flatten)]
        account: AccountArgs,
    },
    /// Print the token (stored, or the token variable in use unless --org) to stdout, for scripts.
    #[command(
        after_help = "Examples:\n  curl -H \"Authorization: Bearer $(choreo auth token)\" https://apis.choreo.dev/orgs/1.0.0/orgs\n  choreo auth token --org acme"
    )]
    Token {
        #[command(flatten)]
        account: AccountArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Report what the token on stdin is and what is wrong with it, offline.
    #[command(
        after_help = "Examples:\n  choreo token inspect < token.txt\n  printf %s \"$CHOREO_TOKEN\" | choreo token inspect --json"
    )]
    Inspect {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Find leaked tokens in files, stdin, git history or staged changes.
    Scan(ScanArgs),
}

const SCAN_AFTER_HELP: &str = "\
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
path that does not exist. An unreadable file is a warning and the scan goes on.

Examples:
  choreo token scan
  choreo token scan --staged
  choreo token scan --git --sarif > findings.sarif
  git diff | choreo token scan -";

/// `choreo token scan`'s arguments.
#[derive(Debug, Args)]
#[command(after_long_help = SCAN_AFTER_HELP)]
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_token_given_to_with_token_is_captured_so_it_can_be_refused() {
        let cli = Cli::try_parse_from(["choreo", "login", "--with-token", "chp_x"]).unwrap();
        let Command::Login(args) = cli.command else {
            panic!("not login")
        };
        assert_eq!(args.with_token.as_deref(), Some("chp_x"));
    }

    #[test]
    fn a_positional_token_is_captured_so_it_can_be_refused() {
        let cli = Cli::try_parse_from(["choreo", "login", "chp_x", "--with-token"]).unwrap();
        let Command::Login(args) = cli.command else {
            panic!("not login")
        };
        assert_eq!(args.stray, ["chp_x", "--with-token"]);
    }
}
