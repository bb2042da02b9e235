// Every shared vector of tests/vectors through the wasm build: core's runner (runVector) for
// host parity, and inspection vectors through the package's own inspectToken path as well.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pkg, vectorsPkg, vectorFiles, codesOf, vectorInput, targetDir } from "./support.mjs";

const outputs = {};
const files = vectorFiles();

test("there are vectors to run", () => {
  assert.ok(files.length > 0, "tests/vectors/*.json is empty");
});

for (const { file, text } of files) {
  const vector = JSON.parse(text);
  test(`vector ${file}: runVector gives the expected output and codes`, () => {
    const output = vectorsPkg.runVector(text);
    outputs[file] = output;
    const parsed = JSON.parse(output);
    assert.deepEqual(parsed, vector.expect);
    assert.deepEqual(codesOf(parsed), vector.codes);
  });

  if (vector.login === undefined) {
    test(`vector ${file}: inspectToken of the package gives the same report`, () => {
      const bytes = vectorInput(vector);
      assert.deepEqual(pkg.inspectTokenAt(bytes, vector.now), vector.expect);
      assert.equal(pkg.inspectTokenJsonAt(bytes, vector.now), vectorsPkg.runVector(text));
      if (vector.input !== undefined) {
        // The string path encodes to the same UTF-8 bytes.
        assert.deepEqual(pkg.inspectTokenAt(vector.input, vector.now), vector.expect);
      }
    });
  }
}

after(() => {
  const dir = join(targetDir, "parity");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "node.json"), JSON.stringify(outputs, null, 2) + "\n");
});
