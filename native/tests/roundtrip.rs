//! login → status (online, offline, json) → token → logout, on the file store and on a real
//! Secret Service; CHOREO_TOKEN used in memory; tokens on the command line; and failing closed
//! when there is no keyring.

mod common;

use common::{Cli, Server, keyring_available};
use serde_json::json;

/// Checks that `status`, `token` and `logout` work and say where the token is kept.
fn round_trip(cli: &Cli, server: &Server, login_args: &[&str], token: &str, source: &str) {
    cli.secret(token);
    let api = server.api.as_str();
    let mut args = vec!["-v", "login", "--with-token", "--api", api];
    args.extend_from_slice(login_args);
    let login = cli.run(&args, format!("{token}\n").as_bytes());
    login.expect(0);
    assert!(login.stderr.contains("Logged in to "), "{}", login.stderr);
    assert!(
        login.stderr.contains("organization: Acme Corp (acme)"),
        "{}",
        login.stderr
    );
    assert!(login.stderr.contains("scopes: "), "{}", login.stderr);
    assert!(login.stderr.contains("expires: "), "{}", login.stderr);
    assert!(
        login.stderr.contains("DEBUG"),
        "-v traces: {}",
        login.stderr
    );

    let status = cli.run(&["-v", "auth", "status", "--api", api], b"");
    status.expect(0);
    assert!(status.stdout.contains("as user "), "{}", status.stdout);
    assert!(
        status.stdout.contains("checked: online"),
        "{}",
        status.stdout
    );
    let masked = format!("chp_…{}", &token[token.len() - 4..]);
    assert!(status.stdout.contains(&masked), "{}", status.stdout);
    let plaintext = status.stderr.contains("kept unencrypted");
    assert_eq!(plaintext, source == "file", "{}", status.stderr);
    let from = match source {
        "file" => "token from: plaintext file ",
        _ => "token from: os keyring",
    };
    assert!(status.stdout.contains(from), "{}", status.stdout);

    let json = cli
        .run(&["auth", "status", "--json", "--api", api], b"")
        .expect(0)
        .json();
    assert_eq!(json["source"], source);
    assert_eq!(json["checkedOnline"], true);
    assert_eq!(json["session"]["organization"]["handle"], "acme");
    assert_eq!(json["session"]["masked"], masked.as_str());

    let offline = cli
        .run(
            &["auth", "status", "--json", "--offline", "--api", api],
            b"",
        )
        .expect(0)
        .json();
    assert_eq!(offline["checkedOnline"], false);

    let printed = cli.run_with(&["-v", "auth", "token", "--api", api], b"", &[], true);
    printed.expect(0);
    assert_eq!(printed.stdout, format!("{token}\n"));

    let logout = cli.run(&["logout", "--api", api], b"");
    logout.expect(0);
    assert!(
        logout
            .stderr
            .contains(&format!("removed the token {masked}")),
        "{}",
        logout.stderr
    );
    let after = cli.run(&["auth", "status", "--json", "--api", api], b"");
    after.expect(4);
    assert_eq!(after.json()["code"], "not-logged-in");
    cli.run(&["auth", "token", "--api", api], b"").expect(4);
    let again = cli.run(&["logout", "--api", api], b"");
    again.expect(4);
    assert!(
        again.stderr.contains("nothing to remove"),
        "{}",
        again.stderr
    );
    cli.assert_no_secret_outside_file_store();
}

#[test]
fn the_file_store_round_trips_and_warns_about_plaintext() {
    let server = Server::start();
    let cli = Cli::new();
    let (token, _) = server.mint(json!({}));
    round_trip(&cli, &server, &["--insecure-storage"], &token, "file");
}

#[test]
fn the_os_keyring_round_trips_and_writes_no_token_to_disk() {
    if !keyring_available() {
        return;
    }
    let server = Server::start();
    let cli = Cli::new();
    let (token, _) = server.mint(json!({}));
    cli.secret(&token);
    round_trip(&cli, &server, &[], &token, "keyring");
    for (name, bytes) in cli.snapshot() {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&token),
            "token in {name}"
        );
    }
}

