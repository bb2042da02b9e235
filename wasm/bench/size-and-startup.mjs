// Size of the shipped .wasm (raw, gzip -9, brotli) and its instantiation time in Node: compile +
// instantiate of the package's nodejs build, in fresh processes. Run after wasm/build.sh:
//   node wasm/bench/size-and-startup.mjs
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const wasmPath = join(root, "wasm/pkg/nodejs/choreo_auth_wasm_bg.wasm");
const bytes = readFileSync(wasmPath);
const kb = (n) => `${(n / 1024).toFixed(1)} KiB (${n} bytes)`;
console.log(`wasm raw:    ${kb(bytes.length)}`);
console.log(`wasm gzip-9: ${kb(gzipSync(bytes, { level: 9 }).length)}`);
const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
console.log(`wasm brotli: ${kb(br.length)}`);

// In-process: compile and instantiate the module alone (what a page pays once).
const compileRuns = [];
for (let i = 0; i < 30; i++) {
  const t0 = performance.now();
  new WebAssembly.Module(bytes);
  compileRuns.push(performance.now() - t0);
}
compileRuns.sort((a, b) => a - b);
console.log(`WebAssembly.Module compile: median ${compileRuns[15].toFixed(2)} ms over 30`);

// Fresh processes: require() of the package (read + compile + instantiate + glue) and the
// first inspectToken call.
const probe = `
const t0 = performance.now();
const pkg = require(${JSON.stringify(join(root, "wasm/pkg"))});
const t1 = performance.now();
pkg.inspectToken("chp_Xq7Lm2Pz9Rt4Vw8Ny3Bc6Df1Gh5Jk01nNmox");
const t2 = performance.now();
console.log(JSON.stringify([t1 - t0, t2 - t1]));`;
const loads = [];
const firsts = [];
for (let i = 0; i < 20; i++) {
  const [load, first] = JSON.parse(execFileSync(process.execPath, ["-e", probe], { encoding: "utf8" }));
  loads.push(load);
  firsts.push(first);
}
loads.sort((a, b) => a - b);
firsts.sort((a, b) => a - b);
console.log(`require("@choreo/auth") in a fresh node: median ${loads[10].toFixed(2)} ms over 20 (min ${loads[0].toFixed(2)})`);
console.log(`first inspectToken call after load:      median ${firsts[10].toFixed(3)} ms`);
