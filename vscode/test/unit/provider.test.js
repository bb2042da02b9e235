'use strict';
// The provider's logic with a fake `vscode` module, the real @choreo/auth wasm package and the
// real reference server on loopback.

const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startServer, routes, root } = require('../support');
const { fakeVscode, SecretStorage, memoryLog } = require('./fake-vscode');
const {
  ChoreoAuthenticationProvider,
  validationMessage,
  PROVIDER_ID,
  escapeMarkdown,
  failureMessage,
} = require('../../src/provider');

// What the .vsix ships (after build.sh), else the package it is copied from.
const shipped = path.join(__dirname, '..', '..', 'dist', 'choreo-auth', 'index.js');
const lib = require(fs.existsSync(shipped) ? shipped : path.join(root, 'wasm', 'pkg', 'nodejs', 'index.js'));

const GITHUB_TOKEN = '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';
const SCOPES = ['apim:api_view', 'choreo:project_view'];
const { Error: ERROR, Info: INFO } = fakeVscode().vscode.InputBoxValidationSeverity;

let server;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.stop();
});
beforeEach(async () => {
  await server.clearRequests();
});

/** A provider over fresh storage, with the user typing `answers`. */
function setup(answers) {
  const { vscode, shown } = fakeVscode(answers);
  const secrets = new SecretStorage();
  const log = memoryLog();
  const provider = new ChoreoAuthenticationProvider({ vscode, lib, secrets, apiBase: () => server.api, log });
  const events = [];
  provider.onDidChangeSessions((e) => events.push(e));
  return { provider, shown, secrets, log, events };
}

// Sessions carry the token: assertions compare their ids, so a failure never prints one.
const ids = (sessions) => sessions.map((x) => x.id);
const eventIds = (e) => ({ added: ids(e.added), removed: ids(e.removed), changed: ids(e.changed) });

/** Everything the extension said or wrote outside SecretStorage. */
function everythingButSecrets({ shown, log, events }) {
  const outside = { shown, log: log.lines, events: events.map((e) => e.added.concat(e.removed).map((s) => s.account)) };
  return JSON.stringify(outside);
}

test('the provider id is choreo', () => {
  assert.equal(PROVIDER_ID, 'choreo');
});

test('the input box names a GitHub token as foreign before anything is sent', async () => {
  const { provider, shown, secrets } = setup([GITHUB_TOKEN]);
  await assert.rejects(provider.createSession([]), { code: 'cancelled' });
  const [box] = shown.inputBoxes;
  assert.equal(box.options.password, true);
  assert.equal(box.options.ignoreFocusOut, true);
  assert.equal(box.verdict.severity, ERROR);
  assert.match(box.verdict.message, /^GitHub token \(classic\): this is a GitHub token \(classic\), not a choreo token/);
  assert.match(box.verdict.message, /\(foreign-token\)$/);
  assert.deepEqual(routes(await server.requests()), []);
  assert.deepEqual(secrets.calls, []);
});

test('the verdict is the core report: kind label, first error message and code', () => {
  const { vscode } = fakeVscode();
  const report = lib.inspectToken('chp_abc');
  const verdict = validationMessage(vscode, lib, 'chp_abc');
  const firstError = report.problems.find((p) => p.severity === 'error');
  assert.deepEqual(verdict, {
    message: `${report.label}: ${firstError.message} (${firstError.code})`,
    severity: ERROR,
  });
  assert.equal(validationMessage(vscode, lib, ''), undefined);
});

test('a well-formed PAT gets an informational verdict with its mask, never the token', async () => {
  const token = await server.mint({ scopes: SCOPES });
  const { vscode } = fakeVscode();
  const verdict = validationMessage(vscode, lib, token);
  assert.equal(verdict.severity, INFO);
  assert.match(verdict.message, /^Choreo personal access token chp_…\S+: press Enter to sign in$/);
  assert.ok(!verdict.message.includes(token));
});

test('createSession logs in, keeps the token in SecretStorage only, and fires added', async () => {
  const token = await server.mint({ scopes: SCOPES });
  const ctx = setup([token]);
  const session = await ctx.provider.createSession([]);

  assert.ok(session.accessToken === token, 'accessToken is the PAT that was typed');
  assert.equal(session.account.label, 'acme');
  assert.deepEqual(session.scopes, SCOPES);
  assert.deepEqual(ctx.events.map(eventIds), [{ added: [session.id], removed: [], changed: [] }]);
  const [listed] = await ctx.provider.getSessions();
  assert.deepEqual({ ...listed, accessToken: undefined }, { ...session, accessToken: undefined });
  assert.ok(listed.accessToken === token, 'getSessions hands out the stored token');
  assert.deepEqual(ids(await ctx.provider.getSessions(['apim:api_view'])), [session.id]);
  assert.deepEqual(ids(await ctx.provider.getSessions(['choreo:admin'])), []);

  // Stored through SecretStorage's `store` (the adapter's `set`): the account's key, holding the
  // token, and the package's account index, which holds none.
  const key = `choreo:${server.api}#${ctx.secrets.values.keys().next().value.split('#')[1]}`;
  assert.deepEqual(ctx.secrets.calls.filter((c) => c.startsWith('store ')), [`store ${key}`, 'store choreo:accounts']);
  assert.ok(ctx.secrets.values.get(key).includes(token));
  assert.ok(!ctx.secrets.values.get('choreo:accounts').includes(token));
  assert.ok(!everythingButSecrets(ctx).includes(token));
  assert.deepEqual(routes(await server.requests()), [
    'POST /api-key-service/v1.0/pat/introspect',
    'GET /orgs/1.0.0/orgs',
    'GET /orgs/1.0.0/orgs/acme',
  ]);
  assert.ok(ctx.log.lines.some((l) => l.startsWith(`info signed in to ${server.api} as acme (chp_…`)));
  assert.deepEqual(ctx.shown, { errors: [], warnings: [], infos: [], inputBoxes: ctx.shown.inputBoxes });
});

