//! `choreo`: log in to Choreo with a personal access token read from stdin.
//!
//! A thin host around `choreo_auth_core`: it parses the command line, brings the I/O (reqwest,
//! OS keyring, files, clock, randomness) and prints. Every token rule lives in core.

mod cli;
mod commands;
mod error;
mod http;
mod input;
mod output;
mod scan;
mod store;
mod sys;

use clap::{CommandFactory, Parser};
use cli::{AuthCommand, Cli, Command, LoginArgs, LogoutArgs, TokenCommand};
use error::{CliError, EXIT_FAILED, EXIT_USAGE};
use std::io::Write;
use std::process::ExitCode;

fn init_tracing() {
    use tracing::Level;
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::layer::SubscriberExt;
    // Only this crate and reqwest's connection events: lower layers could log header bytes.
    let targets = Targets::new()
        .with_target("choreo", Level::DEBUG)
        .with_target("reqwest", Level::DEBUG);
    let subscriber = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(output::colour_on_stderr())
        .with_max_level(Level::DEBUG)
        .finish()
        .with(targets);
    let _ = tracing::subscriber::set_global_default(subscriber);
}

async fn run(command: &Command) -> Result<u8, CliError> {
    match command {
        Command::Login(args) => commands::login(args).await,
        Command::Auth(AuthCommand::Status {
            json,
            offline,
            account,
            timeout,
        }) => commands::status(*json, *offline, account, timeout).await,
        Command::Auth(AuthCommand::Switch { account }) => commands::switch(account).await,
        Command::Auth(AuthCommand::Token { account }) => commands::token(account).await,
        Command::Logout(args) => commands::logout(args).await,
        Command::Token(TokenCommand::Inspect { json }) => commands::inspect(*json),
        Command::Token(TokenCommand::Scan(args)) => scan::run(args).await,
        Command::Completions { shell } => {
            // Into memory first: clap_complete panics on a failed write; ours exits 1.
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "choreo", &mut script);
            commands::write_stdout(&script)?;
            Ok(0)
        }
    }
}

fn wants_json(command: &Command) -> bool {
    matches!(
        command,
        Command::Auth(AuthCommand::Status { json: true, .. })
            | Command::Token(TokenCommand::Inspect { json: true })
            | Command::Login(LoginArgs { json: true, .. })
            | Command::Logout(LogoutArgs { json: true, .. })
    ) || matches!(command, Command::Token(TokenCommand::Scan(args)) if args.json)
}

/// The command line, or clap's error (with its "did you mean" tips) printed with every
/// argument that is a token masked: a token pasted in the wrong place is never echoed back.
fn parse() -> Result<Cli, ExitCode> {
    let e = match Cli::try_parse() {
        Ok(cli) => return Ok(cli),
        Err(e) => e,
    };
    if !e.use_stderr() {
        // --help and --version: nothing of the user's is echoed.
        e.exit();
    }
    let rendered = e.render().ansi().to_string();
    let redacted = output::redact_arguments(&rendered);
    let mut err = anstream::stderr().lock();
    let _ = write!(err, "{redacted}");
    drop(err);
    if redacted != rendered {
        output::to_stderr([
            "note: an argument looks like a token, so it is not shown; tokens are read from \
             stdin only (arguments end up in shell history and in `ps`)"
                .to_owned(),
        ]);
    }
    Err(ExitCode::from(
        u8::try_from(e.exit_code()).unwrap_or(EXIT_USAGE),
    ))
}

fn main() -> ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    if cli.verbose {
        init_tracing();
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            output::print_error(&CliError::Runtime(e), wants_json(&cli.command));
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let result = runtime.block_on(run(&cli.command));
    // A keyring call that timed out may still be blocked: do not wait for it.
    runtime.shutdown_background();
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            output::print_error(&e, wants_json(&cli.command));
            ExitCode::from(e.exit_code())
        }
    }
}
