// The hostile server behaviours of tests/faults.json through the package's real adapter (fetch),
// in Node and in headless Chromium: the same outcome code on every host, nothing unsafe shown,
// and a redirect never carries the bearer to the other origin. Outcomes go to
// target/parity/faults-node.json and faults-chromium.json for tests/parity.mjs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pkg, root, startServer, launchChromium, targetDir } from "./support.mjs";

const { cases } = JSON.parse(readFileSync(join(root, "tests/faults.json"), "utf8"));
let server, elsewhere;

before(async () => {
  server = await startServer();
  elsewhere = await startServer();
});
after(async () => {
  await server?.stop();
  await elsewhere?.stop();
});

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Whether every string in `value` is safe to show and holds no run of `token` past its mask. */
function inert(value, token) {
  if (typeof value === "string") {
    if (UNSAFE.test(value)) return false;
    for (let i = 0; i + 5 <= token.length; i++) if (value.includes(token.slice(i, i + 5))) return false;
    return true;
  }
  if (value && typeof value === "object") return Object.values(value).every((v) => inert(v, token));
  return true;
}

/**
 * Runs every case with `login(apiBase, token, timeoutMs)` → `{ code, message, session }` (code
 * `ok` on success) and returns name → outcome.
 */
async function runCases(login) {
  const outcomes = {};
  for (const c of cases) {
    const { token } = await server.mint({});
    const fault = JSON.parse(JSON.stringify(c.fault).replaceAll("{elsewhere}", elsewhere.api));
    await server.admin("POST", "/admin/faults", fault);
    await elsewhere.clearRequests();
    const result = await login(server.api, token, c.timeoutMs);
    await server.admin("DELETE", "/admin/faults");
    let outcome = result.code;
    if (!inert(result, token)) outcome += " (unsafe text)";
    if ((await elsewhere.requests()).some((r) => r.authorization === "present")) {
      outcome += " (bearer sent elsewhere)";
    }
    assert.equal(outcome, c.expect, `${c.name}: ${JSON.stringify(result)}`);
    outcomes[c.name] = outcome;
  }
  return outcomes;
}

function writeParity(host, outcomes) {
  const dir = join(targetDir, "parity");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `faults-${host}.json`), JSON.stringify(outcomes, null, 2) + "\n");
}

test("every hostile fault gives the shared outcome through the package in Node", async () => {
  const outcomes = await runCases(async (apiBase, token, timeoutMs) => {
    try {
      const { session } = await new pkg.ChoreoAuth({ apiBase, timeoutMs }).loginWithToken(token);
      return { code: "ok", session };
    } catch (e) {
      return { code: e.code, message: e.message };
    }
  });
  if (process.env.CHOREO_PARITY !== "off") writeParity("node", outcomes);
});

test("every hostile fault gives the shared outcome through the package in Chromium", async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    // The package's web build under the page's own origin, which is the API's: no CORS.
    const dir = join(root, "wasm/pkg/web");
    await page.route("**/__pkg__/**", (route) => {
      const name = new URL(route.request().url()).pathname.replace(/^\/__pkg__\//, "");
      if (name.split("/").includes("..")) return route.fulfill({ status: 404 });
      const type = name.endsWith(".wasm") ? "application/wasm" : "text/javascript";
      route.fulfill({ status: 200, contentType: type, body: readFileSync(join(dir, name)) });
    });
    await page.goto(server.api + "/");
    await page.waitForSelector("body[data-ready=true]");
    await page.evaluate(async () => {
      const m = await import("/__pkg__/index.js");
      await m.default();
      globalThis.choreoPkg = m;
    });
    const outcomes = await runCases((apiBase, token, timeoutMs) =>
      page.evaluate(
        async ({ apiBase, token, timeoutMs }) => {
          try {
            const auth = new globalThis.choreoPkg.ChoreoAuth({ apiBase, timeoutMs });
            const { session } = await auth.loginWithToken(token);
            return { code: "ok", session };
          } catch (e) {
            return { code: e.code, message: e.message };
          }
        },
        { apiBase, token, timeoutMs },
      ),
    );
    writeParity("chromium", outcomes);
  } finally {
    await browser.close();
  }
});
