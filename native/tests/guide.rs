//! Choreo's own guide, verbatim: `export CHOREO_TOKEN=…` then
//! `echo "$CHOREO_TOKEN" | choreo login --with-token`, run by bash with the real binary, with
//! and without a keyring. The login never refuses because CHOREO_TOKEN is set: it stores where
//! it can, stores nothing where only the variable can serve, and says which token commands use.

mod common;

use common::{Cli, Server, keyring_available};
use serde_json::json;

/// The guide's two lines, with `token` where the guide says `<YOUR_PERSONAL_ACCESS_TOKEN>`.
fn guide(token: &str) -> String {
    format!("export CHOREO_TOKEN={token}\necho \"$CHOREO_TOKEN\" | choreo login --with-token\n")
}

/// No Secret Service: no D-Bus session bus to find one on.
fn headless(cli: Cli) -> Cli {
    cli.with_env("DBUS_SESSION_BUS_ADDRESS", None)
        .with_env("XDG_RUNTIME_DIR", Some("/nonexistent"))
}

#[test]
fn headless_the_guide_verifies_the_token_writes_nothing_and_names_insecure_storage() {
    let server = Server::start();
    let cli = headless(Cli::new());
    let (token, _) = server.mint(json!({}));
    cli.secret(&token);
    let run = cli.bash(&guide(&token), &[("CHOREO_API", Some(&server.api))]);
    run.expect(0);
    assert!(
        run.stderr.contains("Checked CHOREO_TOKEN with "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("organization: Acme Corp (acme)"),
        "verified online: {}",
        run.stderr
    );
    assert!(run.stderr.contains("(env-token-only)"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("commands in this environment use CHOREO_TOKEN"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--insecure-storage"), "{}", run.stderr);
    assert!(cli.snapshot().is_empty(), "something was written");
    assert!(cli.files_holding_a_secret().is_empty());
    let json = cli.bash(
        &guide(&token).replace("--with-token", "--with-token --json"),
        &[("CHOREO_API", Some(&server.api))],
    );
    let outcome = json.expect(0).json();
    assert_eq!(outcome["stored"], serde_json::Value::Null);
    assert_eq!(outcome["warnings"][0]["code"], "env-token-only");
    assert!(cli.snapshot().is_empty(), "something was written");
    // Without the variable there is nothing stored to use.
    cli.run(&["auth", "token", "--api", &server.api], b"")
        .expect(4);
}

#[test]
fn with_a_keyring_the_guide_stores_the_token_there_and_says_the_variable_comes_first() {
    if !keyring_available() {
        return;
    }
    let server = Server::start();
    let cli = Cli::new();
    let (token, _) = server.mint(json!({}));
    cli.secret(&token);
    let run = cli.bash(&guide(&token), &[("CHOREO_API", Some(&server.api))]);
    run.expect(0);
    assert!(run.stderr.contains("Logged in to "), "{}", run.stderr);
    let note: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("(env-token-in-use)"))
        .collect();
    assert_eq!(note.len(), 1, "one line: {}", run.stderr);
    assert!(
        note[0].contains("commands use CHOREO_TOKEN first while it is set"),
        "{}",
        note[0]
    );
    assert!(!run.stderr.contains("unencrypted"), "{}", run.stderr);
    // The keyring holds it: commands without the variable use it.
    let printed = cli.run_with(&["auth", "token", "--api", &server.api], b"", &[], true);
    assert!(
        printed.expect(0).stdout == format!("{token}\n"),
        "auth token printed another token"
    );
    let status = cli
        .run(
            &[
                "auth",
                "status",
                "--json",
                "--offline",
                "--api",
                &server.api,
            ],
            b"",
        )
        .expect(0)
        .json();
    assert_eq!(status["source"], "keyring");
    assert!(
        cli.files_holding_a_secret().is_empty(),
        "a plaintext copy: {:?}",
        cli.files_holding_a_secret()
    );
    cli.run(&["logout", "--api", &server.api], b"").expect(0);
}

#[test]
fn another_token_in_the_variable_logs_in_normally_and_warns_masked() {
    let server = Server::start();
    let cli = Cli::new();
    let (piped, _) = server.mint(json!({}));
    let (other, _) = server.mint(json!({}));
    cli.secret(&piped);
    cli.secret(&other);
    let run = cli.run_with(
        &[
            "login",
            "--with-token",
            "--api",
            &server.api,
            "--insecure-storage",
        ],
        format!("{piped}\n").as_bytes(),
        &[("CHOREO_TOKEN", Some(&other))],
        false,
    );
    run.expect(0);
    let warning = run
        .stderr
        .lines()
        .find(|l| l.contains("(env-token-differs)"))
        .unwrap_or_else(|| panic!("no warning: {}", run.stderr));
    assert!(warning.starts_with("warning: "), "{warning}");
    assert!(
        warning.contains(&other[other.len() - 4..]),
        "masked: {warning}"
    );
    let printed = cli.run_with(&["auth", "token", "--api", &server.api], b"", &[], true);
    assert!(
        printed.expect(0).stdout == format!("{piped}\n"),
        "the piped token is the stored one"
    );
}

#[test]
fn another_token_in_the_variable_without_a_keyring_fails_closed_naming_both_ways_out() {
    let server = Server::start();
    let cli = headless(Cli::new());
    let (piped, _) = server.mint(json!({}));
    let (other, _) = server.mint(json!({}));
    cli.secret(&piped);
    cli.secret(&other);
    let run = cli.run_with(
        &["login", "--with-token", "--api", &server.api],
        format!("{piped}\n").as_bytes(),
        &[("CHOREO_TOKEN", Some(&other))],
        false,
    );
    run.expect(1);
    assert!(run.stderr.contains("(env-token-differs)"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("choreo: credential storage is unavailable: "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--insecure-storage"), "{}", run.stderr);
    assert!(cli.snapshot().is_empty(), "something was written");
}

#[test]
fn the_guide_with_insecure_storage_keeps_the_plaintext_copy_it_asks_for() {
    let server = Server::start();
    let cli = headless(Cli::new());
    let (token, _) = server.mint(json!({}));
    cli.secret(&token);
    let script = format!(
        "export CHOREO_TOKEN={token}\n\
         echo \"$CHOREO_TOKEN\" | choreo login --with-token --insecure-storage\n"
    );
    let run = cli.bash(&script, &[("CHOREO_API", Some(&server.api))]);
    run.expect(0);
    assert!(run.stderr.contains("(env-token-in-use)"), "{}", run.stderr);
    assert!(run.stderr.contains("unencrypted"), "{}", run.stderr);
    let holding: Vec<String> = cli
        .files_holding_a_secret()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(holding, ["credentials.json"]);
}
