//! The command line, as clap derive types. Parsing only: behaviour lives in `commands`.

use clap::{Args, Parser, Subcommand};
use clap_complete::Shell;

#[derive(Debug, Parser)]
#[command(
    name = "choreo",
    version,
    about = "Log in to Choreo with a personal access token",
    after_help = "Environment:\n  CHOREO_API         api base url (default https://apis.choreo.dev)\n  CHOREO_TOKEN       token used in memory by `auth status` and `auth token`\n  CHOREO_CONFIG_DIR  configuration and --insecure-storage directory\n  CHOREO_TIMEOUT     seconds the whole exchange with the api may take (default 30)"
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
    Login(LoginArgs),
    /// Inspect or print the stored login.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Remove the stored token for an api base.
    Logout(ApiArg),
    /// Offline checks of a token.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Print a shell completion script.
    Completions {
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

#[derive(Debug, Args)]
pub struct TimeoutArg {
    /// Seconds the whole exchange with the api may take, every request and answer [env:
    /// CHOREO_TIMEOUT] [default: 30].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub timeout: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Show who is logged in, where the token is kept and whether it still works.
    Status {
        /// Print JSON to stdout.
        #[arg(long)]
        json: bool,
        /// Do not ask the api; report what was stored.
        #[arg(long)]
        offline: bool,
        #[command(flatten)]
        api: ApiArg,
        #[command(flatten)]
        timeout: TimeoutArg,
    },
    /// Print the token (stored, or CHOREO_TOKEN) to stdout, for scripts.
    Token {
        #[command(flatten)]
        api: ApiArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Report what the token on stdin is and what is wrong with it, offline.
    Inspect {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
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
