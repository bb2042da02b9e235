// Several accounts in the package, against the real reference server: one per organization of
// an API base, one of them active, kept in an injected storage object as core's account index
// plus one key per account; and a storage as the package wrote it before accounts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pkg, root, startServer, recordingStorage, rejection } from "./support.mjs";

const { ChoreoAuth } = pkg;
let server;

before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.stop();
});

/** A client over `storage` logged in to acme, then globex, each with a fresh token. */
async function twoOrganizations(storage = recordingStorage()) {
  const auth = new ChoreoAuth({ apiBase: server.api, storage });
  const acme = await server.mint({ org: "acme" });
  const globex = await server.mint({ org: "globex" });
  const a = (await auth.loginWithToken(acme.token)).session;
  const g = (await auth.loginWithToken(globex.token)).session;
  return { auth, storage, tokens: { acme: acme.token, globex: globex.token }, sessions: { acme: a, globex: g } };
}

const handles = (accounts) => accounts.map((a) => [a.session.organization.handle, a.active]);

test("a login to a second organization adds its account beside the first and makes it active", async () => {
  const { auth, storage, tokens, sessions } = await twoOrganizations();
  assert.deepEqual(handles(await auth.accounts()), [["acme", false], ["globex", true]]);
  const listed = await auth.accounts();
  assert.deepEqual(listed[0].session, sessions.acme);
  assert.equal((await auth.status()).session.organization.handle, "globex");
  assert.equal((await auth.status({ org: "acme" })).session.id, sessions.acme.id);
  assert.equal((await auth.status({ org: sessions.acme.organization.uuid })).session.id, sessions.acme.id);
  assert.equal(await auth.accessToken(), tokens.globex);
  assert.equal(await auth.accessToken({ org: "acme" }), tokens.acme);
  // One key per account, and the index, which holds no token.
  const key = (s) => `choreo:${server.api}#${s.organization.uuid}`;
  assert.deepEqual([...storage.map.keys()].sort(), ["choreo:accounts", key(sessions.acme), key(sessions.globex)].sort());
  const index = storage.map.get("choreo:accounts");
  assert.ok(!index.includes(tokens.acme) && !index.includes(tokens.globex));
  assert.deepEqual(
    JSON.parse(index).map((a) => [a.org, a.key, a.active]),
    [["acme", key(sessions.acme), false], ["globex", key(sessions.globex), true]],
  );
  assert.ok(!JSON.stringify(listed).includes(tokens.acme), "accounts() holds no token");
});

test("switch makes the named organization's account active and resolves to its session", async () => {
  const { auth, storage, sessions } = await twoOrganizations();
  assert.deepEqual(await auth.switch("acme"), sessions.acme);
  assert.deepEqual(handles(await auth.accounts()), [["acme", true], ["globex", false]]);
  assert.equal((await auth.status()).session.organization.handle, "acme");
  assert.deepEqual(await auth.switch(sessions.globex.organization.uuid), sessions.globex);
  assert.equal((await auth.status()).session.organization.handle, "globex");
  // Another client over the same storage (an editor restart) sees the same active account.
  const again = new ChoreoAuth({ apiBase: server.api, storage });
  assert.equal((await again.status()).session.organization.handle, "globex");
  const e = await rejection(auth.switch("initech"));
  assert.equal(e.code, "not-logged-in");
  assert.equal(e.message, `no account of organization initech on ${server.api}; its accounts are acme, globex`);
  assert.equal((await auth.status()).session.organization.handle, "globex");
});

test("switch without an organization toggles between two accounts and keeps a single one", async () => {
  const { auth, sessions } = await twoOrganizations();
  assert.deepEqual(await auth.switch(), sessions.acme);
  assert.deepEqual(handles(await auth.accounts()), [["acme", true], ["globex", false]]);
  assert.deepEqual(await auth.switch(), sessions.globex);
  assert.deepEqual(handles(await auth.accounts()), [["acme", false], ["globex", true]]);

  const one = new ChoreoAuth({ apiBase: server.api, storage: recordingStorage() });
  assert.equal((await rejection(one.switch())).message, `not logged in to ${server.api}`);
  const { session } = await one.loginWithToken((await server.mint({ org: "acme" })).token);
  assert.deepEqual(await one.switch(), session);
  assert.deepEqual(handles(await one.accounts()), [["acme", true]]);
});

/**
 * A third account, initech, as a login to it writes one: a copy of acme's credential under
 * initech's organization, and its row in the index (the reference server has two organizations).
 */
