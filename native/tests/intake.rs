//! Every input that core's intake or recognition refuses: exit 2 with core's message, no
//! request to the api, and a previously stored credential left byte for byte. Repairable
//! inputs log in and show the notice.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use choreo_auth_core::intake::MAX_INPUT_BYTES;
use common::{Cli, Server};
use serde_json::json;
use std::time::{SystemTime, UNIX_EPOCH};

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .try_into()
        .unwrap()
}

fn jwt(header: serde_json::Value, claims: serde_json::Value) -> Vec<u8> {
    let enc = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.c2lnbmF0dXJl", enc(header), enc(claims)).into_bytes()
}

fn utf16le(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

/// A token of the right shape whose checksum is wrong.
fn mistyped(token: &str) -> Vec<u8> {
    let mut bytes = token.as_bytes().to_vec();
    bytes[6] = if bytes[6] == b'A' { b'B' } else { b'A' };
    bytes
}

fn refused_inputs(server_token: &str) -> Vec<(&'static str, Vec<u8>)> {
    let now = now();
    let rs256 = json!({"alg": "RS256", "typ": "JWT"});
    vec![
        ("empty", b"\n".to_vec()),
        (
            "multiple-lines",
            b"aaaaaaaaaaaaaaaaaaaa\nbbbbbbbbbbbbbbbbbbbb\n".to_vec(),
        ),
        ("inner-whitespace", b"abcdefghij klmnopqrstu\n".to_vec()),
        ("control-character", b"abcdefghij\x07klmnopqrstu\n".to_vec()),
        ("invalid-utf8", b"abcdefghij\xffklmnopqrstu\n".to_vec()),
        ("too-long", vec![b'a'; MAX_INPUT_BYTES + 100]),
        ("too-long", vec![b'a'; 4097]),
        ("utf16-encoding", utf16le("abcdefghijklmnopqrstu\r\n")),
        ("invalid-character", b"abcdefghij$klmnopqrstu\n".to_vec()),
        ("too-short", b"abc\n".to_vec()),
        ("checksum-mismatch", mistyped(server_token)),
        (
            "foreign-token",
            b"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\n".to_vec(),
        ),
        (
            "jwt-alg-none",
            jwt(
                json!({"alg": "nOnE"}),
                json!({"sub": "u", "exp": now + 3600}),
            ),
        ),
        ("jwt-malformed", b"eyJhbGciOiJSUzI1NiJ9.a.c2ln".to_vec()),
        (
            "jwt-malformed",
            b"eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln".to_vec(),
        ),
        (
            "jwt-expired",
            jwt(rs256.clone(), json!({"sub": "u", "exp": now - 3600})),
        ),
        (
            "jwt-not-yet-valid",
            jwt(rs256, json!({"sub": "u", "nbf": now + 3600})),
        ),
    ]
}

#[test]
fn every_refused_input_exits_2_with_cores_message_and_leaves_the_store_as_it_was() {
    let server = Server::start();
    let cli = Cli::new();
    let api = server.api.as_str();
    cli.login_file(api, &server.token).expect(0);
    let stored = cli.snapshot();
    let requests = server.request_count();

    for (code, input) in refused_inputs(&server.token) {
        let report = choreo_auth_core::inspect(&input, now());
        let expected = report.first_error().expect("core refuses this input");
        assert_eq!(expected.code.as_str(), code, "the fixture for {code}");
        let run = cli.run(
            &["login", "--with-token", "--api", api, "--insecure-storage"],
            &input,
        );
        run.expect(2);
        assert!(
            run.stderr
                .starts_with(&format!("choreo: {} ({code})\n", expected.message)),
            "{code}: {}",
            run.stderr
        );
        assert_eq!(
            run.stderr.matches(expected.message.as_ref()).count(),
            1,
            "{code}: printed once: {}",
            run.stderr
        );
        assert_eq!(cli.snapshot(), stored, "{code}: the store changed");
        assert_eq!(
            server.request_count(),
            requests,
            "{code}: a request was sent"
        );
    }
}

#[test]
fn refused_inputs_are_refused_the_same_way_in_the_keyring_path() {
    // No keyring is needed: intake refuses before any storage is touched.
    let server = Server::start();
    let cli = Cli::new()
        .with_env("DBUS_SESSION_BUS_ADDRESS", None)
        .with_env("XDG_RUNTIME_DIR", Some("/nonexistent"));
    let run = cli.run(&["login", "--with-token", "--api", &server.api], b"abc\n");
    run.expect(2);
    assert!(run.stderr.contains("(too-short)"), "{}", run.stderr);
    assert!(cli.snapshot().is_empty(), "nothing may be written");
}

#[test]
fn repairable_inputs_log_in_and_show_what_was_repaired() {
    let server = Server::start();
    let (token, _) = server.mint(json!({}));
    let cases: Vec<(Option<&str>, Vec<u8>)> = vec![
        (
            Some("stripped-bom"),
            [&b"\xEF\xBB\xBF"[..], token.as_bytes(), b"\n"].concat(),
        ),
        (None, format!("{token}\r\n").into_bytes()),
        (
            Some("stripped-bearer"),
            format!("Bearer {token}\n").into_bytes(),
        ),
        (
            Some("stripped-quotes"),
            format!("\"{token}\"\n").into_bytes(),
        ),
        (
            Some("stripped-assignment"),
            format!("export CHOREO_TOKEN={token}\n").into_bytes(),
        ),
        (None, format!("  \n{token}  \n\n").into_bytes()),
    ];
    for (notice, input) in cases {
        let cli = Cli::new();
        cli.secret(&token);
        let run = cli.run(
            &[
                "login",
                "--with-token",
                "--api",
                &server.api,
                "--insecure-storage",
            ],
            &input,
        );
        run.expect(0);
        assert!(run.stderr.starts_with("Logged in to "), "{}", run.stderr);
        if let Some(code) = notice {
            assert!(
                run.stderr.contains("notice: ") && run.stderr.contains(&format!("({code})")),
                "{code}: {}",
                run.stderr
            );
        }
        let printed = cli.run_with(&["auth", "token", "--api", &server.api], b"", &[], true);
        printed.expect(0);
        assert_eq!(
            printed.stdout,
            format!("{token}\n"),
            "the repaired token is stored"
        );
    }
}

#[test]
fn token_inspect_json_is_exactly_cores_report() {
    let cli = Cli::new();
    for (code, input) in refused_inputs("chp_K7kRFZri8CAL93t6JnuR6FmrNMFg520Mu20c") {
        let run = cli.run(&["token", "inspect", "--json"], &input);
        run.expect(2);
        let expected: serde_json::Value =
            serde_json::from_str(&choreo_auth_core::inspect_json(&input, now())).unwrap();
        assert_eq!(run.json(), expected, "{code}");
    }
    let good = b"\xEF\xBB\xBFabcdefghijklmnopqrstu\n";
    let run = cli.run(&["token", "inspect", "--json"], good);
    run.expect(0);
    assert_eq!(
        run.stdout,
        format!("{}\n", choreo_auth_core::inspect_json(good, now()))
    );
}

#[test]
fn token_inspect_describes_the_token_without_printing_it() {
    let cli = Cli::new();
    let token = "chp_K7kRFZri8CAL93t6JnuR6FmrNMFg520Mu20c";
    cli.secret(token);
    let run = cli.run(&["token", "inspect"], format!("{token}\n").as_bytes());
    run.expect(0);
    for line in [
        "kind: choreo-pat (Choreo personal access token)",
        "masked: chp_…u20c",
        "length: 40",
        "checksum: valid",
        "problems: none",
    ] {
        assert!(run.stdout.contains(line), "{line}: {}", run.stdout);
    }
    let jwt = jwt(
        json!({"alg": "RS256"}),
        json!({"iss": "https://sts.choreo.dev", "sub": "alice", "exp": now() + 600}),
    );
    let run = cli.run(&["token", "inspect"], &jwt);
    run.expect(0);
    assert!(
        run.stdout.contains("jwt issuer: https://sts.choreo.dev"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("(jwt-not-pat)"), "{}", run.stdout);
}
