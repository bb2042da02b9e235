//! `login --with-token --json` and `logout --json` print one machine-readable outcome on
//! stdout: the session on success, else the `{code, message, problems}` object every `--json`
//! command prints, with the code's exit status. Human lines stay on stderr.

mod common;

use common::{Cli, Server};
use serde_json::json;

fn login_json(cli: &Cli, server: &Server, input: &str) -> common::Run {
    cli.run(
        &[
            "login",
            "--with-token",
            "--json",
            "--api",
            &server.api,
            "--insecure-storage",
        ],
        input.as_bytes(),
    )
}

#[test]
fn a_login_prints_its_session_and_where_it_was_stored() {
    let server = Server::start();
    let cli = Cli::new();
    let (token, _) = server.mint(json!({ "ttlSeconds": 3 * 86_400 }));
    cli.secret(&token);
    let run = login_json(&cli, &server, &format!("Bearer {token}\n"));
    run.expect(0);
    let json = run.json();
    assert_eq!(json["session"]["organization"]["handle"], "acme");
    assert_eq!(json["session"]["apiBase"], server.api.as_str());
    assert_eq!(json["stored"], "file");
    let codes: Vec<&str> = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["stripped-bearer", "pat-expiring-soon"]);
    assert!(run.stderr.contains("Logged in to "), "{}", run.stderr);
}

#[test]
fn a_refused_login_prints_the_error_object_once() {
    let server = Server::start();
    let cli = Cli::new();
    let (token, id) = server.mint(json!({}));
    cli.secret(&token);
    server.admin("POST", &format!("/admin/pats/{id}/revoke"), None);
    let run = login_json(&cli, &server, &format!("{token}\n"));
    run.expect(1);
    let json = run.json();
    assert_eq!(json["code"], "pat-inactive");
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .starts_with("the token is not active"),
        "{json}"
    );
    assert_eq!(json["problems"], json!([]));
    assert_eq!(run.stderr.matches("the token is not active").count(), 1);

    let offline = login_json(&cli, &server, "abc\n");
    offline.expect(2);
    let json = offline.json();
    assert_eq!(json["code"], "too-short");
    assert_eq!(json["problems"][0]["code"], "too-short");
    assert!(cli.snapshot().is_empty(), "a refused login wrote something");
}

#[test]
fn logout_prints_the_removed_session_or_every_one_with_all() {
    let server = Server::start();
    let cli = Cli::new();
    let api = server.api.as_str();
    for org in ["acme", "globex"] {
        let (token, _) = server.mint(json!({ "org": org }));
        cli.secret(&token);
        login_json(&cli, &server, &format!("{token}\n")).expect(0);
    }
    let one = cli.run(&["logout", "--json", "--api", api, "--org", "acme"], b"");
    one.expect(0);
    assert_eq!(one.json()["session"]["organization"]["handle"], "acme");
    let (token, _) = server.mint(json!({ "org": "acme" }));
    cli.secret(&token);
    login_json(&cli, &server, &format!("{token}\n")).expect(0);
    let all = cli.run(&["logout", "--all", "--json", "--api", api], b"");
    all.expect(0);
    let mut handles: Vec<String> = all.json()["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["organization"]["handle"].as_str().unwrap().to_owned())
        .collect();
    handles.sort();
    assert_eq!(handles, ["acme", "globex"]);
    let none = cli.run(&["logout", "--json", "--api", api], b"");
    none.expect(4);
    assert_eq!(none.json()["code"], "not-logged-in");
}
