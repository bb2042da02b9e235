// The package's web build in headless Chromium on a page of another origin than the API's, as a
// console page on its own host uses it: every request crosses origins under the reference
// server's CORS allow-list, and session ids come from the browser's `crypto`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startServer, launchChromium, root } from "./support.mjs";

const build = join(root, "wasm/pkg/web");
let pages, server, browser, page;

before(async () => {
  // The page's own origin: a blank page and the build's files, by their own names.
  pages = createServer((req, res) => {
    const name = new URL(req.url, "http://x").pathname.slice(1);
    if (name === "") return res.end("<!doctype html><title>page</title>");
    if (name.includes("/") || name.includes("..")) return res.writeHead(404).end();
    let body;
    try {
      body = readFileSync(join(build, name));
    } catch {
      return res.writeHead(404).end();
    }
    const type = name.endsWith(".wasm") ? "application/wasm" : "text/javascript";
    res.writeHead(200, { "content-type": type }).end(body);
  });
  await new Promise((ready) => pages.listen(0, "127.0.0.1", ready));
  const origin = `http://127.0.0.1:${pages.address().port}`;
  server = await startServer(["--cors-origin", origin]);
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(origin + "/");
  await page.evaluate(async (api) => {
    window.pkg = await import("/index.js");
    await window.pkg.default();
    window.api = api;
  }, server.api);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  pages?.close();
});

/** `run(pkg, api, token)` in the page, with a fresh token minted by the page across origins. */
function inPage(run) {
  return page.evaluate(async (source) => {
    const minted = await fetch(`${api}/admin/pats`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ org: "acme", scopes: ["apim:api_view"] }),
    });
    const { token } = await minted.json();
    return (0, eval)(`(${source})`)(pkg, api, token);
  }, run.toString());
}

test("a login from another origin goes through fetch and the CORS allow-list", async () => {
  const out = await inPage(async (pkg, api, token) => {
    const auth = new pkg.ChoreoAuth({ apiBase: api });
    const { session } = await auth.loginWithToken(token);
    const status = await auth.status();
    const loggedOut = await auth.logout();
    return { session, status, loggedOut };
  });
  assert.equal(out.session.organization.handle, "acme");
  assert.equal(out.session.kind, "choreo-pat");
  assert.equal(out.session.apiBase, server.api);
  assert.equal(out.status.session.userId, out.session.userId);
  assert.equal(out.loggedOut.id, out.session.id);
});

test("a page's storage object is called for the credential, and holds it", async () => {
  const out = await inPage(async (pkg, api, token) => {
    const kept = new Map();
    const storage = {
      get: async (k) => kept.get(k),
      set: async (k, v) => void kept.set(k, v),
      delete: async (k) => void kept.delete(k),
    };
    const { session } = await new pkg.ChoreoAuth({ apiBase: api, storage }).loginWithToken(token);
    // Another client over the same storage, as another tab of the page would have it.
    const accounts = await new pkg.ChoreoAuth({ apiBase: api, storage }).accounts();
    const stored = [...kept.values()].some((v) => v.includes(token));
    return { session, accounts, stored };
  });
  assert.equal(out.accounts.length, 1);
  assert.equal(out.accounts[0].session.id, out.session.id);
  assert.ok(out.accounts[0].active);
  assert.ok(out.stored, "the storage object holds the credential");
});

test("session ids come from the browser's crypto and differ", async () => {
  const ids = await inPage(async (pkg, api, token) => {
    const ids = [];
    for (let i = 0; i < 2; i++) {
      ids.push((await new pkg.ChoreoAuth({ apiBase: api }).loginWithToken(token)).session.id);
    }
    return ids;
  });
  for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
  assert.notEqual(ids[0], ids[1]);
});

test("the bearer challenge is readable across origins", async () => {
  // The detail comes from WWW-Authenticate, which the server exposes to allowed origins.
  const e = await inPage(async (pkg, api) => {
    const auth = new pkg.ChoreoAuth({ apiBase: api });
    try {
      await auth.loginWithToken("chp_Xq7Lm2Pz9Rt4Vw8Ny3Bc6Df1Gh5Jk01nNmox");
      return null;
    } catch (e) {
      return { error: e instanceof pkg.ChoreoAuthError, code: e.code, message: e.message };
    }
  });
  assert.ok(e?.error, "rejects with a ChoreoAuthError");
  assert.equal(e.code, "unauthorized");
  assert.ok(e.message.endsWith("(invalid_token: the access token is not recognised)"), e.message);
});
