//! Properties that hold for every input, not just the vectors.

use choreo_auth_core::intake::{MAX_INPUT_BYTES, read_token};
use choreo_auth_core::{inspect, inspect_json};
use proptest::prelude::*;

const NOW: i64 = 1_800_000_000;

/// Tokens as users have them: b64token characters, sometimes with padding.
fn token() -> impl Strategy<Value = String> {
    ("[A-Za-z0-9._~+/-]{16,120}", "={0,2}").prop_map(|(body, pad)| body + &pad)
}

/// The ways a token gets wrapped on its way to stdin.
fn wrapped(token: String) -> impl Strategy<Value = Vec<u8>> {
    (
        any::<bool>(),
        0..4usize,
        0..3usize,
        "[ \t]{0,3}",
        prop::sample::select(vec!["", "\n", "\r\n", "\n\n"]),
    )
        .prop_map(move |(bom, repair, quote, blanks, ending)| {
            let mut s = String::new();
            if bom {
                s.push('\u{FEFF}');
            }
            s.push_str(&blanks);
            let q = ["", "\"", "'"][quote];
            let inner = format!("{q}{token}{q}");
            s.push_str(&match repair {
                0 => inner,
                1 => format!("Bearer {inner}"),
                2 => format!("CHOREO_TOKEN={inner}"),
                _ => format!("export CHOREO_TOKEN={inner}"),
            });
            s.push_str(&blanks);
            s.push_str(ending);
            s.into_bytes()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn inspection_never_panics_on_any_bytes(input in prop::collection::vec(any::<u8>(), 0..600)) {
        let report = inspect(&input, NOW);
        prop_assert_eq!(report.ok, report.first_error().is_none());
        prop_assert!(report.problems.iter().all(|p| !p.message.ends_with('.')));
    }

    #[test]
    fn inspection_never_panics_on_near_tokens(s in "[ -~\t\r\n\u{feff}\u{a0}é]{0,80}") {
        inspect(s.as_bytes(), NOW);
    }

    #[test]
    fn reports_never_contain_the_token(t in token()) {
        let json = inspect_json(t.as_bytes(), NOW);
        prop_assert!(!json.contains(t.trim_end_matches('=')), "{}", json);
    }

    #[test]
    fn wrapped_tokens_come_out_whole_and_reports_stay_clean(t in token().prop_flat_map(|t| (Just(t.clone()), wrapped(t)))) {
        let (t, input) = t;
        let intake = read_token(&input);
        let got = intake.token.as_ref().map(|s| s.expose().to_owned());
        prop_assert_eq!(got.as_deref(), Some(t.as_str()));
        let json = inspect_json(&input, NOW);
        prop_assert!(!json.contains(t.trim_end_matches('=')));
    }

    #[test]
    fn intake_is_idempotent_on_what_it_accepts(input in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Some(first) = read_token(&input).token {
            let again = read_token(first.expose().as_bytes());
            prop_assert!(again.problems.is_empty());
            prop_assert_eq!(again.token.map(|t| t.expose().to_owned()), Some(first.expose().to_owned()));
        }
    }

    #[test]
    fn clean_tokens_pass_intake_untouched(t in token()) {
        let intake = read_token(t.as_bytes());
        prop_assert!(intake.problems.is_empty());
        let token = intake.token.unwrap();
        prop_assert_eq!(token.expose(), t.as_str());
    }
}

#[test]
fn oversized_input_of_any_content_is_too_long() {
    for fill in [b'a', 0, 0xFF, b'\n'] {
        let report = inspect(&vec![fill; MAX_INPUT_BYTES + 1], NOW);
        assert_eq!(report.problems.len(), 1);
        assert_eq!(report.problems[0].code.as_str(), "too-long");
    }
}
