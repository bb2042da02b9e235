#!/usr/bin/env bash
# The main job, end to end: start the reference Choreo API server on loopback, pipe its demo PAT
# into `choreo login --with-token`, show `choreo auth status`, then log out; then the same
# status from a Choreo STS token in CLOUD_STS_TOKEN, which nothing stores. Nothing outside a
# temporary config dir (and, when gnome-keyring is installed, a throwaway keyring) is touched.
set -euo pipefail
cd "$(dirname "$0")"

if [ -z "${CHOREO_DEMO_INNER:-}" ] && command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  # A private session bus with a fresh, unlocked Secret Service (the CLI's default storage), its
  # keyring in a throwaway XDG_DATA_HOME so the user's own is never touched.
  keyrings=$(mktemp -d)
  trap 'rm -rf "$keyrings"' EXIT
  XDG_DATA_HOME="$keyrings" CHOREO_DEMO_INNER=1 dbus-run-session -- bash -c \
    'printf demo | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$0"' "$0" 2>&1 |
    grep --line-buffered -v -e '^dbus-daemon' -e 'gcr-prompter' -e 'cannot open display'
  exit "${PIPESTATUS[0]}"
fi

cargo build -q -p choreo-cli -p choreo-reference-server
bin=target/debug
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
export CHOREO_CONFIG_DIR="$work/config"
unset CHOREO_TOKEN WSO2IP_PAT CLOUD_STS_TOKEN CHOREO_API

"$bin/choreo-reference-server" > "$work/server.out" 2> "$work/server.err" &
server=$!
for _ in $(seq 100); do grep -q '^ready' "$work/server.out" 2>/dev/null && break; sleep 0.05; done
api=$(sed -n 's/^api: //p' "$work/server.out")
token_file="$work/token"
sed -n 's/^token: //p' "$work/server.out" > "$token_file"
grep -E '^(org|scopes|valid-until):' "$work/server.out" | sed 's/^/  server /'

storage=()
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  echo "(no Secret Service here: this demo stores the credential in a plaintext file, and says so)"
  storage=(--insecure-storage)
fi

step() { printf '\n$ %s\n' "$*"; }
step "choreo token inspect < token"
"$bin/choreo" token inspect < "$token_file"
step "choreo login --with-token --api $api${storage[*]:+ ${storage[*]}} < token"
"$bin/choreo" login --with-token --api "$api" "${storage[@]}" < "$token_file"
step "choreo auth status --api $api"
"$bin/choreo" auth status --api "$api"
step "choreo logout --api $api"
"$bin/choreo" logout --api "$api"

# The Choreo CLI's environment: a hosted shell sets CLOUD_STS_TOKEN, a Choreo STS access token
# (an RS256 JWT naming its organization). The reference server signs one on its admin surface.
sts_file="$work/sts"
curl -fsS -X POST "$api/admin/sts" -H 'Content-Type: application/json' -d '{"sub":"demo-user"}' |
  sed -n 's/.*"token":"\([^"]*\)".*/\1/p' > "$sts_file"
step "choreo token inspect < sts"
"$bin/choreo" token inspect < "$sts_file"
step "CLOUD_STS_TOKEN=… choreo auth status --api $api"
CLOUD_STS_TOKEN=$(cat "$sts_file") "$bin/choreo" auth status --api "$api"
if grep -rqF -f "$sts_file" "$CHOREO_CONFIG_DIR" 2>/dev/null; then
  echo "error: a file under $CHOREO_CONFIG_DIR holds the STS token" >&2
  exit 1
fi
echo "(no file under the config dir holds the STS token: environment tokens live in memory only)"
