//! nst/JSONTestSuite's parsing cases through core's JSON reader: every `y_` file is accepted,
//! every `n_` file refused, and each `i_` file is judged as serde_json judges it.
//!
//! The suite is not part of this repository: point `JSON_TEST_SUITE` at its `test_parsing`
//! folder (a checkout of github.com/nst/JSONTestSuite). Without it the test says so and passes,
//! unless `JSON_TEST_SUITE_REQUIRED=1`.
#![allow(
    clippy::disallowed_methods,
    reason = "a test reads the suite's files; core/clippy.toml keeps I/O out of the library"
)]

use serde_json::Value;
use std::path::PathBuf;

#[test]
fn every_y_file_is_read_and_every_n_file_refused() {
    let Some(dir) = std::env::var_os("JSON_TEST_SUITE").map(PathBuf::from) else {
        assert!(
            std::env::var_os("JSON_TEST_SUITE_REQUIRED").is_none_or(|v| v != "1"),
            "JSON_TEST_SUITE is not set"
        );
        eprintln!("JSON_TEST_SUITE is not set: nst/JSONTestSuite not run");
        return;
    };
    let mut counts = [0usize; 3];
    let mut wrong = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("JSON_TEST_SUITE is a folder") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".json") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let ours = choreo_auth_core::json::from_slice::<Value>(&bytes).is_ok();
        let expected = match &name[..2] {
            "y_" => true,
            "n_" => false,
            // Implementation-defined: core reads as serde_json does.
            "i_" => serde_json::from_slice::<Value>(&bytes).is_ok(),
            _ => continue,
        };
        counts[usize::from(&name[..2] == "n_") + 2 * usize::from(&name[..2] == "i_")] += 1;
        if ours != expected {
            wrong.push(format!(
                "{name}: {}",
                if ours { "accepted" } else { "refused" }
            ));
        }
    }
    eprintln!(
        "JSONTestSuite: {} y_, {} n_, {} i_",
        counts[0], counts[1], counts[2]
    );
    assert!(
        counts[0] > 90 && counts[1] > 180,
        "too few cases in {}",
        dir.display()
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
}
