#!/usr/bin/env bash
# A short libFuzzer run of each target, seeded with every vector's input. Fixed seed and run count,
# so CI explores the same inputs every time; explore further by hand with e.g.
# `cargo +nightly fuzz run inspect -- -max_total_time=600` from core/.
set -euo pipefail
cd "$(dirname "$0")"
runs=${RUNS_PER_TARGET:-300000}
mkdir -p corpus/inspect corpus/jwt
# Seed with the raw input bytes of every vector.
python3 - <<'PY'
import base64, glob, hashlib, json, os
for path in glob.glob("../../tests/vectors/*.json"):
    v = json.load(open(path))
    data = base64.b64decode(v["inputBase64"]) if "inputBase64" in v else v["input"].encode()
    open(os.path.join("corpus/inspect", hashlib.sha1(data).hexdigest()), "wb").write(data)
PY
cd ..   # cargo fuzz runs from the crate that holds fuzz/
for target in inspect jwt; do
  echo "fuzz $target: $runs runs"
  cargo +nightly fuzz run "$target" "fuzz/corpus/$target" -- -seed=1 -runs="$runs" -max_len=20000 2>&1 | tail -n 2
done