test('a PAT about to expire signs in with core\'s pat-expiring-soon warning shown and logged', async () => {
  const token = await server.mint({ scopes: SCOPES, ttlSeconds: 3600 });
  const ctx = setup([token]);
  await ctx.provider.createSession([]);
  assert.equal(ctx.shown.warnings.length, 1);
  assert.match(ctx.shown.warnings[0], /^Choreo: .+ \(pat-expiring-soon\)$/);
  assert.ok(ctx.log.lines.some((l) => l.startsWith('warn ') && l.endsWith('(pat-expiring-soon)')));
});

test('an unknown token is refused by the API with its code shown, and nothing is stored', async () => {
  const { provider, shown, secrets, log } = setup(['chp_B7TDw5QI8il3YxwusO84063P2FNRAG2EdwML']);
  await assert.rejects(provider.createSession([]), { code: 'unauthorized' });
  assert.equal(shown.errors.length, 1);
  assert.match(shown.errors[0], /^Choreo sign-in failed \(unauthorized\): .+$/);
  assert.equal(secrets.values.size, 0);
  assert.ok(log.lines.every((l) => !l.includes('B7TDw5QI8il3YxwusO84063P2FNRAG2EdwML')));
});

test('server text in a notification never makes a link: VS Code\'s link syntax is escaped', () => {
  // The pattern VS Code's notifications render as links (src/vs/base/common/linkedText.ts).
  const LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^\)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
  const hostile = 'acme[open](command:workbench.action.terminal.new) [x](https://evil.example)';
  assert.match(hostile, LINK);
  assert.doesNotMatch(escapeMarkdown(hostile), LINK);
  assert.equal(escapeMarkdown('acme (the org)'), 'acme (the org)');
  const refusal = { code: 'unauthorized', message: `the choreo api did not accept this token (${hostile})` };
  assert.doesNotMatch(failureMessage('sign-in', refusal), LINK);
});

test('scopes asked for by the caller are required of the token (missing-scopes)', async () => {
  const token = await server.mint({ scopes: ['apim:api_view'] });
  const { provider, shown, secrets } = setup([token]);
  await assert.rejects(provider.createSession(['choreo:project_view']), { code: 'missing-scopes' });
  assert.match(shown.errors[0], /^Choreo sign-in failed \(missing-scopes\): /);
  assert.equal(secrets.values.size, 0);
});

test('Escape in the input box cancels without a request or a write', async () => {
  const { provider, secrets } = setup([undefined]);
  await assert.rejects(provider.createSession([]), { code: 'cancelled' });
  assert.deepEqual(routes(await server.requests()), []);
  assert.equal(secrets.values.size, 0);
});

test('signing in again to the same organization replaces its session: removed old, added new', async () => {
  const first = await server.mint({ scopes: SCOPES });
  const second = await server.mint({ scopes: ['apim:api_view'] });
  const ctx = setup([first, second]);
  const a = await ctx.provider.createSession([]);
  const b = await ctx.provider.createSession([]);
  assert.notEqual(a.id, b.id);
  assert.deepEqual(eventIds(ctx.events[1]), { added: [b.id], removed: [a.id], changed: [] });
  assert.deepEqual(ids(await ctx.provider.getSessions()), [b.id]);
  assert.equal(ctx.secrets.values.size, 2, 'the account key and the index');
});

test('a second organization is a second session; removing one leaves the other', async () => {
  const acme = await server.mint({ scopes: SCOPES });
  const globex = await server.mint({ org: 'globex', scopes: SCOPES });
  const ctx = setup([acme, globex]);
  const a = await ctx.provider.createSession([]);
  const g = await ctx.provider.createSession([]);
  assert.deepEqual([a.account.label, g.account.label], ['acme', 'globex']);
  assert.deepEqual(eventIds(ctx.events[1]), { added: [g.id], removed: [], changed: [] });
  // The active account (the latest sign-in) first.
  assert.deepEqual(ids(await ctx.provider.getSessions()), [g.id, a.id]);
  assert.ok((await ctx.provider.getSessions())[1].accessToken === acme, 'each session has its own token');
  assert.deepEqual(ids(await ctx.provider.getSessions([], { account: a.account })), [a.id]);
  const status = await ctx.provider.describe();
  assert.deepEqual(status.accounts.map((x) => [x.account.label, x.active]), [['acme', false], ['globex', true]]);
  assert.ok(!JSON.stringify(status).includes(acme) && !JSON.stringify(status).includes(globex));

  await ctx.provider.removeSession(g.id);
  assert.deepEqual(eventIds(ctx.events.at(-1)), { added: [], removed: [g.id], changed: [] });
  assert.deepEqual(ids(await ctx.provider.getSessions()), [a.id]);
  assert.ok(![...ctx.secrets.values.values()].some((v) => v.includes(globex)), "globex's token is gone");
  assert.equal((await ctx.provider.describe()).session.account.label, 'acme');
});

