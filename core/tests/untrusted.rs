//! What a hostile API can put in its answers never reaches a host as it was sent: control and
//! bidi characters are neutralised, runs of the token are redacted, in every field, before
//! anything is joined or cut. Also what an older version stored from such an API.

use choreo_auth_core::api::{self, Introspection};
use choreo_auth_core::host::HttpResponse;
use choreo_auth_core::{ApiBase, Credential, SecretToken};

const TOKEN: &str = "chp_Xq7Lm2Pz9Rt4Vw8Ny3Bc6Df1Gh5Jk01nNmox";

/// ESC/CSI, OSC 0 (title), OSC 8 (link), OSC 52 (clipboard write), C1 CSI and OSC, bidi.
const HOSTILE: &str = "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{1b}]8;;https://evil.example\u{1b}\\x\u{1b}]8;;\u{1b}\\\u{1b}]52;c;Y3VybA==\u{7}\u{9b}1m\u{9d}0;t\u{9c}\u{202e}nimda\u{202c}\u{2066}\u{2069}\u{200f}\u{61c}";

fn token() -> SecretToken {
    SecretToken::new(TOKEN.into())
}

fn answer(status: u16, body: String) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![],
        body: body.into_bytes(),
        truncated: false,
    }
}

/// JSON string text of `s` (escapes control characters, as a server would have to).
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

#[track_caller]
fn assert_shown_safely(what: &str, text: &str) {
    for c in text.chars() {
        assert!(
            !(c.is_control()
                || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
            "{what}: {c:?} in {text:?}"
        );
    }
    for run in TOKEN.as_bytes().windows(5) {
        let run = std::str::from_utf8(run).unwrap();
        assert!(!text.contains(run), "{what}: token run {run:?} in {text:?}");
    }
}

#[test]
fn every_string_of_the_introspection_answer_is_cleaned() {
    let (first, second) = TOKEN.split_at(20);
    let body = format!(
        r#"{{"id":{h},"organizationUuid":{h},"userId":{h},"allowedScopes":[{h},{first:?},{second:?}],"validUntil":{h},"status":{t}}}"#,
        h = quoted(HOSTILE),
        t = quoted(TOKEN),
    );
    let i: Introspection = api::read_introspection(&answer(200, body), &token()).unwrap();
    assert_shown_safely("introspection", &format!("{i:?}"));
    assert!(
        i.user_id.contains("[2J"),
        "the visible text stays: {:?}",
        i.user_id
    );
}

#[test]
fn every_string_of_the_organization_answers_is_cleaned() {
    let org = format!(
        r#"{{"id":{h},"uuid":{h},"handle":{h},"name":{t}}}"#,
        h = quoted(HOSTILE),
        t = quoted(&format!("acme {TOKEN}")),
    );
    let list = api::read_orgs(&answer(200, format!("[{org}]")), &token()).unwrap();
    assert_shown_safely("orgs", &format!("{list:?}"));
    let one = api::read_org(
        &answer(200, format!(r#"{{"organization":{org}}}"#)),
        &token(),
    )
    .unwrap();
    assert_shown_safely("org", &format!("{one:?}"));
    assert_eq!(one.name, "acme [redacted]");
}

#[test]
fn an_echoed_token_is_redacted_before_the_parts_are_joined_or_cut() {
    let (first, second) = TOKEN.split_at(20);
    let split_body = answer(
        401,
        format!(r#"{{"error":{first:?},"error_description":{second:?}}}"#),
    );
    let split_header = HttpResponse {
        status: 401,
        headers: vec![(
            "www-authenticate".into(),
            format!(r#"Bearer error="{first}", error_description="{second}""#),
        )],
        ..HttpResponse::default()
    };
    // Cut at 200 characters, the token starting at 190: only a piece of it would be left.
    let cut = answer(500, format!(r#"{{"error":"{}{TOKEN}"}}"#, "x".repeat(190)));
    let hostile = answer(
        503,
        format!(r#"{{"error":{h},"message":{h}}}"#, h = quoted(HOSTILE)),
    );
    for (what, r) in [
        ("split body", split_body),
        ("split header", split_header),
        ("cut", cut),
        ("hostile", hostile),
    ] {
        let detail = api::error_detail(&r, &token()).unwrap_or_default();
        assert_shown_safely(what, &detail);
    }
}

#[test]
fn a_session_stored_by_an_older_version_is_cleaned_when_read() {
    let stored = format!(
        r#"{{"token":"{TOKEN}","session":{{"id":"s","apiBase":"http://127.0.0.1:9","kind":"choreo-pat","masked":"chp_…Nmox","userId":{h},"patId":"p","organization":{{"id":"1","uuid":"u","handle":{h},"name":{t}}},"scopes":[{h}],"validUntil":null,"createdAt":"2026-01-01T00:00:00Z"}}}}"#,
        h = quoted(HOSTILE),
        t = quoted(TOKEN),
    );
    let credential = Credential::from_stored_json(&stored).unwrap();
    assert_eq!(credential.token.expose(), TOKEN);
    assert_eq!(
        credential.api_base,
        ApiBase::parse("http://127.0.0.1:9").unwrap()
    );
    assert_shown_safely("stored session", &format!("{:?}", credential.session));
}
