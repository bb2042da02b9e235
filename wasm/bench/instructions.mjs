// One inspectToken case in a loop, for wasm/bench/instructions.sh to count instructions of.
//   node wasm/bench/instructions.mjs <jwt|pat|jwt-at|pat-at|jose|none> <calls>
// `jose` is the peer: jose's decodeProtectedHeader + decodeJwt on the same JWT.
// `-at` cases call inspectTokenAt at core/examples/prof.rs's fixed time, the same work as native
// `prof` does; the others call inspectToken, which reads Date.now().
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeJwt, decodeProtectedHeader } from "jose";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const pkg = createRequire(import.meta.url)(process.env.BENCH_PKG ?? join(root, "wasm/pkg"));
const input = (name) =>
  JSON.parse(readFileSync(join(root, "tests/vectors", `${name}.json`), "utf8")).input;
const tokens = { jwt: input("jwt-access-token"), pat: input("clean-choreo-pat").trimEnd() };

const AT = 1_800_000_000;
const [which, calls] = [process.argv[2], Number(process.argv[3])];
const [name, at] = which.split("-");
const token = tokens[name];
if ((token === undefined && !["none", "jose"].includes(which)) || (at !== undefined && at !== "at") || !(calls >= 0)) {
  throw new Error("usage: instructions.mjs <jwt|pat|jwt-at|pat-at|jose|none> <calls>");
}
const call =
  which === "jose"
    ? () => decodeProtectedHeader(tokens.jwt).alg !== undefined && decodeJwt(tokens.jwt) !== null
    : token === undefined
    ? () => true
    : at === undefined
      ? () => pkg.inspectToken(token).ok
      : () => pkg.inspectTokenAt(token, AT).ok;
let sink = 0;
// The same warm-up in every run, so the optimising tiers are reached before the counted calls.
for (let i = 0; i < 30_000 + calls; i++) sink ^= call() ? 1 : 0;
if (sink === 2) console.log(sink);
