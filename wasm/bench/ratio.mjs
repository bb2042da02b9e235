// The package against native core, timed in alternating rounds: this VM's speed moves by up to 2x
// over seconds, and a ratio of two figures taken minutes apart moves with it. Each round times
// native (core/examples/throughput.rs, a release build) and then the package on the same input
// and doing the same work; the figure is the median of the rounds' ratios. Two pairings:
//   now: `inspectToken(token)`, which reads `Date.now()`, beside `inspect_with_clock` on the
//        system clock;
//   at:  `inspectTokenAt(token, AT)` beside `inspect(token, AT)`, no clock on either side.
// Both sides of a pairing produce the same report (the JWT is not yet valid now, and valid at AT).
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
const AT = 1_800_000_000; // throughput.rs's
// One loop per function, so neither call site sees the other's callee.
const timed = {
  now(token, n) {
    for (let i = 0; i < n / 2; i++) sink ^= pkg.inspectToken(token).ok ? 1 : 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sink ^= pkg.inspectToken(token).ok ? 1 : 0;
    return Number(process.hrtime.bigint() - start) / n;
  },
  at(token, n) {
    for (let i = 0; i < n / 2; i++) sink ^= pkg.inspectTokenAt(token, AT).ok ? 1 : 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) sink ^= pkg.inspectTokenAt(token, AT).ok ? 1 : 0;
    return Number(process.hrtime.bigint() - start) / n;
  },
};
let sink = 0;
const rounds = Number(process.env.ROUNDS ?? 41);

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

console.log(`node ${process.version}; ${rounds} rounds, each native then the package on the same input`);
const pairings = (process.env.PAIRINGS ?? "now,at").split(",");
for (const [name, [token, n]] of Object.entries(cases)) for (const clock of pairings) {
  const nat = [];
  const w = [];
  for (let r = 0; r < rounds; r++) {
    nat.push(Number(execFileSync(native, [name, String(n), clock], { encoding: "utf8" })));
    w.push(timed[clock](token, n));
  }
  const ratios = w.map((x, i) => x / nat[i]);
  const what = clock === "now" ? "inspectToken" : "inspectTokenAt";
  console.log(
    `${name}, ${clock}: native ${median(nat).toFixed(0)} ns, ${what} ${median(w).toFixed(0)} ns; ` +
      `ratio median ${median(ratios).toFixed(2)}x (rounds ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
  );
}
if (sink === 2) console.log(sink);
