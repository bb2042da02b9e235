//! Nanoseconds per `inspect` call, for `wasm/bench/ratio.mjs` to time beside the package's
//! `inspectToken` in alternating rounds: `throughput <jwt|pat> <calls>` prints one number.
//! Same inputs as the criterion bench (the shared vectors).
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let (which, calls) = (
        args.next().unwrap_or_default(),
        args.next().unwrap_or_default(),
    );
    let name = match which.as_str() {
        "jwt" => "jwt-access-token",
        "pat" => "clean-choreo-pat",
        _ => panic!("usage: throughput <jwt|pat> <calls>"),
    };
    let calls: u32 = calls.parse().expect("usage: throughput <jwt|pat> <calls>");
    let path = format!(
        "{}/../tests/vectors/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let vector: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let input = vector["input"].as_str().unwrap().trim_end().to_owned();
    let run = |n: u32| {
        for _ in 0..n {
            black_box(choreo_auth_core::inspect(
                black_box(input.as_bytes()),
                1_800_000_000,
            ));
        }
    };
    run(calls / 2);
    let start = Instant::now();
    run(calls);
    println!(
        "{:.1}",
        start.elapsed().as_nanos() as f64 / f64::from(calls)
    );
}
