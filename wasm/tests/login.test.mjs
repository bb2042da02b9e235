// The login flow of the package in Node against the real reference server on loopback, with an
// injected storage object as a VS Code extension passes `context.secrets`.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { pkg, startServer, recordingStorage, rejection } from "./support.mjs";

const { ChoreoAuth, ChoreoAuthError } = pkg;
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

test("login with a fresh PAT stores it under its account's key and resolves to the session", async () => {
  const { token } = await server.mint({ org: "acme", scopes: ["apim:api_view"] });
  const storage = recordingStorage();
  const auth = new ChoreoAuth({ apiBase: server.api, storage });
  const { session, warnings } = await auth.loginWithToken(token + "\n");
  assert.equal(session.apiBase, server.api);
  assert.equal(session.kind, "choreo-pat");
  assert.equal(session.organization.handle, "acme");
  assert.deepEqual(session.scopes, ["apim:api_view"]);
  assert.equal(session.masked, `chp_…${token.slice(-4)}`);
  assert.match(session.id, /^[0-9a-f]{32}$/);
  assert.deepEqual(warnings, []);
  assert.ok(!JSON.stringify(session).includes(token), "the session never holds the token");
  // The stored value is core's storage form, holding the token, under one key per account;
  // the account index beside it holds no secret.
  const key = `choreo:${server.api}#${session.organization.uuid}`;
  assert.deepEqual([...storage.map.keys()], [key, "choreo:accounts"]);
  const stored = JSON.parse(storage.map.get(key));
  assert.equal(stored.token, token);
  assert.equal(stored.session.id, session.id);
  assert.deepEqual(JSON.parse(storage.map.get("choreo:accounts")), [
    { apiBase: server.api, org: "acme", orgUuid: session.organization.uuid, key, active: true },
  ]);
  assert.deepEqual(
    (await server.requests()).map((r) => `${r.method} ${r.path} ${r.authorization}`),
    [
      "POST /api-key-service/v1.0/pat/introspect present",
      "GET /orgs/1.0.0/orgs present",
      "GET /orgs/1.0.0/orgs/acme present",
    ],
  );
});

test("status reads the stored session offline, and online checks it with the api again", async () => {
  const { token } = await server.mint({ org: "acme" });
  const storage = recordingStorage();
  const auth = new ChoreoAuth({ apiBase: server.api, storage });
  const { session } = await auth.loginWithToken(token);
  await server.clearRequests();

  const offline = await auth.status();
  assert.equal(offline.checkedOnline, false);
  assert.deepEqual(offline.session, session);
  assert.deepEqual(await server.requests(), []);

  // A second client over the same storage (an editor restart) sees the same login.
  const again = new ChoreoAuth({ apiBase: server.api, storage });
  const online = await again.status({ online: true });
  assert.equal(online.checkedOnline, true);
  assert.equal(online.session.id, session.id);
  assert.equal((await server.requests()).length, 3);
});

test("status online of a revoked token fails with pat-inactive and the stored session", async () => {
  const { token, id } = await server.mint({ org: "acme" });
  const auth = new ChoreoAuth({ apiBase: server.api });
  const { session } = await auth.loginWithToken(token);
  await server.admin("POST", `/admin/pats/${id}/revoke`);
  const e = await rejection(auth.status({ online: true }));
  assert.equal(e.code, "pat-inactive");
  assert.equal(e.message, 'the token is not active (its status is "revoked")');
  assert.deepEqual(e.session, session);
});

test("logout removes the credential and resolves to its session; a second logout has nothing to remove", async () => {
  const { token } = await server.mint({ org: "acme" });
  const storage = recordingStorage();
  const auth = new ChoreoAuth({ apiBase: server.api, storage });
  const { session } = await auth.loginWithToken(token);
  assert.equal(await auth.accessToken(), token, "accessToken hands the stored token on");
  assert.deepEqual(await auth.logout(), session);
  assert.equal(storage.map.size, 0);
  assert.equal((await rejection(auth.accessToken())).code, "not-logged-in");
  const e = await rejection(auth.logout());
  assert.equal(e.code, "not-logged-in");
  assert.equal(e.message, `not logged in to ${server.api}; nothing to remove`);
  assert.equal((await rejection(auth.status())).code, "not-logged-in");
});

test("an unknown token is unauthorized and the storage is never written", async () => {
  const storage = recordingStorage();
  const auth = new ChoreoAuth({ apiBase: server.api, storage });
  const e = await rejection(auth.loginWithToken("chp_Xq7Lm2Pz9Rt4Vw8Ny3Bc6Df1Gh5Jk01nNmox"));
  assert.equal(e.code, "unauthorized");
  assert.match(e.message, /^the choreo api did not accept this token/);
  assert.equal(e.problems, undefined);
  assert.deepEqual(storage.calls, []);
});

