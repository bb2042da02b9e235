//! Text that came from the API, or from a store an older version filled from it, made safe to
//! show before any host sees it: one rule for the terminal, the page and the editor.
//!
//! - Control characters (C0, DEL, C1: ESC/CSI, OSC 0/8/52 start with them) and the bidi
//!   controls that reorder what a reader sees (U+061C, U+200E/F, U+202A–U+202E,
//!   U+2066–U+2069) become U+FFFD, so nothing a server sends can drive a terminal or hide text.
//! - Any run of the token longer than its mask shows (more than [`MASK_SHOWS`] characters) is
//!   replaced by `[redacted]`, in the raw text, before any joining or cutting: a server that
//!   echoes the token, whole or in pieces, never gets it printed.

use crate::secret::SecretToken;
use zeroize::Zeroizing;

/// The most characters of a token's own part that its mask shows (the last four).
pub const MASK_SHOWS: usize = 4;

/// What a run of the token is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Whether `c` is replaced before any host shows it.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every unsafe character (see [`is_unsafe`]) replaced by U+FFFD.
pub fn neutralise(text: &str) -> String {
    text.chars()
        .map(|c| if is_unsafe(c) { '\u{FFFD}' } else { c })
        .collect()
}

/// Cleans text against one token: built once per answer, used for each of its strings.
#[derive(Debug)]
pub struct Cleaner {
    /// Every window of the token's bytes, one past [`MASK_SHOWS`] long, as a sorted number.
    windows: Zeroizing<Vec<u64>>,
}

const WIDTH: usize = MASK_SHOWS + 1;

/// A window's bytes as one number (`WIDTH` ≤ 8).
fn key(window: &[u8]) -> u64 {
    window.iter().fold(0, |k, &b| k << 8 | u64::from(b))
}

impl Cleaner {
    /// A cleaner that redacts runs of `token`, or only neutralises without one. Tokens are
    /// ascii (b64token), so every run starts and ends on a character boundary of a text.
    pub fn new(token: Option<&SecretToken>) -> Self {
        let secret = token.map_or(&[][..], |t| t.expose().as_bytes());
        let mut windows = Zeroizing::new(Vec::new());
        if secret.is_ascii() {
            windows.extend(secret.windows(WIDTH).map(key));
        }
        // Insertion sort: a few thousand windows at most, and std's sorts are kilobytes of wasm.
        for i in 1..windows.len() {
            let mut j = i;
            while j > 0 && windows[j - 1] > windows[j] {
                windows.swap(j - 1, j);
                j -= 1;
            }
        }
        Self { windows }
    }

    /// `text` with each run of the token longer than [`MASK_SHOWS`] characters replaced by
    /// [`REDACTED`] (in the raw text), then every unsafe character by U+FFFD.
    pub fn clean(&self, text: &mut String) {
        let redacted = self.redact(text);
        if let Some(redacted) = redacted {
            *text = redacted;
        }
        if text.chars().any(is_unsafe) {
            *text = neutralise(text);
        }
    }

    fn redact(&self, text: &str) -> Option<String> {
        let bytes = text.as_bytes();
        if self.windows.is_empty() || bytes.len() < WIDTH {
            return None;
        }
        // A window of the text that is one of the token's lies in a run of the token at least
        // `WIDTH` long, and every such run is covered by such windows.
        let mut hidden = vec![false; bytes.len()];
        for (at, window) in bytes.windows(WIDTH).enumerate() {
            if self.windows.binary_search(&key(window)).is_ok() {
                hidden[at..at + WIDTH].fill(true);
            }
        }
        if !hidden.contains(&true) {
            return None;
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        while at < bytes.len() {
            let end = (at..bytes.len())
                .find(|&i| hidden[i] != hidden[at])
                .unwrap_or(bytes.len());
            out.push_str(if hidden[at] { REDACTED } else { &text[at..end] });
            at = end;
        }
        Some(out)
    }
}

/// Cleans every string of an answer (or a stored session) in place.
pub trait Untrusted {
    fn clean(&mut self, cleaner: &Cleaner);

