//! Nanoseconds per inspection, for `wasm/bench/ratio.mjs` to time beside the package in
//! alternating rounds: `throughput <jwt|pat> <calls> <now|at>` prints one number.
//! `now` is `inspect_with_clock` on the system clock, as `inspectToken` reads `Date.now()`;
//! `at` is `inspect` at a fixed time, as `inspectTokenAt` takes one. Same inputs as the
//! criterion bench (the shared vectors).
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "a timing tool reads its arguments and clocks; core/clippy.toml keeps I/O out of the library"
)]
use choreo_auth_core::host::Clock;
use choreo_auth_core::report;
use std::hint::black_box;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

#[path = "../../tests/vector_files.rs"]
mod vector_files;

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
    let input = vector_files::input(name).trim_end().to_owned();
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
