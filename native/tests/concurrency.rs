//! The file store under pressure: concurrent logins and a writer killed mid-write.

mod common;

use common::{Cli, Server};
use serde_json::{Value, json};
use std::process::Stdio;
use std::time::{Duration, Instant};

const PAUSE_ENV: &str = "CHOREO_TEST_PAUSE_BEFORE_RENAME_MS";

fn read_json(cli: &Cli, name: &str) -> Value {
    let bytes = std::fs::read(cli.dir().join(name)).unwrap();
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name} is broken: {e}"))
}

fn temp_files(cli: &Cli) -> Vec<String> {
    cli.snapshot()
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| name.ends_with(".tmp"))
        .collect()
}

#[test]
fn fifty_concurrent_logins_to_ten_api_bases_keep_every_entry() {
    let servers: Vec<Server> = (0..10).map(|_| Server::start()).collect();
    let cli = Cli::new();
    // Five processes per api base, each with its own token.
    let mut logins = Vec::new();
    for server in &servers {
        for _ in 0..5 {
            let (token, _) = server.mint(json!({}));
            cli.secret(&token);
            logins.push((server, token));
        }
    }
    let children: Vec<_> = logins
        .iter()
        .map(|(server, token)| cli.spawn_login_file(&server.api, token, &[], Stdio::piped()))
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let credentials = read_json(&cli, "credentials.json");
    let config = read_json(&cli, "config.json");
    assert_eq!(credentials.as_object().unwrap().len(), servers.len());
    let bases = config["accounts"].as_object().unwrap();
    assert_eq!(bases.len(), servers.len());
    for (base, accounts) in bases {
        // Five logins to one organization: one account, replaced four times.
        assert_eq!(accounts["accounts"].as_array().unwrap().len(), 1, "{base}");
    }
    for server in &servers {
        let printed = cli.run_with(&["auth", "token", "--api", &server.api], b"", &[], true);
        printed.expect(0);
        let stored = printed.stdout.trim();
        assert!(
            logins
                .iter()
                .any(|(s, t)| s.api == server.api && t == stored),
            "the stored token for {} is one of its logins",
            server.api
        );
        cli.run(&["auth", "status", "--offline", "--api", &server.api], b"")
            .expect(0);
    }
    assert!(temp_files(&cli).is_empty(), "{:?}", temp_files(&cli));
}

#[test]
fn a_writer_killed_between_write_and_rename_leaves_the_old_store_intact() {
    let server = Server::start();
    let cli = Cli::new();
    cli.login_file(&server.api, &server.token).expect(0);
    let before = std::fs::read(cli.dir().join("credentials.json")).unwrap();

    let (token, _) = server.mint(json!({}));
    let mut child = cli.spawn_login_file(
        &server.api,
        &token,
        &[(PAUSE_ENV, Some("30000"))],
        Stdio::null(),
    );
    // Wait until the new content sits in the temporary file, with the lock held.
    let deadline = Instant::now() + Duration::from_secs(20);
    while temp_files(&cli).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the writer never reached the rename"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    assert_eq!(
        std::fs::read(cli.dir().join("credentials.json")).unwrap(),
        before,
        "the store changed although the rename never happened"
    );
    let printed = cli.run_with(&["auth", "token", "--api", &server.api], b"", &[], true);
    assert_eq!(printed.expect(0).stdout, format!("{}\n", server.token));

    // The lock died with the writer: the next login goes through and cleans up.
    cli.login_file(&server.api, &token).expect(0);
    let printed = cli.run_with(&["auth", "token", "--api", &server.api], b"", &[], true);
    assert_eq!(printed.expect(0).stdout, format!("{token}\n"));
    assert!(temp_files(&cli).is_empty(), "{:?}", temp_files(&cli));
    read_json(&cli, "credentials.json");
}

#[test]
fn a_writer_killed_at_random_moments_leaves_the_old_or_the_new_store() {
    let server = Server::start();
    let cli = Cli::new();
    cli.login_file(&server.api, &server.token).expect(0);
    let (token, _) = server.mint(json!({}));
    cli.secret(&token);
    for delay_ms in [0u64, 5, 10, 20, 40, 80, 160] {
        let mut child = cli.spawn_login_file(&server.api, &token, &[], Stdio::null());
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        let printed = cli.run_with(&["auth", "token", "--api", &server.api], b"", &[], true);
        let stored = printed.expect(0).stdout.trim().to_owned();
        assert!(
            stored == server.token || stored == token,
            "after a kill at {delay_ms} ms the store holds neither token"
        );
        read_json(&cli, "credentials.json");
    }
}
