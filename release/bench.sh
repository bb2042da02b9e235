#!/usr/bin/env bash
# Figures for the release artifacts: the size of each file in target/dist, and the static
# Linux binary's wall time (hyperfine) and peak RSS (GNU time) for one `choreo login
# --with-token` against the reference server on loopback, file store and OS keyring
# (gnome-keyring on a private D-Bus session).
# Usage: release/bench.sh   (after release/build.sh; needs hyperfine, /usr/bin/time, dbus,
# gnome-keyring, python3)
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
linux=choreo-$version-x86_64-unknown-linux-musl
[[ -f target/dist/$linux.tar.gz ]] || { echo "bench: run release/build.sh first" >&2; exit 1; }
cargo build -q --release --locked -p choreo-reference-server

work=$(mktemp -d)
trap 'exec 3>&-; rm -rf "$work"' EXIT
tar -xzf "target/dist/$linux.tar.gz" -C "$work"
bin=$work/$linux/choreo

echo "== sizes (bytes)"
stat -c '%s %n' target/x86_64-unknown-linux-musl/release/choreo target/x86_64-pc-windows-gnu/release/choreo.exe
(cd target/dist && stat -c '%s %n' -- *)

# The server exits when fd 3 (its stdin) closes.
mkfifo "$work/server-in"
target/release/choreo-reference-server --exit-on-stdin-eof <"$work/server-in" >"$work/server-out" 2>/dev/null &
exec 3>"$work/server-in"
until grep -q '^ready$' "$work/server-out" 2>/dev/null; do sleep 0.05; done
api=$(sed -n 's/^api: //p' "$work/server-out")
sed -n 's/^token: //p' "$work/server-out" >"$work/token"
chmod 600 "$work/token"
export CHOREO_CONFIG_DIR=$work/config

median() {
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("  median: %.1f ms" % (r["median"]*1000))' "$1"
}

echo "== static binary: login --with-token, file store"
# hyperfine 1.15 has no --input: stdin comes through its shell, whose start-up it subtracts.
hyperfine --warmup 5 --runs 200 --export-json "$work/run.json" \
  "$bin login --with-token --api $api --insecure-storage <$work/token" | grep -v -e '^ *$' -e Warning
median "$work/run.json"
/usr/bin/time -v "$bin" login --with-token --api "$api" --insecure-storage <"$work/token" 2>&1 \
  | grep 'Maximum resident'

echo "== static binary: login --with-token, OS keyring (gnome-keyring)"
export XDG_DATA_HOME=$work/keyring
dbus-run-session -- sh -c '
  printf test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  hyperfine --warmup 3 --runs 50 --export-json "$4" "$1 login --with-token --api $2 <$3" | grep -v -e "^ *$" -e Warning
  python3 -c "import json,sys; r=json.load(open(sys.argv[1]))[\"results\"][0]; print(\"  median: %.1f ms\" % (r[\"median\"]*1000))" "$4"
  /usr/bin/time -v "$1" login --with-token --api "$2" <"$3" 2>&1 | grep "Maximum resident"
  "$1" logout --api "$2" >/dev/null 2>&1
' sh "$bin" "$api" "$work/token" "$work/run.json" 2>&1 | grep -v 'fd limit'
