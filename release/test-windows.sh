#!/usr/bin/env bash
# Runs the shipped Windows binary (target/dist's .zip, checked against SHA256SUMS) under Wine
# against the reference server on loopback: `token inspect` on UTF-8 and UTF-16 input, login
# with the default store (Wine's Credential Manager), login with --insecure-storage,
# `auth status`, `auth token`, `logout`. Checks exit codes and the stable parts of the output
# (`--json` codes, masked tokens), and where each store put the token.
#
# Usage: release/test-windows.sh   (after release/build.sh [--native])
# Needs Debian's wine and wine64 (8.0) and gcc-mingw-w64-x86-64 (tests/setup.sh installs them).
# KEEP_TMP=1 keeps the Wine prefix and the unpacked archive.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
name=choreo-$version-x86_64-pc-windows-gnu
[[ -f target/dist/$name.zip ]] || { echo "test-windows: run release/build.sh first" >&2; exit 1; }
cargo build -q --locked -p choreo-reference-server

work=$(mktemp -d)
server_pid=""
cleanup() {
  exec 3>&- 2>/dev/null || true
  [[ -n "$server_pid" ]] && wait "$server_pid" 2>/dev/null || true
  # wineserver lingers a few seconds after the last program; stop this prefix's now.
  WINEPREFIX="$work/prefix" wineserver -k 2>/dev/null || true
  if [[ "${KEEP_TMP:-0}" == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

(cd target/dist && sha256sum --quiet -c --ignore-missing SHA256SUMS)
unzip -q "target/dist/$name.zip" -d "$work"
bin=$work/$name
# Test-only: Debian's Wine 8 has no bcryptprimitives.dll (release/wine/bcryptprimitives.c).
x86_64-w64-mingw32-gcc -shared -O2 -o "$bin/bcryptprimitives.dll" release/wine/bcryptprimitives.c

export WINEPREFIX=$work/prefix WINEDEBUG=-all
# No Mono or Gecko install prompts: the CLI needs neither.
export WINEDLLOVERRIDES="mscoree=;mshtml="
unset DISPLAY WAYLAND_DISPLAY
# Whatever the caller has set would change what the binary does.
unset CHOREO_TOKEN CHOREO_API CHOREO_CONFIG_DIR
wine=wine

# choreo.exe with the rest of the arguments; stdin, stdout, stderr as given. Sets $rc.
choreo() {
  rc=0
  "$wine" "$bin/choreo.exe" "$@" || rc=$?
}
failures=0
check() { # description, then a command that must succeed
  local what=$1; shift
  if "$@"; then echo "ok - $what"; else echo "not ok - $what" >&2; failures=$((failures + 1)); fi
}
# Whether Wine's Credential Manager holds keyring's entry for an account on the api base
# (target `API#ORG-UUID.choreo-cli`: keyring's user name is the account's key).
in_credential_manager() {
  "$wine" reg query "HKCU\\Software\\Wine\\Credential Manager" 2>/dev/null | tr -d '\r' |
    grep -qF "Generic: $api#"
}
not_in_credential_manager() { ! in_credential_manager; }
field() { # file, then a Python expression over the parsed JSON `j`
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# The reference server, natively on loopback; it exits when fd 3 (its stdin) closes.
mkfifo "$work/server-in"
target/debug/choreo-reference-server --exit-on-stdin-eof <"$work/server-in" >"$work/server-out" 2>/dev/null &
server_pid=$!
exec 3>"$work/server-in"
for _ in $(seq 200); do grep -q '^ready$' "$work/server-out" 2>/dev/null && break; sleep 0.05; done
api=$(sed -n 's/^api: //p' "$work/server-out")
token=$(sed -n 's/^token: //p' "$work/server-out")
[[ -n "$api" && -n "$token" ]] || { echo "test-windows: the reference server did not start" >&2; exit 1; }
printf '%s\r\n' "$token" >"$work/token.txt"
masked="chp_…${token: -4}"

# The prefix's first start prints wineboot's notes; later runs are quiet.
"$wine" wineboot --init >/dev/null 2>&1
echo "== $("$wine" "$bin/choreo.exe" --version) under $("$wine" --version)"

choreo token inspect --json <"$work/token.txt" >"$work/out.json"
check "token inspect, UTF-8 with CRLF: exit 0" test "$rc" = 0
check "token inspect, UTF-8: a checksummed Choreo PAT" \
  test "$(field "$work/out.json" '(j["kind"], j["checksum"], j["masked"])')" = "('choreo-pat', 'valid', '$masked')"

# As Windows PowerShell 5.1's `>` writes it: UTF-16LE with a byte order mark.
python3 -c 'import sys; sys.stdout.buffer.write(b"\xff\xfe" + (sys.argv[1] + "\r\n").encode("utf-16-le"))' \
  "$token" >"$work/token-utf16.txt"
choreo token inspect --json <"$work/token-utf16.txt" >"$work/out.json"
check "token inspect, UTF-16: exit 2" test "$rc" = 2
check "token inspect, UTF-16: utf16-encoding" \
  test "$(field "$work/out.json" '[p["code"] for p in j["problems"]]')" = "['utf16-encoding']"

appdata=$WINEPREFIX/drive_c/users/${USER:-$(id -un)}/AppData/Roaming/choreo
choreo login --with-token --api "$api" <"$work/token.txt" >"$work/out.txt" 2>&1
check "login, default store: exit 0" test "$rc" = 0
check "login, default store: a credential in Wine's Credential Manager" in_credential_manager
check "login, default store: no plaintext credentials file" test ! -e "$appdata/credentials.json"
choreo auth token --api "$api" >"$work/out.txt"
check "auth token reads it back from the Credential Manager" test "$rc:$(tr -d '\r' <"$work/out.txt")" = "0:$token"
choreo auth status --json --api "$api" >"$work/out.json"
check "auth status --json, default store: exit 0" test "$rc" = 0
check "auth status --json: the masked token" grep -qF "\"$masked\"" "$work/out.json"

choreo login --with-token --insecure-storage --api "$api" <"$work/token.txt" >"$work/out.txt" 2>&1
check "login --insecure-storage: exit 0" test "$rc" = 0
check "login --insecure-storage: credentials.json under AppData\\Roaming\\choreo" \
  grep -qF "$token" "$appdata/credentials.json"
choreo auth status --api "$api" >"$work/out.txt" 2>&1
check "auth status, file store: exit 0" test "$rc" = 0
check "auth status: the masked token, never the token" \
  sh -c 'grep -qF "$1" "$3" && ! grep -qF "$2" "$3"' sh "$masked" "$token" "$work/out.txt"

choreo logout --api "$api" >"$work/out.txt" 2>&1
check "logout: exit 0" test "$rc" = 0
check "logout: the credentials file no longer holds the token" \
  sh -c '! grep -qsF "$1" "$2"' sh "$token" "$appdata/credentials.json"
check "logout: nothing left in the Credential Manager" not_in_credential_manager
choreo auth status --json --api "$api" >"$work/out.json" 2>/dev/null
check "auth status after logout: exit 4, not-logged-in" \
  test "$rc:$(field "$work/out.json" 'j["code"]')" = "4:not-logged-in"

if [[ $failures -gt 0 ]]; then
  echo "test-windows: $failures check(s) failed" >&2
  exit 1
fi
echo "test-windows: all checks passed"
