#!/usr/bin/env bash
# The extension's tests: unit tests of the provider (node --test, a fake `vscode` module, the
# real wasm package and reference server), the package's own input and vector tests in the
# extension host's Node, then the end-to-end test in a real VS Code
# (code-server + headless Chromium). Needs `bash vscode/setup.sh` once.
# Screenshots: target/screenshots/vscode/. KEEP_TMP=1 keeps the code-server folders.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
export PATH="$here/.tools/node/bin:$PATH"

if [[ ! -x "$here/.tools/code-server/node_modules/.bin/code-server" ]]; then
  echo "test: run bash vscode/setup.sh first" >&2
  exit 1
fi
(cd "$root" && cargo build -q -p choreo-reference-server)
bash "$here/build.sh" >/dev/null

cd "$here"
echo "== unit (node $(node --version))"
node --test --test-reporter=spec test/unit/*.test.js
# The extension host runs the package in its own Node, whose TextEncoder#encodeInto (the way
# strings enter wasm memory, wasm/js/boundary.js) is other code than Node 20's: the package's
# own tests of inputs and vectors, in that Node.
echo "== the package's input and vector tests (node $(node --version))"
(cd "$root" && CHOREO_PARITY=off node --test --test-reporter=spec wasm/tests/package.test.mjs wasm/tests/vectors.test.mjs wasm/tests/scan.test.mjs)
echo "== end to end (code-server $(node -p 'require("./.tools/code-server/node_modules/code-server/package.json").version'), chromium)"
node --test --test-reporter=spec --test-timeout=300000 test/e2e.js
