// The token variables in the package, in Node against the real reference server (which signs
// the STS tokens): useStsToken for a token given explicitly (a browser has no environment),
// useEnvironment for an object of variables (process.env in Node) in the CLI's order,
// environmentToken for the token itself. Core's flows and checks; nothing is ever stored.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { pkg, startServer, recordingStorage } from "./support.mjs";

const { ChoreoAuth } = pkg;
let server;

before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});
beforeEach(async () => {
  await server.clearRequests();
});

const mintSts = (spec = {}) => server.admin("POST", "/admin/sts", spec);
const asked = async () => (await server.requests()).map((r) => `${r.method} ${r.path}`);

/** A client whose storage records every call: none may happen. */
function client() {
  const storage = recordingStorage();
  return { auth: new ChoreoAuth({ apiBase: server.api, storage }), storage };
}

async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof Error, "rejects with an Error");
    return e;
  }
  assert.fail("the promise resolved");
}

test("useStsToken confirms the organization with the token as bearer and stores nothing", async () => {
  const { token, exp } = await mintSts({ sub: "sts-user-3" });
  const { auth, storage } = client();
  const result = await auth.useStsToken(token + "\n");
  assert.equal(result.variable, "CLOUD_STS_TOKEN");
  assert.deepEqual(result.warnings, []);
  const { session } = result;
  assert.equal(session.kind, "choreo-sts");
  assert.equal(session.userId, "sts-user-3");
  assert.equal(session.organization.handle, "acme");
  assert.equal(session.organization.name, "Acme Corp");
  assert.equal(session.validUntil, new Date(exp * 1000).toISOString().replace(".000Z", "Z"));
  assert.equal(session.masked, `…${token.slice(-4)}`);
  assert.ok(!JSON.stringify(result).includes(token), "the result never holds the token");
  assert.deepEqual(await asked(), ["GET /orgs/1.0.0/orgs/acme"]);
  assert.deepEqual(storage.calls, [], "storage untouched");
});

test("useEnvironment takes CHOREO_TOKEN, then WSO2IP_PAT, then CLOUD_STS_TOKEN, and names the one used", async () => {
  const { token: choreo } = await server.mint({ org: "acme" });
  const { token: wso2 } = await server.mint({ org: "globex" });
  const { token: sts } = await mintSts({ org: "acme" });
  const { auth, storage } = client();

  const all = await auth.useEnvironment({ CLOUD_STS_TOKEN: sts, WSO2IP_PAT: wso2, CHOREO_TOKEN: choreo, HOME: "/x" });
  assert.equal(all.variable, "CHOREO_TOKEN");
  assert.equal(all.session.organization.handle, "acme");
  assert.deepEqual(
    all.warnings.map((w) => [w.code, w.severity, w.message]),
    [[
      "env-token-precedence",
      "notice",
      "CHOREO_TOKEN is used: WSO2IP_PAT and CLOUD_STS_TOKEN are set too, and the order is CHOREO_TOKEN, WSO2IP_PAT, CLOUD_STS_TOKEN",
    ]],
  );
  assert.equal(auth.environmentToken({ CLOUD_STS_TOKEN: sts, WSO2IP_PAT: wso2, CHOREO_TOKEN: choreo }), choreo);

  // An empty variable counts as unset.
  const two = { CHOREO_TOKEN: "", WSO2IP_PAT: wso2, CLOUD_STS_TOKEN: sts };
  const used = await auth.useEnvironment(two);
  assert.equal(used.variable, "WSO2IP_PAT");
  assert.equal(used.session.organization.handle, "globex");
  assert.equal(used.session.kind, "choreo-pat");
  assert.equal(auth.environmentToken(two), wso2);

  const alone = await auth.useEnvironment({ CLOUD_STS_TOKEN: sts });
  assert.equal(alone.variable, "CLOUD_STS_TOKEN");
  assert.deepEqual(alone.warnings, []);
  assert.equal(auth.environmentToken({ CLOUD_STS_TOKEN: ` ${sts}\r\n` }), sts, "intake's repairs");
  assert.deepEqual(storage.calls, [], "storage untouched");
});

test("an expired STS token, or one without an organization handle, is refused before any request", async () => {
  const { auth, storage } = client();
  const { token: expired } = await mintSts({ ttlSeconds: -120 });
  const { token: empty } = await mintSts({ handle: "" });
  const { token: none } = await mintSts({ omitOrganization: true });
  const e = await rejection(auth.useStsToken(expired));
  assert.equal(e.code, "sts-expired");
  assert.match(e.message, /^the choreo sts access token expired at \S+Z; get a new one$/);
  assert.equal((await rejection(auth.useEnvironment({ CLOUD_STS_TOKEN: expired }))).code, "sts-expired");
  assert.throws(() => auth.environmentToken({ CLOUD_STS_TOKEN: expired }), { code: "sts-expired" });
  for (const token of [empty, none]) {
    const missing = await rejection(auth.useStsToken(token));
    assert.equal(missing.code, "sts-missing-organization");
    assert.deepEqual(missing.problems.map((p) => p.code), ["sts-missing-organization"]);
  }
  assert.equal((await rejection(auth.useEnvironment({ WSO2IP_PAT: empty }))).code, "sts-missing-organization");
  assert.deepEqual(await asked(), [], "no request");
  assert.deepEqual(storage.calls, [], "storage untouched");
});

test("a 401 from the api fails each variable with unauthorized", async () => {
  const elsewhere = await startServer();
  try {
    const { auth, storage } = client();
    const { token: sts } = await elsewhere.admin("POST", "/admin/sts", {});
    const e = await rejection(auth.useStsToken(sts));
    assert.equal(e.code, "unauthorized");
    assert.match(e.message, /signature does not verify/);
    for (const name of ["CHOREO_TOKEN", "WSO2IP_PAT"]) {
      const refused = await rejection(auth.useEnvironment({ [name]: elsewhere.demoToken }));
      assert.equal(refused.code, "unauthorized", name);
      assert.ok(!refused.message.includes(elsewhere.demoToken));
    }
    assert.deepEqual(storage.calls, [], "storage untouched");
  } finally {
    await elsewhere.stop();
  }
});

test("each entry point takes only its own kind of token, and says what is wrong with the arguments", async () => {
  const { auth, storage } = client();
  const { token: sts } = await mintSts();
  const { token: pat } = await server.mint();
  const login = await rejection(auth.loginWithToken(sts));
  assert.equal(login.code, "sts-not-pat");
  assert.match(login.message, /set it as CLOUD_STS_TOKEN/);
  assert.equal((await rejection(auth.useStsToken(pat))).code, "sts-expected");
  assert.equal((await rejection(auth.useEnvironment({ CHOREO_TOKEN: sts }))).code, "sts-not-pat");
  assert.deepEqual(await asked(), [], "no request");
  const unset = await rejection(auth.useEnvironment({ HOME: "/root" }));
  assert.equal(unset.code, "not-logged-in");
  assert.match(unset.message, /no token variable is set \(CHOREO_TOKEN, WSO2IP_PAT, CLOUD_STS_TOKEN\)/);
  assert.throws(() => auth.environmentToken({}), { code: "not-logged-in" });
  assert.equal((await rejection(auth.useEnvironment(42))).code, "invalid-argument");
  assert.equal((await rejection(auth.useEnvironment({ CLOUD_STS_TOKEN: 7 }))).code, "invalid-argument");
  assert.equal((await rejection(auth.useStsToken(7))).code, "invalid-argument");
  assert.deepEqual(storage.calls.filter(([op]) => op !== "get"), [], "nothing written");
});
