//! Instruction counts under callgrind: `valgrind --tool=callgrind target/profiling/examples/prof jwt`.
use std::hint::black_box;
fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/jwt-access-token.json"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let jwt = v["input"].as_str().unwrap().to_owned();
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
