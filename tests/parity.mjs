#!/usr/bin/env node
// Cross-host parity tables. Vectors: every vector's output on each host must be byte-identical
// to the native one; reads target/parity/{native,wasmtime,node,chromium,python}.json, each
// `{ "<vector file name>": "<output string>" }`, written by the hosts' own test runs. Login over
// real adapters: every hostile fault of tests/faults.json gives the expected outcome on every
// host's real HTTP adapter against the reference server (a redirect never carries the bearer
// to the other origin); reads target/parity/faults-<host>.json, `{ "<case>": "<outcome>" }`.
// Scan findings: every tests/scan-vectors case gives native's findings in Node and Chromium;
// reads target/parity/scan-<host>.json.
// Usage: node tests/parity.mjs [parity-dir]   (default: <workspace>/target/parity)
// Exits 1 if a host file is missing or unreadable, or any vector disagrees or is missing.

import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const HOSTS = ["native", "wasmtime", "node", "chromium"];
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

// The Python host (python/): the host protocol's `inspect` under PyPI wasmtime, for the
// inspection vectors only (a vector with no keys beyond INSPECTION_KEYS); the others script an
// API inside core's vector runner, which it does not re-run: "n/a" in its column.
HOSTS.push("python");
const INSPECTION_KEYS = new Set(["name", "description", "input", "inputBase64", "now", "codes", "expect"]);
const notInspection = new Set(
  readdirSync(join(root, "tests", "vectors"))
    .filter((f) => f.endsWith(".json"))
    .filter((f) => Object.keys(JSON.parse(readFileSync(join(root, "tests", "vectors", f), "utf8"))).some((k) => !INSPECTION_KEYS.has(k)))
    .map((f) => f.replace(/\.json$/, "")),
);
const inspectionOnly = (host, name) => host === "python" && notInspection.has(name);
const dir = resolve(process.argv[2] ?? process.env.PARITY_DIR ?? join(root, "target", "parity"));

// Hosts may key by file name or by vector name; `empty.json` and `empty` are the same vector.
const key = (name) => name.replace(/\.json$/, "");

const outputs = {};
const problems = [];
for (const host of HOSTS) {
  const file = join(dir, `${host}.json`);
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8"));
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new Error("not an object of vector name to output");
    }
    outputs[host] = new Map(Object.entries(parsed).map(([name, out]) => [key(name), out]));
  } catch (e) {
    problems.push(`${host}: cannot read ${file}: ${e.code ?? e.message}`);
  }
}

const reference = outputs.native ?? new Map();
const names = [...new Set(HOSTS.flatMap((h) => [...(outputs[h]?.keys() ?? [])]))].sort();
const width = Math.max(6, ...names.map((n) => n.length));

console.log(["vector".padEnd(width), ...HOSTS.map((h) => h.padEnd(8))].join("  "));
let passed = 0;
let failed = 0;
for (const name of names) {
  const native = reference.get(name);
  const marks = HOSTS.map((host) => {
    const out = outputs[host]?.get(name);
    if (!outputs[host]) return "-";
    if (out === undefined && inspectionOnly(host, name)) return "n/a";
    if (typeof out !== "string" || typeof native !== "string") return "✗ missing";
    if (out === native) return "✓";
    const at = [...Array(Math.min(out.length, native.length)).keys()].find((i) => out[i] !== native[i]);
    problems.push(
      `${name}: ${host} differs from native at char ${at ?? Math.min(out.length, native.length)}\n` +
        `  native: ${native}\n  ${host}: ${out}`,
    );
    return "✗";
  });
  // A missing host file fails the run (below) but says nothing about this vector.
  const ok = marks.every((m) => m === "✓" || m === "-" || m === "n/a");
  if (ok) passed++;
  else failed++;
  console.log([name.padEnd(width), ...marks.map((m) => m.padEnd(8))].join("  "));
}

