// Two or more builds of the package timed in turns in one process, so a slow stretch of this
// shared VM slows them alike: `node wasm/bench/ab.mjs <package dir or .js> ... [jwt|pat]`.
// Builds to compare come from wasm/build.sh copies (e.g. `cp -r wasm/pkg /tmp/a`).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const args = process.argv.slice(2);
const which = ["jwt", "pat"].includes(args.at(-1)) ? args.pop() : "jwt";
if (args.length === 0) throw new Error("usage: ab.mjs <package> <package> ... [jwt|pat]");
const require = createRequire(import.meta.url);
const builds = args.map((path) => [path, require(resolve(path))]);
const vector = which === "jwt" ? "jwt-access-token" : "clean-choreo-pat";
const token = JSON.parse(readFileSync(join(root, "tests/vectors", `${vector}.json`), "utf8")).input.trimEnd();

const ROUNDS = 25;
const CALLS = 10_000;
const times = builds.map(() => []);
let sink = 0;
for (let r = 0; r < ROUNDS; r++) {
  builds.forEach(([, pkg], i) => {
    const start = process.hrtime.bigint();
    for (let k = 0; k < CALLS; k++) sink ^= pkg.inspectToken(token).ok ? 1 : 0;
    // The first rounds warm the code up.
    if (r >= 3) times[i].push(Number(process.hrtime.bigint() - start) / CALLS);
  });
}
builds.forEach(([path], i) => {
  const sorted = times[i].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1];
  console.log(`${path.padEnd(40)} ${which}: median ${median.toFixed(0)} ns, min ${sorted[0].toFixed(0)} ns`);
});
if (sink === 2) console.log(sink);
