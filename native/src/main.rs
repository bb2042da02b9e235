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
mod store;
mod sys;

use clap::{CommandFactory, Parser};
use cli::{AuthCommand, Cli, Command, TokenCommand};
use error::{CliError, EXIT_FAILED};
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
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
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
            api,
            timeout,
        }) => commands::status(*json, *offline, api, timeout).await,
        Command::Auth(AuthCommand::Token { api }) => commands::token(api).await,
        Command::Logout(api) => commands::logout(api).await,
        Command::Token(TokenCommand::Inspect { json }) => commands::inspect(*json),
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
    )
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
