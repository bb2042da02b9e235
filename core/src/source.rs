//! Where the token a command uses comes from, and what `login` does with its token beside one
//! in the environment. Hosts report facts (is the variable set, did the keyring answer); these
//! rules decide what is stored and what the user is told.
//!
//! Choreo's own guide runs `export CHOREO_TOKEN=…` and then
//! `echo "$CHOREO_TOKEN" | choreo login --with-token`, so a login never refuses because the
//! variable is set: it stores where it can, stores nothing where only the variable can serve
//! (no keyring, no `--insecure-storage`), and says which token commands will use.

use crate::intake;
use crate::problem::{Code, Problem};
use crate::report;
use crate::secret::SecretToken;
use serde::{Deserialize, Serialize};

/// The environment variable commands use, in memory, before any stored token.
pub const CHOREO_TOKEN: &str = "CHOREO_TOKEN";

/// A place where a host keeps credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StoreKind {
    /// The OS keyring (Secret Service, macOS Keychain, Windows Credential Manager).
    Keyring,
    /// A plaintext file, only when the user asks for it (`--insecure-storage`).
    File,
}

impl StoreKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            StoreKind::Keyring => "keyring",
            StoreKind::File => "file",
        }
    }
}

/// Where the token a command uses comes from. Variables come first while they are set; a
/// later variable (another name) is one more `Env`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    /// An environment variable, read in memory and never stored.
    Env(&'static str),
    /// A credential store.
    Stored(StoreKind),
}

impl TokenSource {
    /// The name in `--json` output: `env`, `keyring` or `file`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TokenSource::Env(_) => "env",
            TokenSource::Stored(kind) => kind.as_str(),
        }
    }

    /// What users call it: `environment variable CHOREO_TOKEN`, `os keyring`, `plaintext file`.
    pub fn describe(self) -> String {
        match self {
            TokenSource::Env(name) => format!("environment variable {name}"),
            TokenSource::Stored(StoreKind::Keyring) => "os keyring".to_owned(),
            TokenSource::Stored(StoreKind::File) => "plaintext file".to_owned(),
        }
    }
}

/// How the token being logged in relates to the one in an environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvToken {
    Unset,
    /// The variable holds this very token (after the same intake repairs).
    Same {
        name: &'static str,
    },
    /// The variable holds something else, shown masked.
    Different {
        name: &'static str,
        masked: String,
    },
}

impl EnvToken {
    /// Compares the token a login verified with the raw value of variable `name`, if set, read
    /// through the same intake as piped input (so a trailing newline or `Bearer ` still match).
    pub fn compare(
        token: &SecretToken,
        name: &'static str,
        value: Option<&[u8]>,
        now_unix: i64,
    ) -> Self {
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            return EnvToken::Unset;
        };
        let same = intake::borrow(value)
            .token
            .is_some_and(|t| equal_in_constant_time(t.as_bytes(), token.expose().as_bytes()));
        if same {
            return EnvToken::Same { name };
        }
        let masked = report::inspect(value, now_unix)
            .masked
            .unwrap_or_else(|| "…".to_owned());
        EnvToken::Different { name, masked }
    }
}

/// Equal lengths are compared without an early exit, so timing tells nothing of the content.
fn equal_in_constant_time(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The masked form of `text` if it is a token found where no token belongs (a command-line
/// argument): a known format (a Choreo PAT, a JWT, another service's token), or an opaque run
/// a login would accept. Hosts show the mask, never the text.
pub fn mask_if_token(text: &str) -> Option<String> {
    let report = report::inspect(text.as_bytes(), 0);
    let token_like = report.ok || report.kind.as_deref().is_some_and(|k| k != "opaque");
    token_like.then(|| report.masked.unwrap_or_else(|| "…".to_owned()))
}

/// What a host knows when a login has verified its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginFacts {
    pub env: EnvToken,
    /// The user asked for the plaintext file (`--insecure-storage`).
    pub insecure_storage: bool,
    /// Whether the OS keyring answered. Hosts assume it does until a write says otherwise, so
    /// a login costs no extra keyring round trip.
    pub keyring_reachable: bool,
}

/// Where a login's credential goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    In(StoreKind),
    /// Nothing is written: the environment variable already serves this environment.
    Nothing,
    /// No store may be used: the login fails with the store's own error (storage fails closed).
    FailClosed,
}

/// The decision for one login: where the credential goes and what to tell the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginPlan {
    pub storage: Storage,
    /// Notices and warnings about the environment variable, to show with the login.
    pub notes: Vec<Problem>,
}

