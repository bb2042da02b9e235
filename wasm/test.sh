#!/usr/bin/env bash
# Runs every test of the wasm package and the console helper page. Run wasm/build.sh first.
#
#   1. Node (node --test wasm/tests/*.test.mjs): the shared vectors (target/parity/node.json),
#      the package's require/import/types, the login flow against the reference server,
#      the page in headless Chromium (playwright-core, screenshots in target/screenshots), and
#      the vectors in Chromium (target/parity/chromium.json).
#   2. wasm-bindgen-test in headless Chromium (Debian chromium + chromium-driver): fetch under the
#      server's CORS allow-list and crypto.getRandomValues; the tape (wasm/tape) read by its
#      tape.js against JSON.parse.
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
# The runner serves the tests from this fixed loopback origin; the server allows exactly it.
port="${WASM_TEST_PORT:-18731}"
origin="http://127.0.0.1:$port"
coproc SERVER { exec "$server_bin" --port 0 --cors-origin "$origin" --exit-on-stdin-eof; }
server_pid=$SERVER_PID
# Closing the server's stdin stops it, however this script ends.
trap 'exec {SERVER[1]}>&- 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT
api=""
while read -r line <&"${SERVER[0]}"; do
  case "$line" in
    "api: "*) api="${line#api: }" ;;
    ready) break ;;
  esac
done
[[ -n "$api" ]] || { echo "wasm/test.sh: the reference server did not start" >&2; exit 1; }
# The runner gives chromedriver 5 s to listen by default; a cold start on a busy machine can take
# longer.
in_chromium() {
  CHOREO_TEST_API="$api" CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" \
    WASM_BINDGEN_TEST_DRIVER_TIMEOUT="${WASM_BINDGEN_TEST_DRIVER_TIMEOUT:-60}" \
    WASM_BINDGEN_TEST_ADDRESS="127.0.0.1:$port" \
    cargo test --target wasm32-unknown-unknown "$@"
}
in_chromium -p choreo-auth-wasm --test browser
in_chromium -p choreo-auth-tape --lib

echo "== the tape's wasm-bindgen-tests in Node"
cargo test -p choreo-auth-tape --target wasm32-unknown-unknown --lib --features tests-in-node

echo "== core's simd128 paths against their references, wasm-bindgen-test in Node"
cargo test -p choreo-auth-core --target wasm32-unknown-unknown --test simd

echo "screenshots: $target_dir/screenshots"
echo "parity: $target_dir/parity/node.json $target_dir/parity/chromium.json"
