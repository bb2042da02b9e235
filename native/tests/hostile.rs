//! The CLI against what a hostile network or API can do: each test is one finding of issue 16,
//! run through the real binary. Nothing from the API reaches the terminal raw, the token never
//! leaves loopback in cleartext, and failures exit as documented.

mod common;

use common::{Cli, Server};
use serde_json::{Value, json};

/// What the reference server's `hostile-strings` fault puts in every name.
const HOSTILE: &str = "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{1b}]8;;https://evil.example\u{1b}\\click\u{1b}]8;;\u{1b}\\\u{1b}]52;c;Y3VybCBldmlsfHNo\u{7}\u{9b}1m\u{9d}0;t\u{9c}\u{202e}nimda\u{202c}\u{2066}x\u{2069}\u{200f}[open](command:workbench.action.terminal.new)";

#[test]
fn an_http_base_whose_parsed_host_is_not_loopback_is_refused_before_any_request() {
    let server = Server::start();
    let cli = Cli::new();
    // `\` is `/` to URL parsers: the host is 192.0.2.2, not a name under .localhost.
    for api in [r"http://192.0.2.2\.localhost", "http://anything.localhost"] {
        let run = cli.run(
            &["login", "--with-token", "--api", api, "--insecure-storage"],
            format!("{}\n", server.token).as_bytes(),
        );
        run.expect(2);
        assert!(
            run.stderr.contains("must use https"),
            "{api}: {}",
            run.stderr
        );
    }
    assert!(cli.snapshot().is_empty());
}

/// Whether `text` could drive a terminal or reorder what it shows: any control character but
/// the newline, or a bidi control.
#[track_caller]
fn assert_inert(what: &str, text: &str) {
    for c in text.chars() {
        let bidi = matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(
            !(bidi || (c.is_control() && c != '\n')),
            "{what}: {c:?} reached the terminal in {text:?}"
        );
    }
}

#[test]
fn escape_sequences_and_bidi_controls_from_the_api_never_reach_the_terminal() {
    let server = Server::start();
    let cli = Cli::new();
    server.fault(json!({"mode": "hostile-strings"}));
    let login = cli.login_file(&server.api, &server.token);
    login.expect(0);
    assert_inert("login", &login.stderr);
    assert!(
        login.stderr.contains("[2J"),
        "the visible text is kept: {}",
        login.stderr
    );
    for args in [
        &["auth", "status", "--api", &server.api][..],
        &["auth", "status", "--json", "--api", &server.api],
        &["auth", "status", "--offline", "--api", &server.api],
    ] {
        let run = cli.run(args, b"");
        run.expect(0);
        assert_inert(&format!("{args:?} stdout"), &run.stdout);
        assert_inert(&format!("{args:?} stderr"), &run.stderr);
    }
    let logout = cli.run(&["logout", "--api", &server.api], b"");
    logout.expect(0);
    assert_inert("logout", &logout.stderr);
}

#[test]
fn a_session_stored_raw_by_an_older_version_is_shown_neutralised() {
    let server = Server::start();
    let cli = Cli::new();
    cli.login_file(&server.api, &server.token).expect(0);
    // What an older version stored from a hostile API: its strings as they came.
    let path = cli.dir().join("credentials.json");
    let mut stored: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let session = &mut stored[&server.api]["session"];
    session["userId"] = json!(HOSTILE);
    session["organization"]["handle"] = json!(HOSTILE);
    session["organization"]["name"] = json!(HOSTILE);
    session["scopes"] = json!([HOSTILE]);
    std::fs::write(&path, serde_json::to_vec(&stored).unwrap()).unwrap();
    for args in [
        &["auth", "status", "--offline", "--api", &server.api][..],
        &[
            "auth",
            "status",
            "--offline",
            "--json",
            "--api",
            &server.api,
        ],
        &["logout", "--api", &server.api],
    ] {
        let run = cli.run(args, b"");
        run.expect(0);
        assert_inert(&format!("{args:?} stdout"), &run.stdout);
        assert_inert(&format!("{args:?} stderr"), &run.stderr);
    }
}

#[test]
fn a_server_that_echoes_the_token_in_pieces_gets_none_of_it_printed() {
    let server = Server::start();
    let cli = Cli::new();
    server.fault(json!({"mode": "echo"}));
    let run = cli.login_file(&server.api, &server.token);
    run.expect(1);
    assert!(run.stderr.contains("[redacted]"), "{}", run.stderr);
    for piece in server.token.as_bytes().windows(5) {
        let piece = std::str::from_utf8(piece).unwrap();
        assert!(!run.stderr.contains(piece), "{piece:?} in {}", run.stderr);
    }
}
