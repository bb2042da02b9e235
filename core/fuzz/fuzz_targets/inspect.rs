//! Any bytes through intake and recognition: no panic, a consistent report, no token echoed.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let report = choreo_auth_core::inspect(data, 1_800_000_000);
    assert_eq!(report.ok, report.first_error().is_none());
    let intake = choreo_auth_core::intake::read_token(data);
    if let Some(token) = intake.token {
        let json = choreo_auth_core::report::to_json(&report);
        // Shorter tokens can coincide with the report's own words (`stripped-assignment` is a
        // valid 19-character token); real tokens are 36 characters and more.
        if token.len() >= 24 {
            assert!(!json.contains(token.expose()));
        }
        // Idempotent on what it accepts.
        let again = choreo_auth_core::intake::read_token(token.expose().as_bytes());
        assert!(again.problems.is_empty());
        assert_eq!(again.token.as_ref().map(|t| t.expose()), Some(token.expose()));
    }
});
