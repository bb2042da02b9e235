#!/usr/bin/env bash
# Runs every test of the wasm package and the console helper page. Run wasm/build.sh first.
#
#   1. Node (node --test wasm/tests/*.test.mjs): the shared vectors (target/parity/node.json),
#      the package's require/import/types, the login flow against the reference server,
#      the page in headless Chromium (playwright-core, screenshots in target/screenshots), and
#      the vectors in Chromium (target/parity/chromium.json).
#   2. wasm-bindgen-test in headless Chromium (Debian chromium + chromium-driver): the tape
#      (wasm/tape) read by its tape.js against JSON.parse.
#   3. The tape's tests in Node.
#   4. Core's simd128 code against its references (core/tests/simd.rs), wasm-bindgen-test in Node.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
# The wasm-bindgen tests build core as the package is built (build.sh), so its simd128 paths run.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Ctarget-feature=+simd128"

if [[ ! -f wasm/pkg/package.json || ! -d "$target_dir/wasm-vectors" ]]; then
  echo "wasm/test.sh: run wasm/build.sh first" >&2
  exit 1
fi
if [[ ! -d node_modules/playwright-core ]]; then
  npm ci --no-audit --no-fund
fi
cargo build -p choreo-reference-server
server_bin="$target_dir/debug/choreo-reference-server"

echo "== node --test wasm/tests"
CHOREO_SERVER_BIN="$server_bin" node --test wasm/tests/

echo "== wasm-bindgen-test in headless Chromium"
# The runner gives chromedriver 5 s to listen by default; a cold start on a busy machine can take
# longer.
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" \
  WASM_BINDGEN_TEST_DRIVER_TIMEOUT="${WASM_BINDGEN_TEST_DRIVER_TIMEOUT:-60}" \
  cargo test --target wasm32-unknown-unknown -p choreo-auth-tape --lib

echo "== the tape's wasm-bindgen-tests in Node"
cargo test -p choreo-auth-tape --target wasm32-unknown-unknown --lib --features tests-in-node

echo "== core's simd128 paths against their references, wasm-bindgen-test in Node"
cargo test -p choreo-auth-core --target wasm32-unknown-unknown --test simd

echo "screenshots: $target_dir/screenshots"
echo "parity: $target_dir/parity/node.json $target_dir/parity/chromium.json"
