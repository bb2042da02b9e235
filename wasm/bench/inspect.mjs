// inspectToken throughput in Node, beside jose's decodeProtectedHeader + decodeJwt on the same
// 736-character RS256 JWT (tests/vectors/jwt-access-token.json, as core's criterion bench).
// Run after wasm/build.sh:  node wasm/bench/inspect.mjs
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeJwt, decodeProtectedHeader } from "jose";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
// BENCH_PKG: another build of the package to compare (e.g. other optimisation settings).
const pkg = createRequire(import.meta.url)(process.env.BENCH_PKG ?? join(root, "wasm/pkg"));
const input = (name) =>
  JSON.parse(readFileSync(join(root, "tests/vectors", `${name}.json`), "utf8")).input;

const jwt = input("jwt-access-token");
const pat = input("clean-choreo-pat").trimEnd();
if (jwt.length !== 736) throw new Error(`the jwt has ${jwt.length} characters, not 736`);
const jwtBytes = new TextEncoder().encode(jwt);

/** Nanoseconds per call of one batch. */
function batch(fn, calls) {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) sink ^= fn() ? 1 : 0;
  return { ns: Number(process.hrtime.bigint() - t0) / calls, sink };
}

const cases = [
  ["inspectToken(jwt string) -> object", () => pkg.inspectToken(jwt).ok],
  ["inspectToken(jwt Uint8Array) -> object", () => pkg.inspectToken(jwtBytes).ok],
  ["inspectTokenJson(jwt string) -> string", () => pkg.inspectTokenJson(jwt).length > 0],
  ["JSON.parse(inspectTokenJson(jwt)) in JS", () => JSON.parse(pkg.inspectTokenJson(jwt)).ok],
  ["inspectToken(choreo pat, 40 chars)", () => pkg.inspectToken(pat).ok],
  ["jose decodeProtectedHeader + decodeJwt (jwt)", () => {
    const h = decodeProtectedHeader(jwt);
    const c = decodeJwt(jwt);
    return h.alg !== undefined && c !== null;
  }],
];

// BENCH_ONLY=<text>: only the cases whose name contains it (e.g. each case alone, in its own
// process, to compare with the interleaved figures).
if (process.env.BENCH_ONLY) {
  cases.splice(0, cases.length, ...cases.filter(([name]) => name.includes(process.env.BENCH_ONLY)));
}

// Rounds visit every case in turn, so a noisy stretch of this shared VM slows them all alike;
// the median and the minimum over the rounds are printed, and each case's median against jose's.
const ROUNDS = 21;
const CALLS = 10000;
const times = cases.map(() => []);
let sink = 0;
for (const [, fn] of cases) sink ^= batch(fn, CALLS * 2).sink;
for (let r = 0; r < ROUNDS; r++) {
  cases.forEach(([, fn], i) => {
    const { ns, sink: s } = batch(fn, CALLS);
    times[i].push(ns);
    sink ^= s;
  });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const joseAt = cases.findIndex(([name]) => name.startsWith("jose"));
const jose = joseAt < 0 ? undefined : median(times[joseAt]);
console.log(`node ${process.version}, ${process.arch}; ${ROUNDS} interleaved rounds of ${CALLS} calls per case`);
cases.forEach(([name], i) => {
  const med = median(times[i]);
  const min = Math.min(...times[i]);
  const µs = (ns) => (ns / 1000).toFixed(2);
  const vsJose = jose === undefined ? "" : `  ${(med / jose).toFixed(2)}× jose`;
  console.log(`${name.padEnd(48)} ${µs(med).padStart(6)} µs/call  (min ${µs(min)})${vsJose}`);
});
if (sink === 2) console.log("");
