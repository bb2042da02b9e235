#!/usr/bin/env bash
# Runs ALL native tests in one command: unit tests, and end-to-end tests of the real `choreo`
# binary against the real reference server, including the keyring tests against a real
# Secret Service (gnome-keyring on a private D-Bus session). CHOREO_TEST_KEYRING=1 makes the
# keyring tests required: without a working keyring they fail instead of skipping.
# Needs Debian's dbus and gnome-keyring. Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build -p choreo-reference-server

# A throwaway keyring, so the tests never touch the user's own.
keyring_home="$(mktemp -d)"
trap 'rm -rf "$keyring_home"' EXIT
export XDG_DATA_HOME="$keyring_home"

dbus-run-session -- sh -c '
  set -e
  printf test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  CHOREO_TEST_KEYRING=1 cargo test -p choreo-cli "$@"
' sh "$@"
