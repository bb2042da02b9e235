#!/usr/bin/env bash
# Builds the npm package @choreo/auth into wasm/pkg/ and copies its web build to web-demo/pkg/.
#
# Prerequisites: the nightly toolchain with rust-src (tests/setup.sh), Node >= 20 with npm. The
# script installs what else it needs: wasm-bindgen-cli at the version in Cargo.lock (cargo
# install, ~2 min once) and the root npm devDependencies (binaryen's wasm-opt; Debian's wasm-opt
# breaks modules).
# Idempotent: every output folder is rebuilt from scratch.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
pkg="$root/wasm/pkg"
name=choreo_auth_wasm
target_dir="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"

# wasm-bindgen's CLI must be exactly the version of the crate it post-processes.
want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)"
have="$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)"
if [[ "$have" != "$want" ]]; then
  echo "installing wasm-bindgen-cli $want (found: ${have:-none})"
  # Without --locked: a locked dependency version is missing from some registry mirrors.
  cargo install wasm-bindgen-cli --version "$want"
fi

if [[ ! -x node_modules/.bin/wasm-opt ]]; then
  npm ci --no-audit --no-fund
fi

# Target-only flags, so host artifacts of the shared target dir are not rebuilt. simd128 lets
# core's byte scans vectorise (BENCHMARKS.md; every current browser, Node >= 16.4 and VS Code
# run it). The module is built by nightly's build-std with panic=immediate-abort: a panic traps
# as it does with panic=abort, but std's panic machinery and the message of every place that can
# panic are left out, about 8 KB of the gzip (BENCHMARKS.md). tests/setup.sh installs nightly
# with rust-src.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Ctarget-feature=+simd128 \
-Zunstable-options -Cpanic=immediate-abort"
if ! rustup component list --toolchain nightly --installed 2>/dev/null | grep -q '^rust-src'; then
  echo "wasm/build.sh: needs the nightly toolchain with rust-src (bash tests/setup.sh installs them)" >&2
  exit 1
fi
# Cargo.toml's `wasm` profile: release (opt-level 3, the binding crate at `z`) that keeps the
# target_features section for wasm-bindgen; wasm-opt -O3 below then optimises the module: as
# small as -Oz here, and faster.
profile=wasm
build() {
  cargo +nightly build -p choreo-auth-wasm --profile "$profile" --target wasm32-unknown-unknown \
    -Zbuild-std=std,panic_abort "$@"
}
# Rust's wasm32 target enables these proposals; wasm-opt must be told to keep them.
features=(--enable-bulk-memory --enable-mutable-globals --enable-nontrapping-float-to-int
  --enable-sign-ext --enable-reference-types --enable-multivalue --enable-simd)
wasm="$target_dir/wasm32-unknown-unknown/$profile/$name.wasm"

# The package's own JS (wasm/js) beside the glue in $1, a build for target $2: boundary.js with
# the fetch.js it imports, the tape's reader (wasm/tape/js/tape.js), and the target's entry as
# index.js. The nodejs glue is CommonJS, so there TypeScript's compiler turns the modules into
# CommonJS.
add_js() {
  local out="$1" target="$2"
  cp wasm/js/boundary.js wasm/js/fetch.js wasm/tape/js/tape.js "$out/"
  case "$target" in
    nodejs)
      node -e '
const ts = require("typescript");
const fs = require("fs");
for (const file of process.argv.slice(1)) {
  const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 };
  fs.writeFileSync(file, ts.transpileModule(fs.readFileSync(file, "utf8"), { compilerOptions: options }).outputText);
}' "$out/boundary.js" "$out/tape.js" "$out/fetch.js"
      cp wasm/js/node.cjs "$out/index.js"
      cp wasm/js/node.mjs "$out/index.mjs"
      cp wasm/js/node.d.mts "$out/index.d.mts"
      printf '{ "type": "commonjs" }\n' > "$out/package.json" ;;
    web) cp wasm/js/web.js "$out/index.js"; printf '{ "type": "module" }\n' > "$out/package.json" ;;
    bundler) cp wasm/js/index.js "$out/index.js"; printf '{ "type": "module" }\n' > "$out/package.json" ;;
  esac
}