    /// Cleans against `token` (when known): see [`Cleaner::clean`].
    fn clean_for(&mut self, token: Option<&SecretToken>) {
        self.clean(&Cleaner::new(token));
    }
}

impl Untrusted for String {
    fn clean(&mut self, cleaner: &Cleaner) {
        cleaner.clean(self);
    }
}

impl<T: Untrusted> Untrusted for Option<T> {
    fn clean(&mut self, cleaner: &Cleaner) {
        if let Some(value) = self {
            value.clean(cleaner);
        }
    }
}

impl<T: Untrusted> Untrusted for Vec<T> {
    fn clean(&mut self, cleaner: &Cleaner) {
        for value in self {
            value.clean(cleaner);
        }
    }
}

/// `Untrusted` for a struct: every listed field is cleaned. Each module that reads a struct
/// from the API lists its fields beside it, so this module knows none of them.
macro_rules! untrusted_fields {
    ($type:ty { $($field:ident),* $(,)? }) => {
        impl $crate::untrusted::Untrusted for $type {
            fn clean(&mut self, cleaner: &$crate::untrusted::Cleaner) {
                $(self.$field.clean(cleaner);)*
            }
        }
    };
}
pub(crate) use untrusted_fields;

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaned(text: &str, token: Option<&str>) -> String {
        let token = token.map(|t| SecretToken::new(t.into()));
        let mut text = text.to_owned();
        text.clean_for(token.as_ref());
        text
    }

    #[test]
    fn terminal_and_bidi_controls_never_pass() {
        for hostile in [
            "\u{1b}[31mred\u{1b}[0m",
            "\u{1b}]0;title\u{7}",
            "\u{1b}]8;;https://evil.example\u{1b}\\link\u{1b}]8;;\u{1b}\\",
            "\u{1b}]52;c;Y3VybCBldmlsfHNo\u{7}",
            "\u{9b}31m\u{9d}0;title\u{9c}",
            "admin\u{202e}nimda\u{202c}",
            "\u{2066}x\u{2069}\u{2067}\u{2068}\u{202a}\u{202b}\u{202d}\u{200e}\u{200f}\u{61c}",
            "a\u{0}b\rc\nd\u{7f}",
        ] {
            let clean = cleaned(hostile, None);
            assert!(!clean.chars().any(is_unsafe), "{hostile:?} → {clean:?}");
            assert_eq!(
                clean.chars().count(),
                hostile.chars().count(),
                "{hostile:?}"
            );
        }
        assert_eq!(cleaned("acme-corp é 😀", None), "acme-corp é 😀");
        assert_eq!(cleaned("a\u{1b}[2Jb", None), "a\u{fffd}[2Jb");
    }

    #[test]
    fn runs_of_the_token_longer_than_the_mask_shows_are_redacted() {
        let token = "chp_Xq7Lm2Pz9Rt4Vw8Ny3Bc6Df1Gh5Jk01nNmox";
        let hidden = |text: &str| cleaned(text, Some(token));
        assert_eq!(hidden(token), REDACTED);
        assert_eq!(
            hidden(&format!("bad token {token}!")),
            "bad token [redacted]!"
        );
        // Pieces of it, each longer than the mask shows, wherever they are.
        assert_eq!(hidden("chp_Xq7Lm2Pz9R"), REDACTED);
        assert_eq!(hidden("x t4Vw8Ny3B y 1nNmox"), "x [redacted] y [redacted]");
        // What the mask shows anyway is left alone.
        assert_eq!(hidden("ends in Nmox"), "ends in Nmox");
        assert_eq!(hidden("chp_"), "chp_");
        assert_eq!(hidden("invalid_token: revoked"), "invalid_token: revoked");
        // Redacted before neutralising: a control character inside is no hiding place.
        assert_eq!(
            hidden("chp_Xq\u{1b}7Lm2Pz9"),
            "[redacted]\u{fffd}[redacted]"
        );
        assert_eq!(hidden("é chp_Xq7Lm é"), "é [redacted] é");
    }
}