test("a revoked token fails with pat-inactive and the storage is never written", async () => {
  const { token, id } = await server.mint({ org: "acme" });
  await server.admin("POST", `/admin/pats/${id}/revoke`);
  const storage = recordingStorage();
  const e = await rejection(new ChoreoAuth({ apiBase: server.api, storage }).loginWithToken(token));
  assert.equal(e.code, "pat-inactive");
  assert.deepEqual(storage.calls, []);
});

test("an expired token fails with pat-expired", async () => {
  const { token, id } = await server.mint({ org: "acme" });
  await server.admin("POST", `/admin/pats/${id}/expire`);
  const e = await rejection(new ChoreoAuth({ apiBase: server.api }).loginWithToken(token));
  assert.equal(e.code, "pat-expired");
});

test("requiredScopes the token lacks fail with missing-scopes, naming them", async () => {
  const { token } = await server.mint({ org: "acme", scopes: ["apim:api_view"] });
  const storage = recordingStorage();
  const auth = new ChoreoAuth({
    apiBase: server.api,
    storage,
    requiredScopes: ["apim:api_view", "choreo:deploy"],
  });
  const e = await rejection(auth.loginWithToken(token));
  assert.equal(e.code, "missing-scopes");
  assert.equal(e.message, "the token lacks required scopes: choreo:deploy");
  assert.deepEqual(storage.calls, []);
});

test("a foreign token is refused offline: problems listed, no request made, storage untouched", async () => {
  const storage = recordingStorage();
  const auth = new ChoreoAuth({ apiBase: server.api, storage });
  const e = await rejection(auth.loginWithToken("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"));
  assert.equal(e.code, "foreign-token");
  assert.match(e.message, /^this is a GitHub token \(classic\), not a choreo token/);
  assert.deepEqual(
    e.problems.map((p) => [p.code, p.severity]),
    [["foreign-token", "error"]],
  );
  assert.ok(!e.message.includes("M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq"));
  assert.deepEqual(await server.requests(), []);
  assert.deepEqual(storage.calls, []);
});

test("a failing storage fails the login closed, with the storage code", async () => {
  const { token } = await server.mint({ org: "acme" });
  const storage = {
    get: async () => undefined,
    set: async () => {
      throw new Error("keychain locked");
    },
    delete: async () => {},
  };
  const e = await rejection(new ChoreoAuth({ apiBase: server.api, storage }).loginWithToken(token));
  assert.equal(e.code, "storage-failed");
  assert.equal(e.message, "credential storage failed: set() threw: keychain locked");
  // VS Code's shape: the message names the method the caller wrote.
  const secrets = { get: storage.get, store: storage.set, delete: storage.delete };
  const vscode = await rejection(new ChoreoAuth({ apiBase: server.api, storage: secrets }).loginWithToken(token));
  assert.equal(vscode.message, "credential storage failed: store() threw: keychain locked");
});