function addInitech(storage, acme) {
  const uuid = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
  const key = `choreo:${server.api}#${uuid}`;
  const credential = storage.map.get(`choreo:${server.api}#${acme.organization.uuid}`);
  storage.map.set(key, credential.replaceAll(acme.organization.uuid, uuid).replaceAll('"handle":"acme"', '"handle":"initech"'));
  const index = JSON.parse(storage.map.get("choreo:accounts")).map((row) => ({ ...row, active: false }));
  index.push({ apiBase: server.api, org: "initech", orgUuid: uuid, key, active: true });
  storage.map.set("choreo:accounts", JSON.stringify(index));
}

test("switch without an organization among more than two names them and changes nothing", async () => {
  const { auth, storage, sessions } = await twoOrganizations();
  addInitech(storage, sessions.acme);
  assert.deepEqual(handles(await auth.accounts()), [["acme", false], ["globex", false], ["initech", true]]);
  const e = await rejection(auth.switch());
  assert.equal(e.code, "ambiguous-account");
  assert.equal(e.message, `3 accounts on ${server.api} (acme, globex, initech): name the organization to switch to`);
  assert.deepEqual(handles(await auth.accounts()), [["acme", false], ["globex", false], ["initech", true]]);
});

test("a switch writes the account index only: no credential is written again", async () => {
  const { auth, storage } = await twoOrganizations();
  const credentials = [...storage.map].filter(([key]) => key !== "choreo:accounts");
  storage.calls.length = 0;
  await auth.switch("acme");
  await auth.switch();
  await auth.switch("globex"); // already active: nothing to write
  assert.deepEqual(storage.calls.filter(([op]) => op !== "get"), [["set", "choreo:accounts"], ["set", "choreo:accounts"]]);
  assert.deepEqual([...storage.map].filter(([key]) => key !== "choreo:accounts"), credentials);
});

test("a new token for a known organization replaces its account's credential, in place", async () => {
  const { auth, storage, sessions } = await twoOrganizations();
  const keys = [...storage.map.keys()].sort();
  const fresh = await server.mint({ org: "acme" });
  const { session } = await auth.loginWithToken(fresh.token);
  assert.notEqual(session.id, sessions.acme.id);
  assert.deepEqual(handles(await auth.accounts()), [["acme", true], ["globex", false]]);
  assert.equal(await auth.accessToken({ org: "acme" }), fresh.token);
  assert.deepEqual([...storage.map.keys()].sort(), keys);
});

test("logout of one organization leaves the other, which becomes active", async () => {
  const { auth, storage, tokens, sessions } = await twoOrganizations();
  await auth.switch("acme");
  assert.deepEqual(await auth.logout({ org: "acme" }), sessions.acme);
  assert.deepEqual(handles(await auth.accounts()), [["globex", true]]);
  assert.equal(await auth.accessToken(), tokens.globex);
  assert.ok(![...storage.map.values()].some((v) => v.includes(tokens.acme)), "acme's token is gone");
  const e = await rejection(auth.status({ org: "acme" }));
  assert.equal(e.code, "not-logged-in");
  assert.equal(e.message, `not logged in to ${server.api} (organization acme)`);
});

test("logout({ all: true }) removes every account of the API base", async () => {
  const { auth, storage, sessions } = await twoOrganizations();
  const removed = await auth.logout({ all: true });
  assert.deepEqual(removed.map((s) => s.id).sort(), [sessions.acme.id, sessions.globex.id].sort());
  assert.equal(storage.map.size, 0);
  assert.deepEqual(await auth.accounts(), []);
  assert.equal((await rejection(auth.logout({ all: true }))).code, "not-logged-in");
});

test("accounts of another API base in the same storage are neither listed nor touched", async () => {
  const storage = recordingStorage();
  await twoOrganizations(storage);
  const other = await startServer();
  try {
    const elsewhere = new ChoreoAuth({ apiBase: other.api, storage });
    await elsewhere.loginWithToken((await other.mint({ org: "acme" })).token);
    assert.deepEqual(handles(await elsewhere.accounts()), [["acme", true]]);
    await elsewhere.logout({ all: true });
    const here = new ChoreoAuth({ apiBase: server.api, storage });
    assert.deepEqual(handles(await here.accounts()), [["acme", false], ["globex", true]]);
  } finally {
    await other.stop();
  }
});

test("changes started together run one at a time, so no account is lost", async () => {
  // A storage that answers slowly, so two logins' read-change-write of the index would overlap.
  const map = new Map();
  const slowly = (value) => new Promise((resolve) => setTimeout(() => resolve(value), 30));
  const storage = {
    get: (key) => slowly(map.get(key)),
    set: (key, value) => slowly(void map.set(key, value)),
    delete: (key) => slowly(void map.delete(key)),
  };
  const auth = new ChoreoAuth({ apiBase: server.api, storage });
  const acme = await server.mint({ org: "acme" });
  const globex = await server.mint({ org: "globex" });
  // Two clients over one storage, as an editor's windows have.
  const other = new ChoreoAuth({ apiBase: server.api, storage });
  await Promise.all([auth.loginWithToken(acme.token), other.loginWithToken(globex.token)]);
  assert.deepEqual(handles(await auth.accounts()).map(([h]) => h).sort(), ["acme", "globex"]);
});

