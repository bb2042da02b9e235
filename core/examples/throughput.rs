//! Nanoseconds per inspection, for `wasm/bench/ratio.mjs` to time beside the package in
//! alternating rounds: `throughput <jwt|pat> <calls> <now|at>` prints one number.
//! `now` is `inspect_with_clock` on the system clock, as `inspectToken` reads `Date.now()`;
//! `at` is `inspect` at a fixed time, as `inspectTokenAt` takes one. Same inputs as the
//! criterion bench (the shared vectors).
use choreo_auth_core::host::Clock;
use choreo_auth_core::report;
use std::hint::black_box;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// The time `ratio.mjs` passes to `inspectTokenAt`.
const AT: i64 = 1_800_000_000;

/// What a native host reads: the OS clock (`native/src/sys.rs` has the CLI's own).
struct SystemClock;

impl Clock for SystemClock {
    fn now_unix_ms(&self) -> i64 {
        let since = SystemTime::now().duration_since(UNIX_EPOCH);
        since.map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

fn main() {
    const USAGE: &str = "usage: throughput <jwt|pat> <calls> <now|at>";
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [which, calls, clock] = args.as_slice() else {
        panic!("{USAGE}");
    };
    let name = match which.as_str() {
        "jwt" => "jwt-access-token",
        "pat" => "clean-choreo-pat",
        _ => panic!("{USAGE}"),
    };
    let calls: u32 = calls.parse().expect(USAGE);
    let path = format!(
        "{}/../tests/vectors/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let vector: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let input = vector["input"].as_str().unwrap().trim_end().to_owned();
    let run: Box<dyn Fn(u32)> = match clock.as_str() {
        "now" => Box::new(|n| {
            for _ in 0..n {
                black_box(report::inspect_with_clock(
                    black_box(input.as_bytes()),
                    &SystemClock,
                ));
            }
        }),
        "at" => Box::new(|n| {
            for _ in 0..n {
                black_box(report::inspect(black_box(input.as_bytes()), black_box(AT)));
            }
        }),
        _ => panic!("{USAGE}"),
    };
    run(calls / 2);
    let start = Instant::now();
    run(calls);
    println!(
        "{:.1}",
        start.elapsed().as_nanos() as f64 / f64::from(calls)
    );
}
