#!/usr/bin/env bash
# Figures for the native CLI: wall time and peak RSS of one `choreo login --with-token`
# against the local reference server (file store, and the OS keyring on a private
# gnome-keyring), plus `token inspect`, and the release binary size.
# Needs hyperfine (Debian package), GNU time (/usr/bin/time), dbus and gnome-keyring.
# With CHOREO_BENCH_BASELINE=path/to/another/choreo, the logins are also timed side by side
# with that binary (each with its own configuration directory), in the same hyperfine runs.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -p choreo-cli -p choreo-reference-server
bin=target/release/choreo
work="$(mktemp -d)"
trap 'exec 3>&-; rm -rf "$work"' EXIT

# The server exits when fd 3 (its stdin) closes.
mkfifo "$work/server-in"
target/release/choreo-reference-server --exit-on-stdin-eof <"$work/server-in" >"$work/server-out" 2>/dev/null &
exec 3>"$work/server-in"
until grep -q '^ready$' "$work/server-out" 2>/dev/null; do sleep 0.05; done
api="$(sed -n 's/^api: //p' "$work/server-out")"
sed -n 's/^token: //p' "$work/server-out" >"$work/token"
chmod 600 "$work/token"
export CHOREO_CONFIG_DIR="$work/config"

# hyperfine plus the medians, which a machine shared with compiles disturbs least.
medians='import json,sys
for r in json.load(open(sys.argv[1]))["results"]: print("  median: %.1f ms  %s" % (r["median"]*1000, r["command"][:60]))'
bench() {
  hyperfine --export-json "$work/run.json" "$@" | grep -v -e '^ *$' -e 'Warning'
  python3 -c "$medians" "$work/run.json"
}

echo "== binary size (release, stripped)"
stat -c '%s bytes' "$bin"

echo "== login --with-token, file store"
# hyperfine 1.15 has no --input: stdin comes through its shell, whose start-up it subtracts.
bench --warmup 5 --runs 200 \
  "$bin login --with-token --api $api --insecure-storage <$work/token"

echo "== login --with-token, file store on tmpfs (same code; shows what the disk flushes cost)"
shm="$(mktemp -d -p /dev/shm)"
CHOREO_CONFIG_DIR="$shm" bench --warmup 5 --runs 200 \
  "$bin login --with-token --api $api --insecure-storage <$work/token"
rm -rf "$shm"

echo "== auth status (online: the three api requests, no write)"
bench -N --warmup 5 --runs 200 "$bin auth status --api $api"

echo "== token inspect"
bench --warmup 5 --runs 200 "$bin token inspect <$work/token"

echo "== peak RSS, login --with-token (file store)"
/usr/bin/time -v "$bin" login --with-token --api "$api" --insecure-storage <"$work/token" 2>&1 \
  | grep 'Maximum resident'

echo "== login --with-token, OS keyring (gnome-keyring on a private D-Bus session)"
export XDG_DATA_HOME="$work/keyring"
dbus-run-session -- sh -c '
  printf test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  hyperfine --warmup 3 --runs 50 --export-json "$4" "$1 login --with-token --api $2 <$3"
  python3 -c "import json,sys; r=json.load(open(sys.argv[1]))[\"results\"][0]; print(\"  median: %.1f ms\" % (r[\"median\"]*1000))" "$4"
  /usr/bin/time -v "$1" login --with-token --api "$2" <"$3" 2>&1 | grep "Maximum resident"
  "$1" logout --api "$2"
' sh "$bin" "$api" "$work/token" "$work/run.json" 2>&1 | grep -v 'fd limit'

baseline="${CHOREO_BENCH_BASELINE:-}"
if [ -n "$baseline" ]; then
  echo "== before vs after: login --with-token, file store ($baseline, then $bin)"
  bench --warmup 5 --runs 200 \
    -n before "CHOREO_CONFIG_DIR=$work/before $baseline login --with-token --api $api --insecure-storage <$work/token" \
    -n after "CHOREO_CONFIG_DIR=$work/after $bin login --with-token --api $api --insecure-storage <$work/token"
  echo "== before vs after: login --with-token, OS keyring"
  dbus-run-session -- sh -c '
    printf test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    hyperfine --warmup 3 --runs 50 --export-json "$5" \
      -n before "CHOREO_CONFIG_DIR=$6/kb $1 login --with-token --api $3 <$4" \
      -n after "CHOREO_CONFIG_DIR=$6/ka $2 login --with-token --api $3 <$4" | grep -v -e "^ *\$"
    python3 -c "$7" "$5"
  ' sh "$baseline" "$bin" "$api" "$work/token" "$work/run.json" "$work" "$medians" 2>&1 | grep -v 'fd limit'
fi