/// Decides where a verified login's credential goes:
///
/// | `--insecure-storage` | keyring   | variable     | stored in | note                   |
/// |----------------------|-----------|--------------|-----------|------------------------|
/// | yes                  | any       | any          | file      | per variable, below    |
/// | no                   | reachable | any          | keyring   | per variable, below    |
/// | no                   | no        | same token   | nothing   | `env-token-only`       |
/// | no                   | no        | unset, other | fails     | (`env-token-differs`)  |
///
/// The same token in the variable adds `env-token-in-use`; another one `env-token-differs`.
pub fn plan_login(facts: &LoginFacts) -> LoginPlan {
    let env_note = match &facts.env {
        EnvToken::Unset => None,
        EnvToken::Same { name } => Some(Problem::new(
            Code::EnvTokenInUse,
            format!("{name} holds this token; commands use {name} first while it is set"),
        )),
        EnvToken::Different { name, masked } => Some(Problem::new(
            Code::EnvTokenDiffers,
            format!(
                "{name} holds another token ({masked}); commands keep using it first while it \
                 is set: unset it to use the token just logged in"
            ),
        )),
    };
    let (storage, notes) = if facts.insecure_storage {
        (Storage::In(StoreKind::File), env_note)
    } else if facts.keyring_reachable {
        (Storage::In(StoreKind::Keyring), env_note)
    } else if let EnvToken::Same { name } = facts.env {
        let note = Problem::new(
            Code::EnvTokenOnly,
            format!(
                "no os keyring is reachable, so nothing was stored: commands in this \
                 environment use {name}; log in with --insecure-storage to keep a plaintext copy"
            ),
        );
        (Storage::Nothing, Some(note))
    } else {
        (Storage::FailClosed, env_note)
    };
    LoginPlan {
        storage,
        notes: notes.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;
    const TOKEN: &str = "chp_M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq11T4V4";

    fn env(value: Option<&str>) -> EnvToken {
        let token = SecretToken::new(TOKEN.into());
        EnvToken::compare(&token, CHOREO_TOKEN, value.map(str::as_bytes), NOW)
    }

    fn plan(
        env: EnvToken,
        insecure_storage: bool,
        keyring_reachable: bool,
    ) -> (Storage, Vec<Code>) {
        let plan = plan_login(&LoginFacts {
            env,
            insecure_storage,
            keyring_reachable,
        });
        (plan.storage, plan.notes.iter().map(|p| p.code).collect())
    }

    #[test]
    fn the_variable_matches_after_the_same_intake_repairs_as_piped_input() {
        let same = EnvToken::Same { name: CHOREO_TOKEN };
        assert_eq!(env(Some(TOKEN)), same);
        assert_eq!(env(Some(&format!("{TOKEN}\n"))), same);
        assert_eq!(env(Some(&format!("Bearer {TOKEN}\r\n"))), same);
        assert_eq!(env(None), EnvToken::Unset);
        assert_eq!(env(Some("")), EnvToken::Unset);
        let other = env(Some("chp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa0ikvvX"));
        let EnvToken::Different { masked, .. } = &other else {
            panic!("{other:?}")
        };
        assert!(
            masked.ends_with("kvvX") && !masked.contains("aaaa"),
            "{masked}"
        );
        assert!(matches!(env(Some("junk")), EnvToken::Different { .. }));
    }

    #[test]
    fn arguments_that_are_tokens_are_masked_and_words_are_not() {
        assert_eq!(mask_if_token(TOKEN).as_deref(), Some("chp_…T4V4"));
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl";
        assert!(mask_if_token(jwt).is_some());
        let typo = TOKEN.replace('M', "N");
        assert!(
            mask_if_token(&typo).is_some(),
            "a mistyped PAT is still one"
        );
        assert!(mask_if_token("Bearer abcdefghijklmnopqrstuvwx").is_some());
        for word in [
            "status",
            "--api",
            "https://apis.choreo.dev",
            "acme",
            "--org=acme",
            "",
        ] {
            assert_eq!(mask_if_token(word), None, "{word}");
        }
    }

    #[test]
    fn a_login_beside_the_same_token_stores_where_it_can_and_says_the_variable_comes_first() {
        let same = || EnvToken::Same { name: CHOREO_TOKEN };
        assert_eq!(
            plan(same(), false, true),
            (Storage::In(StoreKind::Keyring), vec![Code::EnvTokenInUse])
        );
        assert_eq!(
            plan(same(), true, false),
            (Storage::In(StoreKind::File), vec![Code::EnvTokenInUse])
        );
        assert_eq!(
            plan(same(), false, false),
            (Storage::Nothing, vec![Code::EnvTokenOnly])
        );
    }

    #[test]
    fn without_the_same_token_in_the_variable_storage_fails_closed() {
        assert_eq!(
            plan(EnvToken::Unset, false, false),
            (Storage::FailClosed, vec![])
        );
        let other = EnvToken::Different {
            name: CHOREO_TOKEN,
            masked: "chp_…abcd".into(),
        };
        assert_eq!(
            plan(other.clone(), false, false),
            (Storage::FailClosed, vec![Code::EnvTokenDiffers])
        );
        assert_eq!(
            plan(other, false, true),
            (Storage::In(StoreKind::Keyring), vec![Code::EnvTokenDiffers])
        );
        assert_eq!(
            plan(EnvToken::Unset, false, true),
            (Storage::In(StoreKind::Keyring), vec![])
        );
        assert_eq!(
            plan(EnvToken::Unset, true, false),
            (Storage::In(StoreKind::File), vec![])
        );
    }

    #[test]
    fn notes_never_hold_the_other_token() {
        let value = "chp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa0ikvvX";
        let notes = plan_login(&LoginFacts {
            env: env(Some(value)),
            insecure_storage: false,
            keyring_reachable: true,
        })
        .notes;
        assert_eq!(notes.len(), 1);
        assert!(!format!("{notes:?}").contains("aaaaaaaa"), "{notes:?}");
    }
}
