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
      // Key order too: the report crosses through a tape of its own (wasm/tape).
      assert.equal(JSON.stringify(pkg.inspectTokenAt(bytes, vector.now)), pkg.inspectTokenJsonAt(bytes, vector.now));
      if (vector.input !== undefined) {
        // The string path encodes to the same UTF-8 bytes.
        assert.deepEqual(pkg.inspectTokenAt(vector.input, vector.now), vector.expect);
      }
    });
  }
}

test("inspectToken's object is exactly the JSON's on inputs that take every kind of tape word", () => {
  const b64 = (text) => Buffer.from(text).toString("base64url");
  const jwt = (header, payload) => `${b64(header)}.${b64(payload)}.c2lnbmF0dXJl`;
  const inputs = [
    // Claims all ASCII; claims with a non-ASCII character.
    jwt('{"alg":"RS256","typ":"JWT"}', '{"iss":"https://sts","sub":"u","aud":"a","exp":1,"scope":"x y"}'),
    jwt('{"alg":"RS256"}', '{"iss":"https://stś","sub":"ü","aud":["a","ß"],"scp":["x","\u00e9"]}'),
    // Escapes, whose unescaped text crosses.
    jwt('{"alg":"ES256","typ":"at+jwt"}', '{"iss":"a\\/b","sub":"\\u0041","aud":["\\"q\\""],"nbf":2,"iat":3}'),
    // No optional claim at all, numbers beyond 2^53 and below zero.
    jwt('{"alg":"HS256"}', '{"exp":9007199254740993,"nbf":-5}'),
    jwt('{"alg":"none"}', "{}"),
    // Owned messages and labels, and no token at all.
    `${"a".repeat(16 * 1024 - 2)}é`,
    "chp_abc",
    "",
    " \n",
    "Bearer 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",
    new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xff]),
    // Non-ASCII strings around tape.js's switch from one unit at a time to chunks.
    ...Array.from({ length: 40 }, (_, n) => jwt('{"alg":"RS256"}', JSON.stringify({ sub: `ü${"abcdefghijklmnopqrstuvwxyzabcdefghijklmn".slice(0, n)}` }))),
  ];
  for (const input of inputs) {
    for (const now of [0, 1_800_000_000]) {
      assert.equal(JSON.stringify(pkg.inspectTokenAt(input, now)), pkg.inspectTokenJsonAt(input, now), String(input).slice(0, 60));
    }
  }
});

// The Node column of tests/parity.mjs's table; CHOREO_PARITY=off for runs in another Node.
after(() => {
  if (process.env.CHOREO_PARITY === "off") return;
  const dir = join(targetDir, "parity");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "node.json"), JSON.stringify(outputs, null, 2) + "\n");
});
