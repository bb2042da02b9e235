//! `inspect` on the three shapes users paste, beside the `jsonwebtoken` crate decoding the same
//! JWT without verification (the peer). Inputs come from `tests/vectors/` so the benchmark
//! measures exactly what the tests check. Figures go to BENCHMARKS.md.

use choreo_auth_core::inspect;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const NOW: i64 = 1_800_000_000;

#[path = "../../tests/vector_files.rs"]
mod vector_files;

fn benches(c: &mut Criterion) {
    let pat = vector_files::input("clean-choreo-pat");
    let pat = pat.trim_end();
    let opaque = "x".repeat(40);
    let jwt = vector_files::input("jwt-access-token");
    assert_eq!(jwt.len(), 736);

    let mut g = c.benchmark_group("inspect");
    g.bench_function("choreo-pat (checksummed, 40 chars)", |b| {
        b.iter(|| inspect(black_box(pat.as_bytes()), NOW))
    });
    g.bench_function("opaque (40 chars)", |b| {
        b.iter(|| inspect(black_box(opaque.as_bytes()), NOW))
    });
    g.bench_function("jwt (RS256, 736 chars)", |b| {
        b.iter(|| inspect(black_box(jwt.as_bytes()), NOW))
    });
    g.bench_function("jwt → report json", |b| {
        b.iter(|| choreo_auth_core::inspect_json(black_box(jwt.as_bytes()), NOW))
    });
    g.finish();

    let mut peer = c.benchmark_group("peer jsonwebtoken");
    peer.bench_function("decode_header + insecure_decode (736 chars)", |b| {
        b.iter(|| {
            let header = jsonwebtoken::decode_header(black_box(&jwt)).unwrap();
            let claims =
                jsonwebtoken::dangerous::insecure_decode::<serde_json::Value>(black_box(&jwt))
                    .unwrap();
            (header, claims)
        })
    });
    peer.finish();
}

criterion_group!(inspect_benches, benches);
criterion_main!(inspect_benches);
