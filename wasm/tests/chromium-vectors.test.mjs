// Every shared vector through the wasm build inside headless Chromium, on a page served by the
// reference server under its CSP; outputs go to target/parity/chromium.json for host parity.
// Every scan vector through scanText there too, in the CLI's shape to target/parity/scan-chromium.json.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startServer, launchChromium, targetDir, vectorFiles, codesOf } from "./support.mjs";
import { scanVectors, coreShape, cliShape } from "./scan-shape.mjs";

let server, browser, results, scans;
const files = vectorFiles();
const scanCases = scanVectors();

before(async () => {
  server = await startServer();
  browser = await launchChromium();
  const page = await browser.newPage();
  // The vector build (runVector) is served under the page's own origin, so 'self' covers it.
  const dir = join(targetDir, "wasm-vectors/web");
  await page.route("**/__vectors__/**", (route) => {
    // The build's files, by their own names, no "..".
    const name = new URL(route.request().url()).pathname.replace(/^\/__vectors__\//, "");
    if (name.split("/").includes("..")) return route.fulfill({ status: 404 });
    const type = name.endsWith(".wasm") ? "application/wasm" : "text/javascript";
    route.fulfill({ status: 200, contentType: type, body: readFileSync(join(dir, name)) });
  });
  await page.goto(server.api + "/");
  await page.waitForSelector("body[data-ready=true]");
  results = await page.evaluate(async (vectors) => {
    // The build's entry, as a page imports the package, and its glue for runVector.
    const m = await import("/__vectors__/index.js");
    const glue = await import("/__vectors__/choreo_auth_wasm.js");
    await m.default();
    const out = {};
    for (const { file, text } of vectors) {
      const vector = JSON.parse(text);
      const bytes =
        vector.input !== undefined
          ? new TextEncoder().encode(vector.input)
          : Uint8Array.from(atob(vector.inputBase64), (c) => c.charCodeAt(0));
      const inspection = vector.login === undefined;
      out[file] = {
        output: glue.runVector(text),
        inspected: inspection ? m.inspectTokenJsonAt(bytes, vector.now) : null,
        // The object inspectTokenAt builds, for the bytes and for the text.
        objects: inspection
          ? [bytes, vector.input]
              .filter((input) => input !== undefined)
              .map((input) => JSON.stringify(m.inspectTokenAt(input, vector.now)))
          : [],
      };
    }
    return out;
  }, files);
  scans = await page.evaluate(async (vectors) => {
    const m = await import("/__vectors__/index.js");
    return vectors.map((v) => m.scanText(v.input, { nearMisses: v.nearMisses }));
  }, scanCases);
  const dirOut = join(targetDir, "parity");
  mkdirSync(dirOut, { recursive: true });
  const outputs = Object.fromEntries(Object.entries(results).map(([f, r]) => [f, r.output]));
  writeFileSync(join(dirOut, "chromium.json"), JSON.stringify(outputs, null, 2) + "\n");
  const scanOutputs = Object.fromEntries(
    scanCases.map((v, i) => [v.name, scans[i].map((f) => cliShape(v.input, f))]),
  );
  writeFileSync(join(dirOut, "scan-chromium.json"), JSON.stringify(scanOutputs, null, 2) + "\n");
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("there are vectors to run", () => {
  assert.ok(files.length > 0);
});

for (const { file, text } of files) {
  test(`vector ${file} in Chromium`, () => {
    const vector = JSON.parse(text);
    const { output, inspected, objects } = results[file];
    const parsed = JSON.parse(output);
    assert.deepEqual(parsed, vector.expect);
    assert.deepEqual(codesOf(parsed), vector.codes);
    if (inspected !== null) {
      assert.equal(inspected, output);
      assert.ok(objects.length > 0);
      for (const object of objects) assert.equal(object, output);
    }
  });
}

for (const [i, vector] of scanCases.entries()) {
  test(`scan vector ${vector.name}: scanText in Chromium finds what core finds`, () => {
    assert.deepEqual(scans[i].map((f) => coreShape(vector.input, f)), vector.expect);
  });
}
