#!/usr/bin/env bash
# Builds the release artifacts into target/dist/:
#   choreo-<version>-x86_64-unknown-linux-musl.tar.gz  static Linux binary, completions, man pages
#   choreo-<version>-x86_64-pc-windows-gnu.zip         choreo.exe (mingw-w64), completions
#   the npm tarball of wasm/pkg (npm pack) and the VS Code extension's .vsix
#   SHA256SUMS                                         of every file above
# Archives are reproducible: sorted, owned by 0:0, dated by the commit.
#
# Usage: release/build.sh [--native]    (--native: the two archives only, no npm or .vsix)
# Needs (tests/setup.sh installs them): rustup targets x86_64-unknown-linux-musl and
# x86_64-pc-windows-gnu, Debian musl-tools, gcc-mingw-w64-x86-64, mandoc, zip; for the packages
# `bash vscode/setup.sh` once (wasm/pkg is built by `bash wasm/build.sh` when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

native_only=0
[[ "${1:-}" == --native ]] && native_only=1

dist=$root/target/dist
stage=$root/target/dist-stage
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
# The commit's date, so the same commit gives the same archives; now outside a checkout. Not
# exported: ring's build script reruns whenever SOURCE_DATE_EPOCH changes.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
date=$(date -u -d "@$epoch" +%F)

linux=x86_64-unknown-linux-musl
windows=x86_64-pc-windows-gnu
echo "== cargo build --release ($linux, $windows)"
cargo build --release --locked -p choreo-cli --target "$linux"
cargo build --release --locked -p choreo-cli --target "$windows"
linux_bin=target/$linux/release/choreo
windows_bin=target/$windows/release/choreo.exe

# Static: no program interpreter (dynamic loader) to find on the user's machine.
if readelf -lW "$linux_bin" | grep -q INTERP; then
  echo "release: $linux_bin is dynamically linked" >&2; exit 1
fi
# The version names the commit whenever the tree is a git checkout (native/build.rs).
commit=""
if git ls-files --error-unmatch native/Cargo.toml >/dev/null 2>&1; then commit=$(git rev-parse --short=7 HEAD); fi
want="choreo $version${commit:+ ($commit)}"
have=$("$linux_bin" --version)
[[ "$have" == "$want" ]] || { echo "release: --version says '$have', expected '$want'" >&2; exit 1; }

rm -rf "$dist" "$stage"
mkdir -p "$dist" "$stage/common/completions" "$stage/common/man/man1"

echo "== completions and man pages"
for shell in bash zsh fish powershell elvish; do
  "$linux_bin" completions "$shell" >"$stage/common/completions/$shell"
done
mv "$stage/common/completions/bash" "$stage/common/completions/choreo.bash"
mv "$stage/common/completions/zsh" "$stage/common/completions/_choreo"
mv "$stage/common/completions/fish" "$stage/common/completions/choreo.fish"
mv "$stage/common/completions/powershell" "$stage/common/completions/_choreo.ps1"
mv "$stage/common/completions/elvish" "$stage/common/completions/choreo.elv"
bash -n "$stage/common/completions/choreo.bash"
cargo run -q --locked -p choreo-cli --example mangen -- "$stage/common/man/man1" "$date"
# Every page must pass mandoc's checks. The one warning left out: clap_mangen writes `.br`
# around the blank line before a "Possible values" list, which renders the same either way.
lint=$(mandoc -T lint -W warning "$stage"/common/man/man1/*.1 2>&1 | grep -v 'skipping paragraph macro: br' || true)
[[ -z "$lint" ]] || { echo "$lint" >&2; echo "release: man pages fail mandoc -T lint" >&2; exit 1; }
cp README.md LICENSE "$stage/common/"

# tar and zip with fixed order, owner and times: the same commit gives the same bytes.
pack_tar() { # dir-name
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
    -C "$stage" -cf - "$1" | gzip -9n >"$dist/$1.tar.gz"
}
pack_zip() { # dir-name
  find "$stage/$1" -exec touch -h -d "@$epoch" {} +
  (cd "$stage" && find "$1" -print | LC_ALL=C sort | zip -qX -9 "$dist/$1.zip" -@)
}

echo "== archives"
name=choreo-$version-$linux
cp -r "$stage/common" "$stage/$name"
install -m 755 "$linux_bin" "$stage/$name/choreo"
pack_tar "$name"

name=choreo-$version-$windows
mkdir -p "$stage/$name"
cp -r "$stage/common/completions" "$stage/common/README.md" "$stage/common/LICENSE" "$stage/$name/"
install -m 755 "$windows_bin" "$stage/$name/choreo.exe"
pack_zip "$name"

if [[ $native_only == 0 ]]; then
  echo "== npm package (wasm/pkg)"
  [[ -f wasm/pkg/package.json ]] || bash wasm/build.sh
  (cd "$dist" && npm pack --silent "$root/wasm/pkg" >/dev/null)

  echo "== VS Code extension"
  bash vscode/build.sh
  vsix_version=$(node -p 'require("./vscode/package.json").version')
  cp "target/vscode/choreo-auth-vscode-$vsix_version.vsix" "$dist/"
fi

(cd "$dist" && sha256sum -- * >SHA256SUMS)
rm -rf "$stage"
echo "== target/dist"
(cd "$dist" && ls -l && cat SHA256SUMS)
