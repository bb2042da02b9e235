//! `tests/scan-vectors/`: texts and the findings `token scan` must report in them, computed
//! without this code (their generator counted lines and characters in Python). Each is checked
//! whole and fed in chunks of many sizes, which must not change a single finding.

#[path = "../../tests/vector_files.rs"]
mod vector_files;

use choreo_auth_core::checksum;
use choreo_auth_core::finder::{Finder, Finding, OVERLAP};
use proptest::prelude::*;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ScanVector {
    name: String,
    #[allow(dead_code)]
    description: String,
    input: String,
    near_misses: bool,
    expect: serde_json::Value,
}

fn vectors() -> Vec<ScanVector> {
    vector_files::scan()
        .iter()
        .map(|p| serde_json::from_str(&vector_files::read(p)).unwrap())
        .collect()
}

/// Feeds `text` in chunks of `size` new bytes, as a host reading a file does: what a call
/// leaves unconsumed starts the next chunk.
fn streamed(text: &[u8], size: usize, near_misses: bool) -> Vec<Finding> {
    let mut stream = Finder::builtin().stream(near_misses);
    let (mut out, mut buf, mut next) = (Vec::new(), Vec::new(), 0);
    loop {
        let end = (next + size).min(text.len());
        buf.extend_from_slice(&text[next..end]);
        next = end;
        let last = next == text.len();
        let consumed = stream.scan(&buf, last, &mut out);
        if last {
            assert_eq!(consumed, buf.len());
            return out;
        }
        buf.drain(..consumed);
    }
}

const SIZES: [usize; 9] = [1, 2, 7, 39, 40, 41, OVERLAP, OVERLAP + 1, 4096];

#[test]
fn every_scan_vector_finds_what_it_expects() {
    let vectors = vectors();
    assert!(vectors.len() >= 8);
    for v in vectors {
        let found = Finder::builtin().find_all(v.input.as_bytes(), v.near_misses);
        assert_eq!(
            serde_json::to_value(&found).unwrap(),
            v.expect,
            "{}",
            v.name
        );
        for size in SIZES {
            let chunked = streamed(v.input.as_bytes(), size, v.near_misses);
            assert_eq!(chunked, found, "{} in chunks of {size}", v.name);
        }
    }
}

#[test]
fn long_texts_give_the_same_findings_in_chunks_of_any_size() {
    let mut n = 0u8;
    let mut pat = || {
        checksum::mint("chp_", || {
            n = n.wrapping_mul(31).wrapping_add(17);
            n
        })
    };
    let mut text = String::new();
    for i in 0..40 {
        text.push_str(&"word é ".repeat(i * 7 % 23));
        text.push_str(&pat());
        text.push_str(if i % 3 == 0 { "\n" } else { " " });
        // A near miss: the checksum of another body.
        let other = pat();
        text.push_str(&format!("{}{} ", &pat()[..34], &other[34..]));
        text.push_str(&"\n".repeat(i % 4));
    }
    let whole = Finder::builtin().find_all(text.as_bytes(), true);
    assert_eq!(whole.len(), 80);
    for size in SIZES {
        assert_eq!(
            streamed(text.as_bytes(), size, true),
            whole,
            "chunks of {size}"
        );
    }
}

/// Pieces of text where tokens, near misses and their neighbours meet.
fn piece() -> impl Strategy<Value = String> {
    let pat = checksum::mint("chp_", || 7);
    let near = format!("{}{}", &pat[..34], &checksum::mint("chp_", || 9)[34..]);
    prop_oneof![
        Just(pat),
        Just(near),
        Just("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".to_owned()),
        Just("AKIAIOSFODNN7EXAMPLE".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("é😀".to_owned()),
        "[ a-z_+~./=-]{0,6}",
        "[A-Z0-9]{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn chunks_never_change_the_findings_and_places_are_where_the_text_says(
        pieces in prop::collection::vec(piece(), 0..80),
        size in 1usize..700,
        near_misses in any::<bool>(),
    ) {
        let text = pieces.concat();
        let whole = Finder::builtin().find_all(text.as_bytes(), near_misses);
        prop_assert_eq!(&streamed(text.as_bytes(), size, near_misses), &whole);
        for f in &whole {
            let before = &text[..f.offset as usize];
            let line = before.matches('\n').count() as u64 + 1;
            let column = before.rsplit('\n').next().unwrap().chars().count() as u64 + 1;
            prop_assert_eq!((f.line, f.column), (line, column));
            let token = &text[f.offset as usize..f.offset as usize + f.length];
            prop_assert!(token.starts_with(f.masked.split('…').next().unwrap()));
        }
    }
}
