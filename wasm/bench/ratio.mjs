// inspectToken against native `inspect`, timed in alternating rounds: this VM's speed moves by up
// to 2x over seconds, and a ratio of two figures taken minutes apart moves with it. Each round
// times native (core/examples/throughput.rs, a release build) and then the package on the same
// input; the figure is the median of the rounds' ratios.
//   cargo build --release -p choreo-auth-core --example throughput && node wasm/bench/ratio.mjs
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const pkg = createRequire(import.meta.url)(process.env.BENCH_PKG ?? join(root, "wasm/pkg"));
const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, "target");
const native = join(targetDir, "release/examples/throughput");
const input = (name) =>
  JSON.parse(readFileSync(join(root, "tests/vectors", `${name}.json`), "utf8")).input.trimEnd();
const cases = { jwt: [input("jwt-access-token"), 50_000], pat: [input("clean-choreo-pat"), 250_000] };
const rounds = Number(process.env.ROUNDS ?? 41);

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
let sink = 0;
function wasm(token, calls) {
  for (let i = 0; i < calls / 2; i++) sink ^= pkg.inspectToken(token).ok ? 1 : 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) sink ^= pkg.inspectToken(token).ok ? 1 : 0;
  return Number(process.hrtime.bigint() - start) / calls;
}

console.log(`node ${process.version}; ${rounds} rounds, each native then inspectToken on the same input`);
for (const [name, [token, calls]] of Object.entries(cases)) {
  const n = [];
  const w = [];
  for (let r = 0; r < rounds; r++) {
    n.push(Number(execFileSync(native, [name, String(calls)], { encoding: "utf8" })));
    w.push(wasm(token, calls));
  }
  const ratios = w.map((x, i) => x / n[i]);
  console.log(
    `${name}: native ${median(n).toFixed(0)} ns, inspectToken ${median(w).toFixed(0)} ns; ` +
      `ratio median ${median(ratios).toFixed(2)}x (rounds ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
  );
}
if (sink === 2) console.log(sink);