test('removeSession deletes the secret, fires removed, and leaves no session', async () => {
  const token = await server.mint({ scopes: SCOPES });
  const ctx = setup([token]);
  const session = await ctx.provider.createSession([]);
  await ctx.provider.removeSession('some-other-id');
  assert.equal(ctx.secrets.values.size, 2);
  await ctx.provider.removeSession(session.id);
  assert.equal(ctx.secrets.values.size, 0);
  assert.deepEqual(eventIds(ctx.events.at(-1)), { added: [], removed: [session.id], changed: [] });
  assert.deepEqual(ids(await ctx.provider.getSessions()), []);
  const status = await ctx.provider.describe();
  assert.equal(status.signedIn, false);
  assert.equal(status.code, 'not-logged-in');
  assert.equal(await ctx.provider.signOut(), undefined);
});

test('describe reports the account, organization and scopes, without the token', async () => {
  const token = await server.mint({ scopes: SCOPES });
  const ctx = setup([token]);
  await ctx.provider.createSession([]);
  const status = await ctx.provider.describe();
  assert.equal(status.signedIn, true);
  assert.equal(status.apiBase, server.api);
  assert.equal(status.session.organization.handle, 'acme');
  assert.deepEqual(status.session.scopes, SCOPES);
  assert.ok(!JSON.stringify(status).includes(token));
});

test('a session stored by another window is announced by refresh', async () => {
  const token = await server.mint({ scopes: SCOPES });
  const writer = setup([token]);
  const session = await writer.provider.createSession([]);
  const { vscode } = fakeVscode();
  const events = [];
  const reader = new ChoreoAuthenticationProvider({
    vscode,
    lib,
    secrets: writer.secrets,
    apiBase: () => server.api,
    log: memoryLog(),
  });
  reader.onDidChangeSessions((e) => events.push(e));
  await reader.refresh();
  assert.deepEqual(events.map(eventIds), [{ added: [session.id], removed: [], changed: [] }]);
  await writer.provider.signOut();
  await reader.refresh();
  assert.deepEqual(eventIds(events[1]), { added: [], removed: [session.id], changed: [] });
});

test('a refresh from SecretStorage\'s own change event does not announce a sign-in twice', async () => {
  const token = await server.mint({ scopes: SCOPES });
  const ctx = setup([token]);
  // As extension.js wires it: every SecretStorage change makes the provider look again.
  const refreshes = [];
  ctx.secrets.onDidChange(() => refreshes.push(ctx.provider.refresh()));
  const session = await ctx.provider.createSession([]);
  await ctx.provider.signOut();
  await Promise.all(refreshes);
  assert.ok(refreshes.length >= 2);
  assert.deepEqual(ctx.events.map(eventIds), [
    { added: [session.id], removed: [], changed: [] },
    { added: [], removed: [session.id], changed: [] },
  ]);
});

test('a non-loopback http API base is refused by core with its code', async () => {
  const { vscode, shown } = fakeVscode(['chp_B7TDw5QI8il3YxwusO84063P2FNRAG2EdwML']);
  const provider = new ChoreoAuthenticationProvider({
    vscode,
    lib,
    secrets: new SecretStorage(),
    apiBase: () => 'http://apis.example.com',
    log: memoryLog(),
  });
  const refusal = await provider.createSession([]).catch((e) => e);
  assert.equal(typeof refusal.code, 'string');
  assert.ok(shown.errors[0].startsWith(`Choreo sign-in failed (${refusal.code}): `));
  assert.deepEqual(routes(await server.requests()), []);
});

test('a SecretStorage written by the extension before accounts gives its session, nothing lost', async () => {
  const token = await server.mint({ scopes: ['apim:api_view'] });
  const ctx = setup([]);
  const fixture = fs.readFileSync(path.join(root, 'wasm', 'tests', 'data', 'before-accounts.json'), 'utf8');
  const filled = fixture
    .replaceAll('{{API}}', server.api)
    .replaceAll('{{TOKEN}}', token)
    .replaceAll('{{MASKED}}', `chp_…${token.slice(-4)}`);
  for (const [key, value] of Object.entries(JSON.parse(filled))) ctx.secrets.values.set(key, value);
  const [session] = await ctx.provider.getSessions();
  assert.equal(session.account.label, 'acme');
  assert.ok(session.accessToken === token);
  assert.deepEqual(session.scopes, ['apim:api_view']);
});