#[test]
fn moving_from_the_file_store_to_the_keyring_removes_the_plaintext_copy() {
    if !keyring_available() {
        return;
    }
    let server = Server::start();
    let cli = Cli::new();
    cli.login_file(&server.api, &server.token).expect(0);
    assert!(cli.dir().join("credentials.json").exists());
    cli.run(
        &["login", "--with-token", "--api", &server.api],
        format!("{}\n", server.token).as_bytes(),
    )
    .expect(0);
    assert!(
        !cli.dir().join("credentials.json").exists(),
        "the plaintext file outlived the move"
    );
    let json = cli
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
    assert_eq!(json["source"], "keyring");
    cli.run(&["logout", "--api", &server.api], b"").expect(0);
}

#[test]
fn without_a_keyring_login_fails_closed_and_names_both_ways_out() {
    let server = Server::start();
    let cli = Cli::new()
        .with_env("DBUS_SESSION_BUS_ADDRESS", None)
        .with_env("XDG_RUNTIME_DIR", Some("/nonexistent"));
    cli.secret(&server.token);
    let run = cli.run(
        &["login", "--with-token", "--api", &server.api],
        format!("{}\n", server.token).as_bytes(),
    );
    run.expect(1);
    assert!(
        run.stderr
            .starts_with("choreo: credential storage is unavailable: "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("CHOREO_TOKEN"), "{}", run.stderr);
    assert!(run.stderr.contains("--insecure-storage"), "{}", run.stderr);
    assert!(cli.snapshot().is_empty(), "something was written");
}

#[test]
fn a_token_on_the_command_line_is_refused_without_being_echoed() {
    let server = Server::start();
    let cli = Cli::new();
    cli.secret(&server.token);
    for args in [
        vec!["login", "--with-token", server.token.as_str()],
        vec![
            "login",
            "--with-token",
            server.token.as_str(),
            "--insecure-storage",
        ],
        vec!["login", server.token.as_str(), "--with-token"],
    ] {
        let run = cli.run(&args, b"");
        run.expect(2);
        assert!(run.stderr.contains("shell history"), "{}", run.stderr);
        assert!(run.stderr.contains("`ps`"), "{}", run.stderr);
    }
    let run = cli.run(&["login", "--with-token=chp_x"], b"");
    run.expect(2);
    assert!(cli.snapshot().is_empty());
}

#[test]
fn an_insecure_api_base_is_a_usage_error() {
    let cli = Cli::new();
    let run = cli.run(
        &["login", "--with-token", "--api", "http://example.com"],
        b"abcdefghijklmnopqrstu\n",
    );
    run.expect(2);
    assert!(run.stderr.contains("must use https"), "{}", run.stderr);
    let run = cli.run_with(
        &["auth", "status", "--json"],
        b"",
        &[("CHOREO_API", Some("ftp://example.com"))],
        false,
    );
    run.expect(2);
    assert_eq!(run.json()["code"], "invalid-api-base");
}

#[test]
fn choreo_token_is_used_in_memory_by_status_and_token() {
    let server = Server::start();
    let cli = Cli::new();
    cli.secret(&server.token);
    let env = [
        ("CHOREO_TOKEN", Some(server.token.as_str())),
        ("CHOREO_API", Some(server.api.as_str())),
    ];
    let status = cli.run_with(&["-v", "auth", "status"], b"", &env, false);
    status.expect(0);
    assert!(
        status.stdout.contains("Using CHOREO_TOKEN"),
        "{}",
        status.stdout
    );
    assert!(
        status.stdout.contains("nothing stored"),
        "{}",
        status.stdout
    );
    assert!(
        status
            .stdout
            .contains("token from: environment variable CHOREO_TOKEN"),
        "{}",
        status.stdout
    );
    // Every account is listed: here only the variable's, active on its api base.
    let json = cli
        .run_with(&["auth", "status", "--json"], b"", &env, false)
        .expect(0)
        .json();
    assert_eq!(json.as_array().map(Vec::len), Some(1), "{json}");
    assert_eq!(
        (
            json[0]["source"].as_str(),
            json[0]["checkedOnline"].as_bool(),
            json[0]["active"].as_bool()
        ),
        (Some("env"), Some(true), Some(true))
    );
    let offline = cli
        .run_with(&["auth", "status", "--json", "--offline"], b"", &env, false)
        .expect(0)
        .json();
    assert_eq!(offline[0]["checkedOnline"], false);
    let one = cli
        .run_with(
            &["auth", "status", "--json", "--api", &server.api],
            b"",
            &env,
            false,
        )
        .expect(0)
        .json();
    assert_eq!(one["source"], "env");
    let printed = cli.run_with(&["auth", "token"], b"", &env, true);
    printed.expect(0);
    assert_eq!(printed.stdout, format!("{}\n", server.token));
    assert!(cli.snapshot().is_empty(), "CHOREO_TOKEN is never stored");

    let refused = cli.run_with(
        &["auth", "status", "--json"],
        b"",
        &[
            ("CHOREO_TOKEN", Some("abc")),
            ("CHOREO_API", Some(&server.api)),
        ],
        false,
    );
    refused.expect(2);
    assert_eq!(refused.json()["code"], "too-short");
}

#[test]
fn completions_are_generated_for_every_shell() {
    let cli = Cli::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = cli.run(&["completions", shell], b"");
        run.expect(0);
        assert!(run.stdout.contains("choreo"), "{shell}");
    }
}

