// scanText of the npm package over every tests/scan-vectors case: the findings core and the CLI
// report, placed in UTF-16 code units. Its findings, in the CLI's shape, go to
// target/parity/scan-node.json, the Node column of tests/parity.mjs's scan table.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pkg, targetDir } from "./support.mjs";
import { scanVectors, coreShape, cliShape } from "./scan-shape.mjs";

const outputs = {};
const vectors = scanVectors();

test("there are scan vectors to run", () => {
  assert.ok(vectors.length >= 8, "tests/scan-vectors/*.json is nearly empty");
});

for (const vector of vectors) {
  test(`scan vector ${vector.name}: scanText finds what core finds`, () => {
    const found = pkg.scanText(vector.input, { nearMisses: vector.nearMisses });
    assert.deepEqual(found.map((f) => coreShape(vector.input, f)), vector.expect);
    for (const f of found) {
      // The place is the token's in the string, as JavaScript indexes it.
      const token = vector.input.slice(f.index, f.index + f.length);
      const [head, tail] = f.masked.split("…");
      assert.ok(token.startsWith(head) && token.endsWith(tail), `${vector.name}: ${f.masked} at ${f.index}`);
      const lineStart = vector.input.lastIndexOf("\n", f.index - 1) + 1;
      assert.equal(f.column, f.index - lineStart + 1);
      assert.equal(vector.input.slice(0, f.index).split("\n").length, f.line);
      // Nothing in a finding is the token.
      assert.ok(!JSON.stringify(f).includes(token));
    }
    outputs[vector.name] = found.map((f) => cliShape(vector.input, f));
  });
}

test("scanText's options are optional and near misses are off by default", () => {
  const text = "x chp_Zq3Lm8Aw2Rt6Yv1Nb5Kc9Hd4Gf7Js00yFywZ y";
  assert.deepEqual(pkg.scanText(text), []);
  assert.deepEqual(pkg.scanText(text, {}), []);
  assert.deepEqual(pkg.scanText(text, { nearMisses: true }).map((f) => f.checksum), ["invalid"]);
  assert.throws(() => pkg.scanText(42), /string/);
});

test("scanText places tokens past the input buffer and past astral characters", () => {
  const token = "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";
  // Longer than the input buffer, so the text is fed in pieces and a token can straddle two.
  const filler = "😀é\n".repeat(40_000);
  const text = `${filler}a ${token}\n${filler}${token}`;
  const found = pkg.scanText(text);
  assert.deepEqual(found.map((f) => text.slice(f.index, f.index + f.length)), [token, token]);
  assert.deepEqual(found.map((f) => [f.line, f.column]), [[40_001, 3], [80_002, 1]]);
});

// CHOREO_PARITY=off for runs in another Node (vscode/test.sh).
after(() => {
  if (process.env.CHOREO_PARITY === "off") return;
  const dir = join(targetDir, "parity");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "scan-node.json"), JSON.stringify(outputs, null, 2) + "\n");
});
