#!/usr/bin/env bash
# A short libFuzzer run of each target, seeded with every vector's input. Fixed seed and run count,
# so CI explores the same inputs every time; explore further by hand with e.g.
# `cargo +nightly fuzz run inspect -- -max_total_time=600` from core/.
set -euo pipefail
cd "$(dirname "$0")"
runs=${RUNS_PER_TARGET:-300000}
mkdir -p corpus/inspect corpus/jwt corpus/api corpus/stored
# Seed with the raw input bytes of every vector.
python3 - <<'PY'
import base64, glob, hashlib, json, os
for path in glob.glob("../../tests/vectors/*.json"):
    v = json.load(open(path))
    data = base64.b64decode(v["inputBase64"]) if "inputBase64" in v else v["input"].encode()
    open(os.path.join("corpus/inspect", hashlib.sha1(data).hexdigest()), "wb").write(data)
    # Every scripted API answer: a status byte (< 128 is 200), the body, NUL, WWW-Authenticate.
    for r in v.get("login", {}).get("responses", []):
        body = r["bodyText"].encode() if "bodyText" in r else json.dumps(r.get("body")).encode()
        header = r.get("headers", {}).get("www-authenticate", "").encode()
        seed = bytes([0 if r.get("status", 200) < 300 else 200]) + body + b"\0" + header
        open(os.path.join("corpus/api", hashlib.sha1(seed).hexdigest()), "wb").write(seed)
        if "session" in v.get("expect", {}) and v["expect"]["session"]:
            stored = json.dumps({"token": v.get("input", "").strip(), "session": v["expect"]["session"]})
            open(os.path.join("corpus/stored", hashlib.sha1(stored.encode()).hexdigest()), "w").write(stored)
PY
cd ..   # cargo fuzz runs from the crate that holds fuzz/
for target in inspect jwt api stored; do
  echo "fuzz $target: $runs runs"
  cargo +nightly fuzz run "$target" "fuzz/corpus/$target" -- -seed=1 -runs="$runs" -max_len=20000 2>&1 | tail -n 2
done
