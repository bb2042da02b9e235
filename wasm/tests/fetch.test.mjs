// auth.fetch, the package's request helper: the account's token as bearer for the API base's own
// origin only, never for another origin and never through a redirect. Against the real
// reference server, and a second HTTP server on loopback that records what reaches it.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { pkg, startServer } from "./support.mjs";

const { ChoreoAuth, ChoreoAuthError } = pkg;
let server;
let auth;
let token;
// Another origin: a plain server on another loopback port, which records the headers it gets.
let other;
const seen = [];

before(async () => {
  server = await startServer();
  ({ token } = await server.mint({ org: "acme" }));
  auth = new ChoreoAuth({ apiBase: server.api });
  await auth.loginWithToken(token);
  const http = createServer((req, res) => {
    seen.push({ url: req.url, authorization: req.headers.authorization });
    res.end("ok");
  });
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  other = { http, origin: `http://127.0.0.1:${http.address().port}` };
});
after(async () => {
  await server?.stop();
  other?.http.close();
});
beforeEach(async () => {
  await server.clearRequests();
  seen.length = 0;
});

const authorizations = async () => (await server.requests()).map((r) => `${r.method} ${r.path} ${r.authorization}`);

test("a request to the API base's origin carries the active account's token", async () => {
  const res = await auth.fetch(`${server.api}/orgs/1.0.0/orgs`);
  assert.equal(res.status, 200);
  assert.equal((await res.json())[0].handle, "acme");
  assert.deepEqual(await authorizations(), ["GET /orgs/1.0.0/orgs present"]);
  // A Request works as fetch's own input does, method and body included.
  const post = await auth.fetch(new Request(`${server.api}/orgs/1.0.0/orgs`, { method: "GET" }));
  assert.equal(post.status, 200);
  assert.deepEqual((await authorizations()).length, 2);
});

test("a request to any other origin goes out as it is, without the token", async () => {
  const res = await auth.fetch(`${other.origin}/anything?x=1`, { headers: { "x-mine": "1" } });
  assert.equal(await res.text(), "ok");
  assert.deepEqual(seen, [{ url: "/anything?x=1", authorization: undefined }]);
  // The same host and path on another port, or a URL that only starts like the API base, is
  // another origin.
  const base = new URL(server.api);
  for (const url of [
    `${other.origin}${"/orgs/1.0.0/orgs"}`,
    `${other.origin}/@${base.host}/orgs`,
    `http://127.0.0.1:${other.http.address().port}/?${server.api}`,
  ]) {
    await auth.fetch(url);
  }
  assert.deepEqual(seen.map((s) => s.authorization), [undefined, undefined, undefined, undefined]);
  assert.deepEqual(await server.requests(), []);
});

test("a redirect is never followed with the token: the request fails", async () => {
  await server.admin("POST", "/admin/faults", { mode: "redirect", location: `${other.origin}/stolen`, times: 1 });
  await assert.rejects(auth.fetch(`${server.api}/orgs/1.0.0/orgs`), TypeError);
  assert.deepEqual(seen, [], "the redirect's target got nothing");
  assert.deepEqual(await authorizations(), ["GET /orgs/1.0.0/orgs present"]);
  // Same origin too: the token is sent once, to the URL asked for.
  await server.admin("POST", "/admin/faults", { mode: "redirect", location: `${server.api}/orgs/1.0.0/orgs`, times: 1 });
  await assert.rejects(auth.fetch(`${server.api}/orgs/1.0.0/orgs`, { redirect: "follow" }), TypeError);
});

test("without an account, a request to the API fails with not-logged-in before it is sent", async () => {
  const nobody = new ChoreoAuth({ apiBase: server.api });
  const e = await nobody.fetch(`${server.api}/orgs/1.0.0/orgs`).catch((e) => e);
  assert.ok(e instanceof ChoreoAuthError);
  assert.equal(e.code, "not-logged-in");
  assert.deepEqual(await server.requests(), []);
  // Other origins need no account.
  assert.equal((await nobody.fetch(other.origin)).status, 200);
});
