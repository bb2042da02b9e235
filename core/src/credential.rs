//! What a successful login leaves behind, and its storage format.

use crate::api::{ApiBase, Organization};
use crate::secret::SecretToken;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// A verified token with what the API said about it. `Debug` is safe: the token is a
/// [`SecretToken`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub api_base: ApiBase,
    pub token: SecretToken,
    pub session: Session,
}

/// Everything about a login except the token: safe to print, log and serialise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// Random id of this login, for hosts that need one (VS Code sessions).
    pub id: String,
    pub api_base: String,
    /// The token's kind as recognised at login (`choreo-pat`, `opaque`, ...).
    pub kind: String,
    pub masked: String,
    pub user_id: String,
    pub pat_id: String,
    pub organization: Organization,
    pub scopes: Vec<String>,
    /// RFC 3339, as the API gave it.
    pub valid_until: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
}

// A stored session was written from what the API said: it is cleaned when read back.
crate::untrusted::untrusted_fields!(Session {
    id,
    api_base,
    kind,
    masked,
    user_id,
    pat_id,
    organization,
    scopes,
    valid_until,
    created_at,
});

#[derive(Deserialize)]
struct Stored {
    token: String,
    session: Session,
}

/// Whether `token` is JSON text as it is: printable ASCII without `"` or `\`. Every token
/// intake accepts is (b64token).
fn json_as_is(token: &str) -> bool {
    token
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
}

impl Credential {
    /// The storage form: the session plus the token, as JSON. Only stores call this. It is
    /// written at its exact size: a buffer that grows frees its old allocation as it was, and
    /// that would leave a copy of the token in freed memory.
    pub fn to_stored_json(&self) -> Zeroizing<String> {
        // The session holds no token: its JSON may grow as it likes. Strings and vectors only:
        // serialising cannot fail.
        let session = serde_json::to_string(&self.session).unwrap_or_default();
        let token = self.token.expose();
        let parts = [r#"{"token":""#, token, r#"","session":"#, &session, "}"];
        let mut json = Zeroizing::new(String::with_capacity(parts.iter().map(|p| p.len()).sum()));
        parts.iter().for_each(|part| json.push_str(part));
        json
    }

    /// Reads the storage form back; `None` if it is not a credential.
    pub fn from_stored_json(json: &str) -> Option<Self> {
        let mut stored: Stored = crate::json::from_str(json).ok()?;
        // Held as a secret at once, so every way out below wipes it.
        let token = SecretToken::new(std::mem::take(&mut stored.token));
        if !json_as_is(token.expose()) {
            return None;
        }
        let api_base = ApiBase::parse(&stored.session.api_base).ok()?;
        // Older versions stored what the API said as it said it.
        crate::untrusted::Untrusted::clean_for(&mut stored.session, Some(&token));
        // The base is the user's, not the API's: cleaning must not break it (a token may share a
        // run with it), and what login writes is its parsed form.
        stored.session.api_base = api_base.to_string();
        Some(Self {
            api_base,
            token,
            session: stored.session,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Credential {
        Credential {
            api_base: ApiBase::parse("http://127.0.0.1:9").unwrap(),
            token: SecretToken::new("chp_tokenvalue".into()),
            session: Session {
                id: "s1".into(),
                api_base: "http://127.0.0.1:9".into(),
                kind: "choreo-pat".into(),
                masked: "chp_…alue".into(),
                user_id: "u".into(),
                pat_id: "p".into(),
                organization: Organization {
                    id: "1".into(),
                    uuid: "o".into(),
                    handle: "h".into(),
                    name: "n".into(),
                },
                scopes: vec!["a".into()],
                valid_until: None,
                created_at: "2026-01-01T00:00:00Z".into(),
            },
        }
    }

    #[test]
    fn the_stored_form_round_trips() {
        let c = sample();
        let json = c.to_stored_json();
        assert!(json.contains("\"token\":\"chp_tokenvalue\""));
        assert_eq!(Credential::from_stored_json(&json), Some(c));
        assert_eq!(Credential::from_stored_json("{}"), None);
        // A token that would need escaping is not one intake accepts: the store is corrupt.
        let quoted = json.replace("chp_tokenvalue", r#"chp_token\"value"#);
        assert_eq!(Credential::from_stored_json(&quoted), None);
    }

    #[test]
    fn a_token_sharing_a_run_with_the_api_base_leaves_the_base_readable() {
        let mut c = sample();
        c.token = SecretToken::new("chp_x127.0.0.1:9x".into());
        let json = c.to_stored_json();
        let read = Credential::from_stored_json(&json).expect("read back");
        assert_eq!(read.session.api_base, "http://127.0.0.1:9");
        assert!(Credential::from_stored_json(&read.to_stored_json()).is_some());
    }

    #[test]
    fn debug_of_a_credential_is_redacted() {
        assert!(!format!("{:?}", sample()).contains("tokenvalue"));
    }
}