test("an unreachable api is a network-error that does not echo the token", async () => {
  const token = "chp_Xq7Lm2Pz9Rt4Vw8Ny3Bc6Df1Gh5Jk01nNmox";
  // A loopback port nothing listens on (fetch refuses port 9 itself, as a "bad port").
  const closed = createServer();
  await new Promise((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const { port } = closed.address();
  await new Promise((resolve) => closed.close(resolve));
  const e = await rejection(new ChoreoAuth({ apiBase: `http://127.0.0.1:${port}` }).loginWithToken(token));
  assert.equal(e.code, "network-error");
  assert.match(e.message, /^could not reach the choreo api: could not connect/);
  assert.ok(!e.message.includes(token));
  // What fetch rejected with is the cause, as `new Error(message, { cause })` has it; in Node,
  // its own cause names the refused connection.
  assert.ok(e.cause instanceof TypeError, String(e.cause));
  assert.equal(e.cause.cause?.code, "ECONNREFUSED");
  assert.ok(!Object.keys(e).includes("cause"), "cause is not enumerable, as Error's own");
  // Errors that are not the network's have no cause.
  const refused = await rejection(new ChoreoAuth({ apiBase: server.api }).loginWithToken("chp_Xq7Lm2Pz9Rt4Vw8Ny3Bc6Df1Gh5Jk01nNmox"));
  assert.equal(refused.cause, undefined);
});

test("every error the package throws is a ChoreoAuthError with a code, synchronous ones too", () => {
  const thrown = (f) => {
    try {
      f();
    } catch (e) {
      return e;
    }
    assert.fail("nothing was thrown");
  };
  for (const [e, code] of [
    [thrown(() => new ChoreoAuth({ apiBase: "http://example.com" })), "insecure-api-base"],
    [thrown(() => new ChoreoAuth({ timeoutMs: -1 })), "invalid-argument"],
    [thrown(() => pkg.inspectToken(42)), "invalid-argument"],
  ]) {
    assert.ok(e instanceof ChoreoAuthError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.name, "ChoreoAuthError");
  }
});

test("a login with the default memory storage lasts as long as the client", async () => {
  const { token } = await server.mint({ org: "acme" });
  const auth = new ChoreoAuth({ apiBase: server.api });
  await auth.loginWithToken(token);
  assert.equal((await auth.status()).session.organization.handle, "acme");
  assert.equal((await rejection(new ChoreoAuth({ apiBase: server.api }).status())).code, "not-logged-in");
});

test("a response past core's size limit is cut off and a bad-response, as on every host", async () => {
  const { token } = await server.mint({ org: "acme" });
  await server.admin("POST", "/admin/faults", { mode: "huge", times: 1 });
  const storage = recordingStorage();
  const e = await rejection(new ChoreoAuth({ apiBase: server.api, storage }).loginWithToken(token));
  assert.equal(e.code, "bad-response");
  assert.equal(
    e.message,
    "an answer from the choreo api is larger than 1048576 bytes, which is not what the protocol says",
  );
  assert.deepEqual(storage.calls, []);
});

test("a redirect is refused (server-error, as on every host), so the Authorization header is never replayed elsewhere", async () => {
  const { token } = await server.mint({ org: "acme" });
  await server.admin("POST", "/admin/faults", {
    mode: "redirect",
    location: `${server.api}/elsewhere`,
    times: 1,
  });
  const e = await rejection(new ChoreoAuth({ apiBase: server.api }).loginWithToken(token));
  assert.equal(e.code, "server-error");
  assert.match(e.message, /redirect, which is never followed/);
  assert.ok(!e.message.includes(token));
  assert.deepEqual(
    (await server.requests()).map((r) => r.path),
    ["/api-key-service/v1.0/pat/introspect"],
  );
});

test("VS Code's SecretStorage shape works as is: store() instead of set(), Thenables", async () => {
  const map = new Map();
  // Thenables that are not native promises, like the `Thenable` of the VS Code API.
  const thenable = (value) => ({ then: (resolve) => resolve(value) });
  const secrets = {
    get: (key) => thenable(map.get(key)),
    store: (key, value) => thenable(void map.set(key, value)),
    delete: (key) => thenable(void map.delete(key)),
  };
  const { token } = await server.mint({ org: "acme" });
  const auth = new ChoreoAuth({ apiBase: server.api, storage: secrets });
  const { session } = await auth.loginWithToken(token);
  assert.equal(JSON.parse(map.get(`choreo:${server.api}#${session.organization.uuid}`)).session.id, session.id);
  assert.equal((await auth.status()).session.id, session.id);
  await auth.logout();
  assert.equal(map.size, 0);
});

test("a login that gets no complete answer within timeoutMs is abandoned with network-error", async () => {
  const { token } = await server.mint({ org: "acme" });
  await server.admin("POST", "/admin/faults", { mode: "delay", delayMs: 3000, times: 1 });
  const storage = recordingStorage();
  const auth = new ChoreoAuth({ apiBase: server.api, storage, timeoutMs: 300 });
  const started = Date.now();
  const e = await rejection(auth.loginWithToken(token));
  assert.equal(e.code, "network-error");
  assert.equal(
    e.message,
    "could not reach the choreo api: no complete answer within the time limit; try again, or allow more time",
  );
  assert.ok(Date.now() - started < 2500, "it did not wait for the server");
  assert.deepEqual(storage.calls, []);
});

test("a storage error that quotes the stored value is cut before it reaches the caller", async () => {
  const { token } = await server.mint({ org: "acme" });
  const storage = {
    get: async () => undefined,
    set: async (key, value) => {
      throw new Error(`cannot save ${value}`);
    },
    delete: async () => {},
  };
  const e = await rejection(new ChoreoAuth({ apiBase: server.api, storage }).loginWithToken(token));
  assert.equal(e.code, "storage-failed");
  assert.equal(e.message, "credential storage failed: the storage's error quoted the credential, so it is not shown");
});

test("a Uint8Array token can be wiped by the caller as soon as loginWithToken returns", async () => {
  const { token } = await server.mint({ org: "acme" });
  const bytes = new TextEncoder().encode(token);
  const pending = new ChoreoAuth({ apiBase: server.api }).loginWithToken(bytes);
  bytes.fill(0);
  assert.equal((await pending).session.organization.handle, "acme");
});

test("timeoutMs bounds the whole login, not each request: three 1.2 s answers do not fit in 3 s", async () => {
  const { token } = await server.mint({ org: "acme" });
  await server.admin("POST", "/admin/faults", { mode: "delay", delayMs: 1200 });
  const storage = recordingStorage();
  const e = await rejection(new ChoreoAuth({ apiBase: server.api, storage, timeoutMs: 3000 }).loginWithToken(token));
  assert.equal(e.code, "network-error");
  assert.deepEqual(storage.calls, []);
  await server.admin("DELETE", "/admin/faults");
});
