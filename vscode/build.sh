#!/usr/bin/env bash
# Packages the extension as target/vscode/choreo-auth-vscode-<version>.vsix.
#
# The vsix carries @choreo/auth's Node build (wasm/pkg/nodejs) copied into dist/choreo-auth/:
# a `file:` dependency on wasm/pkg would be a symlink in node_modules, which vsce does not
# follow into the package. wasm/pkg is built by `bash wasm/build.sh` when it is missing (or
# always with CHOREO_REBUILD_WASM=1). Needs `bash vscode/setup.sh` once (vsce wants Node >= 22).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
nodejs=$root/wasm/pkg/nodejs
export PATH="$here/.tools/node/bin:$PATH"

if [[ "${CHOREO_REBUILD_WASM:-0}" == 1 || ! -d "$root/wasm/pkg" ]]; then
  bash "$root/wasm/build.sh"
fi
if [[ ! -x "$here/node_modules/.bin/vsce" ]]; then
  echo "build: run bash vscode/setup.sh first" >&2
  exit 1
fi

# wasm/build.sh rebuilds wasm/pkg/* from scratch: wait out a build that is running right now.
files=(index.js boundary.js fetch.js tape.js choreo_auth_wasm.js choreo_auth_wasm_bg.wasm package.json)
for _ in $(seq 120); do
  missing=0
  for f in "${files[@]}"; do [[ -f "$nodejs/$f" ]] || missing=1; done
  [[ $missing == 0 ]] && break
  sleep 1
done
[[ $missing == 0 ]] || { echo "build: $nodejs is incomplete; run bash wasm/build.sh" >&2; exit 1; }

rm -rf "$here/dist"
mkdir -p "$here/dist/choreo-auth"
cp "${files[@]/#/$nodejs/}" "$here/dist/choreo-auth/"

version=$(node -p 'require(process.argv[1]).version' "$here/package.json")
out=$root/target/vscode/choreo-auth-vscode-$version.vsix
mkdir -p "$(dirname "$out")"
cd "$here"
# README links resolve into the repository's vscode/ folder (vsce ignores repository.directory).
repo=$(node -p 'const r = require("./package.json").repository; r.url.replace(/\.git$/, "") + "/%s/HEAD/" + r.directory')
# --no-dependencies: the extension has no runtime npm dependency (the wasm package is in dist/).
node_modules/.bin/vsce package --no-dependencies --out "$out" \
  --baseContentUrl "$(printf "$repo" blob)" --baseImagesUrl "$(printf "$repo" raw)"
echo "build: $out ($(stat -c %s "$out") bytes)"
