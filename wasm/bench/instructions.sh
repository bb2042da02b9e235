#!/usr/bin/env bash
# Instructions per inspectToken call in Node, which unlike time do not depend on the load of this
# shared 2-core VM: callgrind counts two runs of wasm/bench/instructions.mjs that differ only in
# their number of calls, and the difference is divided by that number. V8 compiles on the main
# thread (no concurrent recompilation) and wasm goes straight to its optimising tier, so the
# counted calls run the code a long-running process would. Needs Debian's valgrind; about a
# minute per case. Run after wasm/build.sh:  bash wasm/bench/instructions.sh [jwt|pat|jwt-at|pat-at|jose ...]
# (`-at`: inspectTokenAt at a fixed time, the work native `core/examples/prof.rs` counts.)
# CACHE=1 also simulates the caches and branch predictor and prints L1 instruction-cache misses,
# mispredictions and callgrind's cycle estimate (Ir + 10 x L1 misses + 100 x LL misses + 10 x
# mispredictions), which see the code size that instruction counts miss (BENCHMARKS.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sim=()
[[ "${CACHE:-}" == 1 ]] && sim=(--cache-sim=yes --branch-sim=yes)
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
# Prints callgrind's totals: Ir, then with CACHE=1 the cache and branch events.
count() {
  local log
  log=$(valgrind --tool=callgrind "${sim[@]}" --callgrind-out-file="$out" \
    node --no-concurrent-recompilation --no-liftoff "$here/instructions.mjs" "$1" "$2" 2>&1) || {
    echo "$log" >&2
    return 1
  }
  awk '/^summary:/ { $1 = ""; print }' "$out"
}
cases=("$@")
[[ ${#cases[@]} -gt 0 ]] || cases=(jwt pat)
for case in "${cases[@]}"; do
  few=$(count "$case" 10000)
  many=$(count "$case" 30000)
  node -e '
const [name, few, many] = process.argv.slice(1);
const a = few.trim().split(/\s+/).map(Number);
const d = many.trim().split(/\s+/).map((x, i) => (Number(x) - a[i]) / 20000);
if (d.length === 1) {
  console.log(`${name}: ${Math.round(d[0])} instructions per call`);
} else {
  // Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw Bc Bcm Bi Bim
  const [ir, , , i1, d1r, d1w, il, dlr, dlw, , bcm, , bim] = d;
  const est = ir + 10 * (i1 + d1r + d1w) + 100 * (il + dlr + dlw) + 10 * (bcm + bim);
  console.log(`${name}: ${Math.round(ir)} instructions, ${Math.round(i1)} L1i misses, ` +
    `${Math.round(bcm + bim)} mispredictions, estimate ${Math.round(est)} cycles per call`);
}' "$case" "$few" "$many"
done
