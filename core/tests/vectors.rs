//! Every file in `tests/vectors/` through the native core: the output must carry exactly the
//! hand-written `codes` and equal the recorded `expect`. `BLESS=1` re-records `expect` after a
//! deliberate change; review the diff like code.

use choreo_auth_core::Code;
use choreo_auth_core::vectors::{Vector, codes_of, run};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn vector_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/vectors exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn load(path: &PathBuf) -> Vector {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_vector_yields_its_codes_and_its_recorded_output() {
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    let files = vector_files();
    assert!(
        files.len() >= 50,
        "expected the full vector set, found {}",
        files.len()
    );
    for path in &files {
        let mut vector = load(path);
        let output = run(&vector).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let codes = codes_of(&output).unwrap();
        if codes != vector.codes {
            failures.push(format!(
                "{}: codes {:?}, expected {:?}",
                vector.name, codes, vector.codes
            ));
        }
        let actual: serde_json::Value = serde_json::from_str(&output).unwrap();
        if bless {
            vector.expect = actual;
            let mut json = serde_json::to_string_pretty(&vector).unwrap();
            json.push('\n');
            std::fs::write(path, json).unwrap();
        } else if actual != vector.expect {
            failures.push(format!(
                "{}: output differs from expect\n  got: {output}",
                vector.name
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} vector(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_code_has_a_vector() {
    let mut seen = BTreeSet::new();
    for path in vector_files() {
        seen.extend(load(&path).codes);
    }
    let mut wanted: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !Code::HOST_ONLY.contains(c))
        .map(|c| c.as_str())
        .collect();
    wanted.push("network-error");
    let missing: Vec<&str> = wanted.into_iter().filter(|c| !seen.contains(*c)).collect();
    assert!(missing.is_empty(), "codes without a vector: {missing:?}");
}

#[test]
fn no_output_contains_the_token() {
    for path in vector_files() {
        let vector = load(&path);
        let output = run(&vector).unwrap();
        let input = String::from_utf8_lossy(&vector.input_bytes().unwrap()).into_owned();
        // The longest b64token run of the input is the token (or what is left of it).
        let token = input
            .split(|c: char| !(c.is_ascii_alphanumeric() || "-._~+/".contains(c)))
            .max_by_key(|s| s.len())
            .unwrap_or("");
        if token.len() >= 16 {
            assert!(
                !output.contains(token),
                "{}: output holds the token",
                vector.name
            );
        }
    }
}