// Login over real adapters: the native CLI (reqwest), the host protocol's module under wasmtime (ureq),
// the npm package in Node and in Chromium (fetch), the VS Code extension in code-server.
const FAULT_HOSTS = ["native", "wasmtime", "node", "chromium", "vscode"];
// The Python host's http.client adapter (python/choreo_auth/_http.py).
FAULT_HOSTS.push("python");
const { cases } = JSON.parse(readFileSync(join(root, "tests", "faults.json"), "utf8"));
const faults = {};
for (const host of FAULT_HOSTS) {
  const file = join(dir, `faults-${host}.json`);
  try {
    faults[host] = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    problems.push(`${host}: cannot read ${file}: ${e.code ?? e.message}`);
  }
}
const caseWidth = Math.max(width, ...cases.map((c) => c.name.length));
console.log();
console.log("login over real adapters (expected outcome; ✓ when the host gave it)");
console.log(["fault".padEnd(caseWidth), "expected".padEnd(14), ...FAULT_HOSTS.map((h) => h.padEnd(8))].join("  "));
for (const c of cases) {
  const marks = FAULT_HOSTS.map((host) => {
    if (!faults[host]) return "-";
    const got = faults[host][c.name];
    if (got === c.expect) return "✓";
    problems.push(`${c.name}: ${host} gave ${got ?? "nothing"}, expected ${c.expect}`);
    return `✗ ${got ?? "missing"}`;
  });
  if (marks.every((m) => m === "✓" || m === "-")) passed++;
  else failed++;
  console.log([c.name.padEnd(caseWidth), c.expect.padEnd(14), ...marks.map((m) => m.padEnd(8))].join("  "));
}

// Scan findings: every tests/scan-vectors case through `choreo token scan --json -` and through
// the npm package's scanText (in the CLI's shape, wasm/tests/scan-shape.mjs) must list the same
// findings; reads target/parity/scan-<host>.json, `{ "<vector name>": [finding, ...] }`.
const SCAN_HOSTS = ["native", "node", "chromium"];
const scans = {};
for (const host of SCAN_HOSTS) {
  const file = join(dir, `scan-${host}.json`);
  try {
    scans[host] = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    problems.push(`${host}: cannot read ${file}: ${e.code ?? e.message}`);
  }
}
const scanNames = readdirSync(join(root, "tests", "scan-vectors"))
  .filter((f) => f.endsWith(".json"))
  .map(key)
  .sort();
// Findings compare as values: the native test re-serialises the CLI's JSON with sorted keys.
const canonical = (value) =>
  JSON.stringify(value, (_, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
const scanWidth = Math.max(6, ...scanNames.map((n) => n.length));
console.log();
console.log("scan findings (tests/scan-vectors; ✓ when the host's findings are native's)");
console.log(["scan vector".padEnd(scanWidth), ...SCAN_HOSTS.map((h) => h.padEnd(8))].join("  "));
for (const name of scanNames) {
  const native = canonical(scans.native?.[name]);
  const marks = SCAN_HOSTS.map((host) => {
    if (!scans[host]) return "-";
    const got = canonical(scans[host][name]);
    if (got === undefined || native === undefined) {
      problems.push(`scan ${name}: no findings from ${got === undefined ? host : "native"}`);
      return "✗ missing";
    }
    if (got === native) return "✓";
    problems.push(`scan ${name}: ${host} differs from native\n  native: ${native}\n  ${host}: ${got}`);
    return "✗";
  });
  if (marks.every((m) => m === "✓" || m === "-")) passed++;
  else failed++;
  console.log([name.padEnd(scanWidth), ...marks.map((m) => m.padEnd(8))].join("  "));
}

for (const p of problems) console.error(p);
const missing = [
  ...HOSTS.filter((h) => !outputs[h]),
  ...FAULT_HOSTS.filter((h) => !faults[h]).map((h) => `faults-${h}`),
  ...SCAN_HOSTS.filter((h) => !scans[h]).map((h) => `scan-${h}`),
];
console.log(
  `parity: ${passed} passed, ${failed} failed` +
    (missing.length ? ` (host files missing: ${missing.join(", ")})` : ""),
);
process.exit(failed === 0 && problems.length === 0 && names.length > 0 ? 0 : 1);