test("logins over different storages run side by side, each with its own answers and storage", async () => {
  // Storages that answer after different delays, so the two runs' requests and answers cross.
  const slowStorage = (ms) => {
    const map = new Map();
    const later = (value) => new Promise((resolve) => setTimeout(() => resolve(value), ms));
    return { map, get: (k) => later(map.get(k)), set: (k, v) => later(void map.set(k, v)), delete: (k) => later(void map.delete(k)) };
  };
  const [first, second] = [slowStorage(25), slowStorage(5)];
  const acme = await server.mint({ org: "acme" });
  const globex = await server.mint({ org: "globex" });
  const [a, g] = await Promise.all([
    new ChoreoAuth({ apiBase: server.api, storage: first }).loginWithToken(acme.token),
    new ChoreoAuth({ apiBase: server.api, storage: second }).loginWithToken(globex.token),
  ]);
  assert.equal(a.session.organization.handle, "acme");
  assert.equal(g.session.organization.handle, "globex");
  const holds = (storage, token) => [...storage.map.values()].some((v) => v.includes(token));
  assert.ok(holds(first, acme.token) && !holds(first, globex.token), "the first storage holds acme's token only");
  assert.ok(holds(second, globex.token) && !holds(second, acme.token), "the second storage holds globex's token only");
});

/** A storage object holding what the package wrote before accounts, for `token`. */
function storageBeforeAccounts(token) {
  const text = readFileSync(join(root, "wasm/tests/data/before-accounts.json"), "utf8")
    .replaceAll("{{API}}", server.api)
    .replaceAll("{{TOKEN}}", token)
    .replaceAll("{{MASKED}}", `chp_…${token.slice(-4)}`);
  const storage = recordingStorage();
  for (const [key, value] of Object.entries(JSON.parse(text))) storage.map.set(key, value);
  return storage;
}

test("a storage written before accounts is read as its account, and kept where it is, nothing lost", async () => {
  const { token } = await server.mint({ org: "acme", scopes: ["apim:api_view"] });
  const storage = storageBeforeAccounts(token);
  const before = storage.map.get(`choreo:${server.api}`);
  const auth = new ChoreoAuth({ apiBase: server.api, storage });
  const status = await auth.status();
  assert.equal(status.session.organization.handle, "acme");
  assert.equal(status.session.validUntil, "2099-01-01T00:00:00Z");
  assert.equal((await auth.status({ online: true })).checkedOnline, true);
  assert.equal(await auth.accessToken({ org: "acme" }), token);
  assert.deepEqual(handles(await auth.accounts()), [["acme", true]]);
  // Reading writes nothing.
  assert.deepEqual(storage.calls.filter(([op]) => op !== "get"), []);

  // A second organization comes beside it; the first stays under its key, as it was.
  const globex = await server.mint({ org: "globex" });
  await auth.loginWithToken(globex.token);
  assert.equal(storage.map.get(`choreo:${server.api}`), before);
  assert.deepEqual(handles(await auth.accounts()), [["acme", false], ["globex", true]]);
  assert.equal(await auth.accessToken({ org: "acme" }), token);

  // Logging out of it removes it, and it does not come back.
  await auth.logout({ org: "acme" });
  assert.equal(storage.map.has(`choreo:${server.api}`), false);
  assert.deepEqual(handles(await auth.accounts()), [["globex", true]]);
});

test("a value before accounts that is not a credential fails closed; logout clears it", async () => {
  const storage = recordingStorage();
  storage.map.set(`choreo:${server.api}`, "{not a credential");
  const auth = new ChoreoAuth({ apiBase: server.api, storage });
  const e = await rejection(auth.status());
  assert.equal(e.code, "storage-corrupt");
  assert.equal(e.message, `stored credentials are unreadable: the value of choreo:${server.api} is not a credential`);
  assert.equal((await rejection(auth.accounts())).code, "storage-corrupt");
  assert.equal((await rejection(auth.logout())).code, "not-logged-in");
  assert.equal(storage.map.size, 0);
  assert.equal((await rejection(auth.status())).code, "not-logged-in");
});

test("org must be a string", async () => {
  const auth = new ChoreoAuth({ apiBase: server.api });
  for (const call of [() => auth.status({ org: 1 }), () => auth.accessToken({ org: {} }), () => auth.logout({ org: [] })]) {
    const e = await rejection(call());
    assert.equal(e.code, "invalid-argument");
    assert.equal(e.message, "org must be a string");
  }
});
