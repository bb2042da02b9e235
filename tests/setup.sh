#!/usr/bin/env bash
# Installs everything the test command needs on a fresh Debian machine with rustup, Node and npm.
# Idempotent: each step is skipped when its tool is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== setup: %s\n' "$*"; }

need_apt=()
for pair in chromium:chromium chromedriver:chromium-driver gnome-keyring-daemon:gnome-keyring dbus-run-session:dbus openssl:openssl; do
  command -v "${pair%%:*}" >/dev/null || need_apt+=("${pair#*:}")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  say "apt-get install ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# Release artifacts (release/): the static Linux build, the Windows cross build and Wine to run
# it, man page lint, archives.
need_apt=()
for pair in musl-gcc:musl-tools x86_64-w64-mingw32-gcc:gcc-mingw-w64-x86-64 wine:wine \
  /usr/lib/wine/wine64:wine64 mandoc:mandoc zip:zip unzip:unzip; do
  command -v "${pair%%:*}" >/dev/null || need_apt+=("${pair#*:}")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  say "apt-get install ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

say "rust targets"
rustup target add wasm32-unknown-unknown >/dev/null
# Release targets; macOS for release/lint-targets.sh only (it cannot be built here).
rustup target add x86_64-unknown-linux-musl x86_64-pc-windows-gnu x86_64-apple-darwin >/dev/null
rustup component add clippy rustfmt >/dev/null
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal >/dev/null
# The npm package's module is built with nightly's build-std (wasm/build.sh), from rust-src.
rustup component add rust-src --toolchain nightly >/dev/null

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ -n "$wb_version" ] && ! wasm-bindgen --version 2>/dev/null | grep -qF "$wb_version"; then
  say "cargo install wasm-bindgen-cli $wb_version"
  # --locked fails against this registry mirror (a locked dependency version is missing).
  cargo install -q wasm-bindgen-cli --version "$wb_version"
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  say "cargo install cargo-fuzz"
  cargo install -q cargo-fuzz
fi

# Debian's package: pip refuses to install into Debian's own Python (PEP 668).
if ! command -v pre-commit >/dev/null; then
  say "apt-get install pre-commit (native/tests/scan.rs runs the token scan hook with it)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pre-commit >/dev/null
fi

# The Python host's tests (python/): PyPI wasmtime and pytest, pinned, in a virtualenv of their
# own (python/.venv), as Debian's Python refuses pip installs into itself (PEP 668).
venv=python/.venv
if ! "$venv/bin/python" -c '' 2>/dev/null; then
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    say "apt-get install python3-venv"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  fi
  say "python3 -m venv $venv"
  # --clear: a virtualenv whose Python is gone (another pyenv version) is made again.
  python3 -m venv --clear "$venv"
fi
if ! "$venv/bin/python" -c 'import importlib.metadata as m, sys; sys.exit(m.version("wasmtime") != "50.0.1" or m.version("pytest") != "9.2.0")' 2>/dev/null; then
  say "pip install wasmtime==50.0.1 pytest==9.2.0 into $venv (python/tests)"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check wasmtime==50.0.1 pytest==9.2.0
fi

say "npm ci"
npm ci --no-audit --no-fund --loglevel=error
