'use strict';
// The provider with a token variable in the extension host's environment (a hosted editor sets
// CLOUD_STS_TOKEN): the same core flow and order as the CLI, the session kept in memory, nothing
// written to SecretStorage. A fake `vscode` module; the real wasm package and reference server.

const { test, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startServer, root } = require('../support');
const { fakeVscode, SecretStorage, memoryLog } = require('./fake-vscode');
const { ChoreoAuthenticationProvider } = require('../../src/provider');

const shipped = path.join(__dirname, '..', '..', 'dist', 'choreo-auth', 'index.js');
const lib = require(fs.existsSync(shipped) ? shipped : path.join(root, 'wasm', 'pkg', 'nodejs', 'index.js'));

const VARIABLES = ['CHOREO_TOKEN', 'WSO2IP_PAT', 'CLOUD_STS_TOKEN'];

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});
afterEach(() => {
  for (const name of VARIABLES) delete process.env[name];
});

async function mintSts(spec = {}) {
  const res = await fetch(`${server.api}/admin/sts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  assert.equal(res.status, 201);
  return (await res.json()).token;
}

/** A provider over `secrets` (fresh storage by default), with the user typing `answers`. */
function setup(answers = [], secrets = new SecretStorage()) {
  const { vscode } = fakeVscode(answers);
  const log = memoryLog();
  const provider = new ChoreoAuthenticationProvider({ vscode, lib, secrets, apiBase: () => server.api, log });
  return { provider, secrets, log };
}

test('CLOUD_STS_TOKEN in the environment is a session of its organization, kept in memory only', async () => {
  const sts = await mintSts({ sub: 'sts-user-5' });
  process.env.CLOUD_STS_TOKEN = sts;
  const { provider, secrets, log } = setup();
  const sessions = await provider.getSessions([]);
  assert.equal(sessions.length, 1);
  const [session] = sessions;
  assert.ok(session.accessToken === sts, 'the session hands on the variable\'s token');
  assert.deepEqual(session.account, { id: `sts-user-5@${'0b7d1f1e-5c6a-4a39-9d3e-2f1a8c4e7b10'}`, label: 'acme' });
  assert.ok(log.lines.some((l) => l.startsWith(`info using CLOUD_STS_TOKEN for ${server.api} (acme, …`)), log.lines.join('\n'));
  // Asked once per API base, whatever VS Code asks after.
  await provider.getSessions([]);
  const asked = (await server.requests()).map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(asked.filter((r) => r.startsWith('GET /orgs')), ['GET /orgs/1.0.0/orgs/acme']);
  assert.deepEqual(secrets.calls, [], 'SecretStorage untouched');
  assert.ok(!JSON.stringify(log.lines).includes(sts), 'no token in the log');
  provider.dispose();
});

test('the environment comes first, in the CLI\'s order, before a stored account', async () => {
  const stored = await server.mint({ org: 'globex' });
  const signedIn = setup([stored]);
  await signedIn.provider.createSession([]);
  const wso2 = await server.mint({ org: 'acme' });
  process.env.CLOUD_STS_TOKEN = await mintSts({ org: 'globex' });
  process.env.WSO2IP_PAT = wso2;
  const { provider, log } = setup([], signedIn.secrets);
  const [session] = await provider.getSessions([]);
  assert.ok(session.accessToken === wso2, 'WSO2IP_PAT comes before CLOUD_STS_TOKEN and the stored account');
  assert.equal(session.account.label, 'acme');
  assert.ok(
    log.lines.includes(
      'info WSO2IP_PAT is used: CLOUD_STS_TOKEN is set too, and the order is CHOREO_TOKEN, WSO2IP_PAT, CLOUD_STS_TOKEN (env-token-precedence)',
    ),
    log.lines.join('\n'),
  );
  // The stored account is still there, untouched, for when the variables are gone.
  delete process.env.WSO2IP_PAT;
  delete process.env.CLOUD_STS_TOKEN;
  const [after] = await setup([], signedIn.secrets).provider.getSessions([]);
  assert.ok(after.accessToken === stored, 'the stored token');
});

test('an expired or organization-less STS token is refused by core and logged, and nothing is stored', async () => {
  for (const [spec, code] of [
    [{ ttlSeconds: -120 }, 'sts-expired'],
    [{ handle: '' }, 'sts-missing-organization'],
  ]) {
    const sts = await mintSts(spec);
    process.env.CLOUD_STS_TOKEN = sts;
    const { provider, secrets, log } = setup();
    assert.deepEqual(await provider.getSessions([]), []);
    assert.ok(log.lines.some((l) => l.startsWith('warn the token variable is not usable: ') && l.endsWith(`(${code})`)), log.lines.join('\n'));
    assert.ok(!secrets.calls.some((c) => c.startsWith('store ')), 'nothing stored');
  }
});