#[test]
fn on_a_terminal_login_prompts_on_stderr_and_reads_the_token_hidden() {
    use std::io::{Read, Write};
    let server = Server::start();
    let cli = Cli::new();
    cli.secret(&server.token);
    // `script` gives the CLI a real pseudo-terminal as stdin, stdout and stderr.
    let inner = format!(
        "{} login --with-token --api {} --insecure-storage",
        common::CHOREO,
        server.api
    );
    let mut child = std::process::Command::new("script")
        .args(["-qec", &inner, "/dev/null"])
        .env_remove("CHOREO_TOKEN")
        .env("CHOREO_CONFIG_DIR", cli.dir())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("script (util-linux) is installed");
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains("(input is hidden): ") {
        let n = stdout.read(&mut buf).unwrap();
        assert!(n > 0, "no prompt: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    // rpassword turns echo off just after printing the prompt: type like a person, a moment
    // later, or the terminal may still echo what was typed ahead.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mut stdin = child.stdin.take().unwrap();
    write!(stdin, "{}\r", server.token).unwrap();
    stdin.flush().unwrap();
    stdout.read_to_end(&mut seen).unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success());
    let screen = String::from_utf8_lossy(&seen);
    assert!(screen.contains("Logged in to "), "{screen}");
    assert!(!screen.contains(&server.token), "the token was echoed");
}

#[test]
fn auth_token_warns_when_its_stdout_is_a_terminal_and_not_when_piped() {
    let server = Server::start();
    let cli = Cli::new();
    cli.login_file(&server.api, &server.token).expect(0);
    let piped = cli.run_with(&["auth", "token", "--api", &server.api], b"", &[], true);
    assert!(piped.expect(0).stderr.is_empty(), "{}", piped.stderr);
    let inner = format!("{} auth token --api {}", common::CHOREO, server.api);
    let out = std::process::Command::new("script")
        .args(["-qec", &inner, "/dev/null"])
        .env_remove("CHOREO_TOKEN")
        .env("CHOREO_CONFIG_DIR", cli.dir())
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script (util-linux) is installed");
    assert!(out.status.success());
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(
        screen.contains("warning: printing the token to a terminal"),
        "{screen}"
    );
    assert!(screen.contains(&server.token), "the token is printed");
}

#[test]
fn a_keyring_login_that_cannot_read_its_store_record_leaves_the_previous_token_in_effect() {
    if !keyring_available() {
        return;
    }
    let server = Server::start();
    let cli = Cli::new();
    let api = server.api.as_str();
    let (first, _) = server.mint(json!({}));
    let (second, _) = server.mint(json!({}));
    cli.secret(&first);
    cli.secret(&second);
    let login = |token: &str| {
        cli.run(
            &["login", "--with-token", "--api", api],
            format!("{token}\n").as_bytes(),
        )
    };
    login(&first).expect(0);
    // The config record that says which store holds the token cannot be read: the login fails,
    // and the keyring must still hold the first token (it once wrote the keyring first).
    let config = cli.dir().join("config.json");
    let record = std::fs::read(&config).unwrap();
    std::fs::remove_file(&config).unwrap();
    std::fs::create_dir(&config).unwrap();
    let failed = login(&second);
    failed.expect(1);
    assert!(failed.stderr.contains("config"), "{}", failed.stderr);
    std::fs::remove_dir(&config).unwrap();
    std::fs::write(&config, record).unwrap();

    let printed = cli.run_with(&["auth", "token", "--api", api], b"", &[], true);
    printed.expect(0);
    // Compared without printing either token.
    assert!(
        printed.stdout == format!("{first}\n"),
        "the failed login replaced the token"
    );
}
