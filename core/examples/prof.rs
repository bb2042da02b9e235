//! Instruction counts under callgrind: `valgrind --tool=callgrind target/profiling/examples/prof jwt`.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "a profiling tool reads its argument; core/clippy.toml keeps I/O out of the library"
)]
use std::hint::black_box;

#[path = "../../tests/vector_files.rs"]
mod vector_files;

fn main() {
    let jwt = vector_files::input("jwt-access-token");
    let which = std::env::args().nth(1).unwrap_or_default();
    let pat = "chp_Xq7Lm2Pz9Rt4Vw8Ny3Bc6Df1Gh5Jk01nNmox";
    for _ in 0..10_000 {
        let input = if which == "jwt" {
            jwt.as_bytes()
        } else if which == "pat" {
            pat.as_bytes()
        } else {
            continue;
        };
        black_box(choreo_auth_core::inspect(black_box(input), 1_800_000_000));
    }
}
