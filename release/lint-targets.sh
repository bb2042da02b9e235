#!/usr/bin/env bash
# Clippy (-D warnings) on the native CLI for the release targets other than this machine's:
# Windows (x86_64-pc-windows-gnu, mingw-w64 compiles ring's C) and macOS (x86_64-apple-darwin:
# its Rust only, type-checked and linted; ring's C needs the macOS SDK, so release/macos/stub-cc.sh
# stands in for the compiler and nothing is linked). Needs tests/setup.sh's rustup targets.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo clippy -q --locked -p choreo-cli --target x86_64-pc-windows-gnu -- -D warnings
echo "lint-targets: x86_64-pc-windows-gnu clean"
CC_x86_64_apple_darwin="$PWD/release/macos/stub-cc.sh" AR_x86_64_apple_darwin=ar \
  cargo clippy -q --locked -p choreo-cli --target x86_64-apple-darwin -- -D warnings
echo "lint-targets: x86_64-apple-darwin clean (Rust only; ring's C not compiled)"
