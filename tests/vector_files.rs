//! Where the shared vectors are, for every Rust crate that reads them (core's tests, benches and
//! examples, the wasmtime parity tests): each includes this file with
//! `#[path = "../../tests/vector_files.rs"] mod vector_files;`, so a crate one folder below the
//! workspace root finds `tests/vectors/` the same way.
#![allow(
    dead_code,
    clippy::disallowed_methods,
    reason = "each crate uses a part; it reads files, which core/clippy.toml keeps out of core's library"
)]

use std::path::PathBuf;

/// Every `tests/vectors/*.json`, sorted by name.
pub fn all() -> Vec<PathBuf> {
    in_dir("vectors")
}

/// Every `tests/scan-vectors/*.json` (texts and the findings `token scan` reports in them).
pub fn scan() -> Vec<PathBuf> {
    in_dir("scan-vectors")
}

fn in_dir(name: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests")).join(name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vectors in {}", dir.display());
    files
}

/// A vector file's text.
pub fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `input` text of the vector `name` (`tests/vectors/<name>.json`).
pub fn input(name: &str) -> String {
    let path = format!(
        "{}/../tests/vectors/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let vector: serde_json::Value = serde_json::from_str(&text).expect("a vector is JSON");
    vector["input"]
        .as_str()
        .expect("the vector has an input")
        .to_owned()
}
