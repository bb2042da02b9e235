//! What the api (or the network) refuses: exit 1 with core's message, and whatever was
//! stored before is left exactly as it was.

mod common;

use choreo_auth_core::login::CheckError;
use common::{Cli, Server, closed_port_api};
use serde_json::{Value, json};

/// A logged-in configuration directory, and a helper that runs one refused login in it.
struct Fixture {
    server: Server,
    cli: Cli,
    before: Vec<(String, Vec<u8>)>,
}

impl Fixture {
    fn new() -> Self {
        let server = Server::start();
        let cli = Cli::new();
        cli.login_file(&server.api, &server.token).expect(0);
        let before = cli.snapshot();
        Self {
            server,
            cli,
            before,
        }
    }

    /// Logs in with `token` (file store), expects exit 1 and a message starting with `message`,
    /// and checks the store did not change.
    #[track_caller]
    fn refused(&self, api: &str, token: &str, message: &str) {
        let run = self.cli.login_file(api, token);
        run.expect(1);
        assert!(
            run.stderr.starts_with(&format!("choreo: {message}")),
            "expected {message:?}, got {}",
            run.stderr
        );
        assert_eq!(self.cli.snapshot(), self.before, "the store changed");
        self.server.admin("DELETE", "/admin/faults", None);
    }

    fn mint(&self, spec: Value) -> (String, String) {
        self.server.mint(spec)
    }
}

#[test]
fn an_unknown_token_is_unauthorized() {
    let f = Fixture::new();
    f.refused(
        &f.server.api,
        "abcdefghijklmnopqrstuvwxyz012345",
        "the choreo api did not accept this token",
    );
}

#[test]
fn a_401_answer_is_unauthorized_and_shows_the_servers_reason() {
    let f = Fixture::new();
    let (token, _) = f.mint(json!({}));
    f.server.fault(json!({"mode": "unauthorized", "times": 1}));
    let run = f.cli.login_file(&f.server.api, &token);
    run.expect(1);
    assert!(
        run.stderr
            .starts_with("choreo: the choreo api did not accept this token"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("injected fault"), "{}", run.stderr);
    assert_eq!(f.cli.snapshot(), f.before);
}

#[test]
fn a_revoked_token_is_inactive() {
    let f = Fixture::new();
    let (token, id) = f.mint(json!({}));
    f.server
        .admin("POST", &format!("/admin/pats/{id}/revoke"), None);
    f.refused(&f.server.api, &token, "the token is not active");
}

#[test]
fn an_expired_token_is_refused_with_its_expiry() {
    let f = Fixture::new();
    let (token, id) = f.mint(json!({}));
    f.server
        .admin("POST", &format!("/admin/pats/{id}/expire"), None);
    f.refused(&f.server.api, &token, "the token expired at ");
}

#[test]
fn a_token_expiring_within_a_week_logs_in_with_a_warning() {
    let f = Fixture::new();
    let (token, _) = f.mint(json!({"ttlSeconds": 3 * 86_400 + 600}));
    let run = f.cli.login_file(&f.server.api, &token);
    run.expect(0);
    assert!(
        run.stderr.contains("warning: the token expires in 3 days"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("(pat-expiring-soon)"), "{}", run.stderr);
    assert!(run.stderr.contains("expires: "), "{}", run.stderr);
}

#[test]
fn a_token_of_an_unlisted_organization_is_refused() {
    let f = Fixture::new();
    let (token, _) = f.mint(json!({"org": "nowhere"}));
    f.refused(&f.server.api, &token, &CheckError::OrgNotFound.to_string());
}

#[test]
fn a_server_error_is_refused_with_its_status() {
    let f = Fixture::new();
    let (token, _) = f.mint(json!({}));
    f.server
        .fault(json!({"mode": "server-error", "status": 503}));
    f.refused(&f.server.api, &token, "the choreo api answered http 503");
}

#[test]
fn a_malformed_answer_is_a_bad_response() {
    let f = Fixture::new();
    let (token, _) = f.mint(json!({}));
    f.server.fault(json!({"mode": "malformed"}));
    let expected = CheckError::BadResponse {
        what: "the introspection answer",
    };
    f.refused(&f.server.api, &token, &expected.to_string());
}

#[test]
fn a_huge_answer_is_cut_off_and_refused() {
    let f = Fixture::new();
    let (token, _) = f.mint(json!({}));
    f.server.fault(json!({"mode": "huge"}));
    let expected = CheckError::TooLarge;
    f.refused(&f.server.api, &token, &expected.to_string());
}

#[test]
fn a_redirect_is_not_followed_so_the_token_never_reaches_another_origin() {
    let f = Fixture::new();
    let elsewhere = Server::start();
    let (token, _) = f.mint(json!({}));
    let location = format!("{}/api-key-service/v1.0/pat/introspect", elsewhere.api);
    f.server
        .fault(json!({"mode": "redirect", "status": 307, "location": location}));
    f.refused(&f.server.api, &token, &CheckError::Redirected.to_string());
    assert_eq!(elsewhere.request_count(), 0, "the redirect was followed");
}

#[test]
fn a_closed_port_is_a_network_error() {
    let f = Fixture::new();
    let (token, _) = f.mint(json!({}));
    f.refused(
        &closed_port_api(),
        &token,
        "could not reach the choreo api: could not connect",
    );
}

#[test]
fn a_slow_answer_within_the_timeout_still_logs_in() {
    let f = Fixture::new();
    let (token, _) = f.mint(json!({}));
    f.server
        .fault(json!({"mode": "delay", "delayMs": 300, "times": 1}));
    f.cli.login_file(&f.server.api, &token).expect(0);
}

#[test]
fn status_reports_a_revoked_token_and_keeps_it_stored() {
    let f = Fixture::new();
    let (token, id) = f.mint(json!({}));
    f.cli.login_file(&f.server.api, &token).expect(0);
    f.server
        .admin("POST", &format!("/admin/pats/{id}/revoke"), None);
    let stored = f.cli.snapshot();
    let run = f
        .cli
        .run(&["auth", "status", "--json", "--api", &f.server.api], b"");
    run.expect(1);
    assert_eq!(run.json()["code"], "pat-inactive", "{}", run.stdout);
    // Offline, the stored session still reads as valid.
    f.cli
        .run(
            &["auth", "status", "--offline", "--api", &f.server.api],
            b"",
        )
        .expect(0);
    assert_eq!(f.cli.snapshot(), stored);
}

#[test]
fn a_corrupt_credentials_file_is_reported_and_never_overwritten() {
    let server = Server::start();
    let cli = Cli::new();
    cli.login_file(&server.api, &server.token).expect(0);
    std::fs::write(cli.dir().join("credentials.json"), b"{not json").unwrap();
    let before = cli.snapshot();
    let run = cli.login_file(&server.api, &server.token);
    run.expect(1);
    assert!(
        run.stderr
            .starts_with("choreo: stored credentials are unreadable: "),
        "{}",
        run.stderr
    );
    assert_eq!(cli.snapshot(), before);
    let status = cli.run(&["auth", "status", "--json", "--api", &server.api], b"");
    status.expect(1);
    assert_eq!(status.json()["code"], "storage-corrupt");
}
