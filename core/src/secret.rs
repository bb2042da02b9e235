//! The one type that holds token material.

use std::fmt;
use zeroize::Zeroizing;

/// A token, kept out of `Debug`, `Display` and serde on purpose: reading it takes an explicit
/// [`SecretToken::expose`], which is easy to grep for. The buffer is zeroed on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(Zeroizing<String>);

impl SecretToken {
    /// Wraps a token. Prefer [`crate::intake::read_token`], which also checks it.
    pub fn new(token: String) -> Self {
        Self(Zeroizing::new(token))
    }

    /// The token itself, for the `Authorization` header and the credential store only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Length in characters (tokens are ASCII once accepted, so also bytes).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the token is empty (intake never produces one).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let t = SecretToken::new("chp_supersecretvalue".into());
        let shown = format!("{t:?} {:?} {:#?}", Some(&t), vec![t.clone()]);
        assert!(!shown.contains("supersecret"), "{shown}");
        assert_eq!(t.expose(), "chp_supersecretvalue");
    }
}