# Test build first (feature `vectors` adds runVector, ~20 KB gzip the package does not ship):
# the same code plus the shared vector runner, for the parity tests of wasm/test.sh.
build --features vectors
vectors_pkg="$target_dir/wasm-vectors"
rm -rf "$vectors_pkg"
for target in nodejs web; do
  wasm-bindgen "$wasm" --target "$target" --out-dir "$vectors_pkg/$target" --out-name "$name"
  add_js "$vectors_pkg/$target" "$target"
done

build

rm -rf "$pkg"
mkdir -p "$pkg"
for target in nodejs web bundler; do
  out="$pkg/$target"
  wasm-bindgen "$wasm" --target "$target" --out-dir "$out" --out-name "$name"
  node_modules/.bin/wasm-opt -O3 "${features[@]}" "$out/${name}_bg.wasm" -o "$out/${name}_bg.wasm"
  add_js "$out" "$target"
done
# wasm-bindgen's `[Symbol.dispose]()` needs TypeScript's esnext.disposable library, which a
# project on `lib: ["es2022"]` lacks (without skipLibCheck its build fails): the declaration
# goes, `free()` stays (and `using` still works at run time). wasm/tests/install.test.mjs
# compiles a project with that lib.
sed -i '/^ *\[Symbol\.dispose\](): void;$/d' "$pkg"/*/"$name.d.ts"
! grep -q "Symbol.dispose" "$pkg"/*/"$name.d.ts"
version="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).packages.find(p=>p.name==="choreo-auth-wasm").version))')"
node -e '
const [version, name, out] = process.argv.slice(1);
// The repository the release metadata names (vscode/package.json has the same).
const repository = "https://github.com/wso2/choreo-auth";
const pkg = {
  name: "@choreo/auth",
  version,
  description: "Choreo token inspection and login (choreo login --with-token) for browsers, Node and VS Code extensions",
  license: "Apache-2.0",
  repository: { type: "git", url: `git+${repository}.git`, directory: "wasm" },
  homepage: `${repository}/tree/main/wasm#readme`,
  bugs: { url: `${repository}/issues` },
  keywords: ["choreo", "wso2", "authentication", "personal access token", "login", "wasm"],
  files: ["nodejs", "web", "bundler", "README.md", "LICENSE"],
  main: "./nodejs/index.js",
  module: "./web/index.js",
  types: `./nodejs/${name}.d.ts`,
  sideEffects: [`./bundler/${name}.js`, "./bundler/index.js", "./*/boundary.js"],
  exports: {
    ".": {
      node: {
        import: { types: "./nodejs/index.d.mts", default: "./nodejs/index.mjs" },
        require: { types: `./nodejs/${name}.d.ts`, default: "./nodejs/index.js" },
      },
      // Browsers and bundlers: the web build (call its default export, `init`, first); it
      // needs no bundler support for wasm imports. "./bundler" has the ESM-integration build.
      types: `./web/${name}.d.ts`,
      default: "./web/index.js",
    },
    "./web": { types: `./web/${name}.d.ts`, default: "./web/index.js" },
    "./bundler": { types: `./bundler/${name}.d.ts`, default: "./bundler/index.js" },
    "./package.json": "./package.json",
  },
  engines: { node: ">=20" },
};
require("fs").writeFileSync(out, JSON.stringify(pkg, null, 2) + "\n");
' "$version" "$name" "$pkg/package.json"
cp wasm/README.md "$pkg/README.md"
cp LICENSE "$pkg/LICENSE"

# The console helper page imports the web build from its own origin.
rm -rf web-demo/pkg
mkdir -p web-demo/pkg
cp -r "$pkg/web/"{index.js,boundary.js,fetch.js,tape.js,$name.js,$name.d.ts,${name}_bg.wasm} web-demo/pkg/

size="$(wc -c < "$pkg/web/${name}_bg.wasm")"
gz="$(gzip -9 -c "$pkg/web/${name}_bg.wasm" | wc -c)"
echo "built $pkg (wasm: $size bytes, $gz bytes gzip -9), web-demo/pkg and $vectors_pkg"
