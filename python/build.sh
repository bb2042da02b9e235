#!/usr/bin/env bash
# Builds the protocol's module and copies it into the package, then the wheel into
# target/dist/python/. Usage: python/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p choreo-auth-abi --target wasm32-unknown-unknown --release --locked
# The copy is for the wheel only: left in place it would shadow later cargo builds.
trap 'rm -f python/choreo_auth/choreo_auth_abi.wasm; rm -rf python/build python/*.egg-info' EXIT
cp "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/choreo_auth_abi.wasm" python/choreo_auth/
python3 -m pip wheel -q --no-deps ./python -w "${CARGO_TARGET_DIR:-target}/dist/python"
ls "${CARGO_TARGET_DIR:-target}"/dist/python/*.whl
