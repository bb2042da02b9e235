//! Recognition rules as data: which prefixes mean which kind of token, and which are
//! checksummed. The built-in set is [`FormatRules::builtin`]; hosts may load their own JSON.

use crate::checksum;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::OnceLock;

/// Characters allowed after the prefix, when a format constrains them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Alphabet {
    /// `A-Z0-9`.
    UpperAlnum,
    /// `0-9A-Za-z`.
    Base62,
}

impl Alphabet {
    fn admits(self, s: &str) -> bool {
        match self {
            Alphabet::UpperAlnum => s
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
            Alphabet::Base62 => s.bytes().all(|b| b.is_ascii_alphanumeric()),
        }
    }
}

/// One recognisable token format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Format {
    /// Stable kind reported to users and scripts, e.g. `github-classic`.
    pub kind: Cow<'static, str>,
    /// Human name, e.g. `GitHub personal access token (classic)`.
    pub label: Cow<'static, str>,
    pub prefixes: Vec<Cow<'static, str>>,
    /// The rest is 30 base62 characters and a 6-character base62 CRC-32 (see [`crate::checksum`]).
    #[serde(default)]
    pub checksum: bool,
    /// Exact length of the rest after the prefix; other lengths are not this format.
    #[serde(default)]
    pub rest_len: Option<usize>,
    #[serde(default)]
    pub rest_alphabet: Option<Alphabet>,
    /// Fewest characters after the prefix for `token scan` to report a token of this format.
    /// Recognising one pasted token takes any length (a short paste is still refused as
    /// foreign), but in a text a prefix with a few characters after it is a mention or a
    /// placeholder (`xoxb-your-token`), not a token.
    #[serde(default)]
    pub scan_min_rest: Option<usize>,
    /// A token of another service: refused, with this label in the message.
    #[serde(default)]
    pub foreign: bool,
}

impl Format {
    /// The prefix this token starts with, if the token is of this format.
    pub fn matches<'t>(&self, token: &'t str) -> Option<&'t str> {
        let first = token.as_bytes().first();
        self.prefixes.iter().find_map(|prefix| {
            // Most prefixes differ in the first byte: skip the comparison call for those.
            if let Some(p) = prefix.as_bytes().first()
                && Some(p) != first
            {
                return None;
            }
            let rest = token.strip_prefix(prefix.as_ref())?;
            let len_ok = self.rest_len.is_none_or(|n| rest.len() == n);
            let alphabet_ok = self.rest_alphabet.is_none_or(|a| a.admits(rest));
            (len_ok && alphabet_ok).then(|| &token[..prefix.len()])
        })
    }
}

/// An ordered rule set: the first matching format wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormatRules {
    pub formats: Vec<Format>,
}

/// A built-in format as constant data: [`FormatRules::builtin`] builds the rules from these
/// in one loop, rather than in code for each format.
struct Builtin {
    kind: &'static str,
    label: &'static str,
    prefixes: &'static [&'static str],
    checksum: bool,
    rest_len: Option<usize>,
    rest_alphabet: Option<Alphabet>,
    scan_min_rest: Option<usize>,
    foreign: bool,
}

const fn format(
    kind: &'static str,
    label: &'static str,
    prefixes: &'static [&'static str],
) -> Builtin {
    Builtin {
        kind,
        label,
        prefixes,
        checksum: false,
        rest_len: None,
        rest_alphabet: None,
        scan_min_rest: None,
        foreign: true,
    }
}

const BUILTIN: &[Builtin] = &[
    Builtin {
        checksum: true,
        foreign: false,
        scan_min_rest: Some(checksum::BODY_LEN),
        ..format("choreo-pat", "Choreo personal access token", &["chp_"])
    },
    Builtin {
        checksum: true,
        scan_min_rest: Some(checksum::BODY_LEN),
        ..format(
            "github-classic",
            "GitHub token (classic)",
            &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        )
    },
    Builtin {
        // 22 characters, `_`, 59 characters.
        scan_min_rest: Some(82),
        ..format(
            "github-fine-grained",
            "GitHub fine-grained personal access token",
            &["github_pat_"],
        )
    },
    Builtin {
        checksum: true,
        scan_min_rest: Some(checksum::BODY_LEN),
        ..format("npm", "npm access token", &["npm_"])
    },
    Builtin {
        scan_min_rest: Some(20),
        ..format("gitlab-pat", "GitLab personal access token", &["glpat-"])
    },
    Builtin {
        // Real ones are numeric ids and a secret, 46 characters or more; 30 leaves
        // room for shorter legacy tokens and none for `xoxb-your-token-here`.
        scan_min_rest: Some(30),
        ..format(
            "slack",
            "Slack token",
            &["xoxb-", "xoxp-", "xoxa-", "xoxs-", "xoxc-", "xoxd-"],
        )
    },
    Builtin {
        scan_min_rest: Some(24),
        ..format(
            "stripe-secret",
            "Stripe secret key",
            &["sk_live_", "rk_live_", "sk_test_"],
        )
    },
    Builtin {
        rest_len: Some(16),
        rest_alphabet: Some(Alphabet::UpperAlnum),
        ..format("aws-access-key-id", "AWS access key id", &["AKIA", "ASIA"])
    },
];

impl FormatRules {
    /// The built-in rules, built once.
    pub fn builtin() -> &'static FormatRules {
        static RULES: OnceLock<FormatRules> = OnceLock::new();
        RULES.get_or_init(|| FormatRules {
            formats: BUILTIN
                .iter()
                .map(|b| Format {
                    kind: Cow::Borrowed(b.kind),
                    label: Cow::Borrowed(b.label),
                    prefixes: b.prefixes.iter().map(|p| Cow::Borrowed(*p)).collect(),
                    checksum: b.checksum,
                    rest_len: b.rest_len,
                    rest_alphabet: b.rest_alphabet,
                    scan_min_rest: b.scan_min_rest,
                    foreign: b.foreign,
                })
                .collect(),
        })
    }

    /// The first format this token matches, with the matched prefix.
    pub fn recognise<'r, 't>(&'r self, token: &'t str) -> Option<(&'r Format, &'t str)> {
        self.formats
            .iter()
            .find_map(|f| f.matches(token).map(|p| (f, p)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_round_trip_through_json() {
        let json = serde_json::to_string(FormatRules::builtin()).unwrap();
        let back: FormatRules = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, FormatRules::builtin());
    }

    #[test]
    fn custom_rules_load_from_json() {
        let rules: FormatRules = serde_json::from_str(
            r#"{"formats":[{"kind":"acme","label":"Acme key","prefixes":["acme_"],"foreign":true}]}"#,
        )
        .unwrap();
        let (f, prefix) = rules.recognise("acme_123").unwrap();
        assert_eq!((f.kind.as_ref(), prefix), ("acme", "acme_"));
        assert!(rules.recognise("chp_123").is_none());
    }

    #[test]
    fn aws_key_ids_need_exactly_sixteen_upper_alphanumerics() {
        let rules = FormatRules::builtin();
        assert_eq!(
            rules.recognise("AKIAIOSFODNN7EXAMPLE").unwrap().0.kind,
            "aws-access-key-id"
        );
        assert!(rules.recognise("AKIAIOSFODNN7EXAMPLEX").is_none());
        assert!(rules.recognise("AKIAiosfodnn7example").is_none());
    }
}
