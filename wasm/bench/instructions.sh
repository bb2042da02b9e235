#!/usr/bin/env bash
# Instructions per inspectToken call in Node, which unlike time do not depend on the load of this
# shared 2-core VM: callgrind counts two runs of wasm/bench/instructions.mjs that differ only in
# their number of calls, and the difference is divided by that number. V8 compiles on the main
# thread (no concurrent recompilation) and wasm goes straight to its optimising tier, so the
# counted calls run the code a long-running process would. Needs Debian's valgrind; about a
# minute per case. Run after wasm/build.sh:  bash wasm/bench/instructions.sh [jwt|pat ...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
count() {
  local log
  log=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    node --no-concurrent-recompilation --no-liftoff "$here/instructions.mjs" "$1" "$2" 2>&1) || {
    echo "$log" >&2
    return 1
  }
  awk '/Collected/ { print $4 }' <<<"$log"
}
cases=("$@")
[[ ${#cases[@]} -gt 0 ]] || cases=(jwt pat)
for case in "${cases[@]}"; do
  few=$(count "$case" 10000)
  many=$(count "$case" 30000)
  echo "$case: $(((many - few) / 20000)) instructions per call"
done
