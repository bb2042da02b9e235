#!/usr/bin/env bash
# The one test command: installs what is missing, then runs every check and test of the project.
# Usage: tests/run.sh            (from anywhere; about 15-25 minutes cold on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

section() { printf '\n======== %s  [%s, %ss in]\n' "$*" "$(date -u +%H:%M:%S)" "$SECONDS"; }

section "setup"
bash tests/setup.sh

section "format, lints, docs"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
# The protocol's exports and imports only exist for wasm32; the host run above does not see them.
cargo clippy -p choreo-auth-abi --target wasm32-unknown-unknown --all-targets --locked -- -D warnings
# The package as wasm/build.sh builds it: core's simd128 code exists only there.
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Ctarget-feature=+simd128" \
  cargo clippy -p choreo-auth-wasm --target wasm32-unknown-unknown --all-targets --locked -- -D warnings
# Core's SIMD tests as wasm/test.sh runs them (core's other tests are host-only).
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Ctarget-feature=+simd128" \
  cargo clippy -p choreo-auth-core --target wasm32-unknown-unknown --test simd --locked -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked -q

section "core: no I/O, builds for wasm32"
# Core's normal dependencies must not include any I/O or host crate.
if cargo tree -p choreo-auth-core -e normal --prefix none --locked | grep -E '^(tokio|reqwest|wasm-bindgen|web-sys|js-sys|gloo|getrandom|mio|keyring|hyper) '; then
  echo "core depends on an I/O crate (above)"; exit 1
fi
# OS calls in core's code are clippy errors (core/clippy.toml), checked in "format, lints, docs".
cargo build -p choreo-auth-core --target wasm32-unknown-unknown --locked -q
echo "core: no I/O dependency, wasm32-unknown-unknown build ok"

section "rust tests (core, vectors, properties, server, host protocol, wasmtime parity)"
# Core dev-depends on itself with `vectors`, so its vector tests always run here.
cargo test --workspace --exclude choreo-cli --locked

section "Python host: the protocol's module under PyPI wasmtime, real server"
# The module and the server are built by the Rust tests above: cargo is a no-op here.
# python/.venv holds the pinned wasmtime and pytest (tests/setup.sh).
python/.venv/bin/python -m pytest -q -p no:cacheprovider python/tests

section "native CLI end to end (real server, real gnome-keyring)"
bash native/test.sh

section "fuzz smoke run"
bash core/fuzz/smoke.sh

section "wasm package: build, Node, Chromium, page"
bash wasm/build.sh
bash wasm/test.sh

section "VS Code extension: .vsix, unit tests, code-server end to end"
bash vscode/setup.sh
bash vscode/test.sh

section "release: artifacts, other targets' lints, the Windows binary under Wine"
bash release/lint-targets.sh
bash release/build.sh
bash release/test-windows.sh

section "parity across hosts"
node tests/parity.mjs

section "done"
echo "all checks passed"
