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

/** Median ns per call over `rounds` timed batches, after a warm-up. */
function bench(fn, { batch = 20000, rounds = 15 } = {}) {
  let sink = 0;
  for (let i = 0; i < batch * 2; i++) sink ^= fn() ? 1 : 0;
  const per = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) sink ^= fn() ? 1 : 0;
    per.push(Number(process.hrtime.bigint() - t0) / batch);
  }
  per.sort((a, b) => a - b);
  return { ns: per[Math.floor(rounds / 2)], min: per[0], sink };
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

console.log(`node ${process.version}, ${process.arch}; median of 15 batches of 20000 calls`);
for (const [name, fn] of cases) {
  const { ns, min } = bench(fn);
  console.log(`${name.padEnd(48)} ${(ns / 1000).toFixed(2).padStart(6)} µs/call  (min ${(min / 1000).toFixed(2)})  ${Math.round(1e9 / ns).toLocaleString("en")} calls/s`);
}
