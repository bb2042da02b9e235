'use strict';
// End to end in a real VS Code: code-server (VS Code's server and extension host) with the
// .vsix installed, its workbench in headless Chromium driven by playwright-core, and the
// reference Choreo API server on loopback. Run through vscode/test.sh, which sets PATH (Node 24
// for code-server) and builds the .vsix first.

const { test, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { startServer, routes, root } = require('./support');

const here = path.resolve(__dirname, '..');
const CODE_SERVER = path.join(here, '.tools', 'code-server', 'node_modules', '.bin', 'code-server');
const VSIX = process.env.CHOREO_VSIX || path.join(root, 'target', 'vscode', 'choreo-auth-vscode-0.1.0.vsix');
const SHOTS = path.join(root, 'target', 'screenshots', 'vscode');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const GITHUB_TOKEN = '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';
const SCOPES = ['apim:api_view', 'choreo:project_view'];
const LOGIN_ROUTES = [
  'POST /api-key-service/v1.0/pat/introspect',
  'GET /orgs/1.0.0/orgs',
  'GET /orgs/1.0.0/orgs/acme',
];

let server;
let tmp;
let codeServer;
let codeServerOutput = '';
let context;
let page;
let token;
// Every PAT typed in this run: none may show up outside SecretStorage.
const minted = [];
async function mint(spec) {
  const pat = await server.mint(spec);
  minted.push(pat);
  return pat;
}
const statusFile = () => path.join(tmp, 'status', 'status.json');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${ms} ms:\n${codeServerOutput}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Every file under `dir` whose bytes contain `needle`. */
function filesContaining(dir, needle) {
  const hits = [];
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile() && fs.readFileSync(p).includes(needle)) hits.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return hits;
}

async function shot(name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

/** Runs a command from the command palette by its title. */
async function runCommand(title) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  // The palette lists the commands known when it opens: reopen it until ours is there.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    try {
      await row.waitFor({ timeout: 5_000 });
      break;
    } catch (e) {
      if (attempt === 6) throw e;
      await page.keyboard.press('Escape');
    }
  }
  await page.keyboard.press('Enter');
}

/** The text of a notification toast matching `pattern`, once it shows. */
async function toast(pattern) {
  const t = page.locator('.notifications-toasts .notification-toast', { hasText: pattern }).first();
  await t.waitFor({ state: 'visible' });
  return (await t.innerText()).trim();
}

async function clearToasts() {
  await page.keyboard.press('Escape');
  const visible = page.locator('.notifications-toasts .notification-toast');
  for (let i = 0; i < 20 && (await visible.count()) > 0; i++) {
    await page.keyboard.press('Escape');
    await page.waitForTimeout(100);
  }
}

/** Runs `Choreo: Show Sign-in Status` and reads what it wrote (no token in it). */
async function status() {
  fs.rmSync(statusFile(), { force: true });
  await runCommand('Choreo: Show Sign-in Status');
  const deadline = Date.now() + 30_000;
  while (!fs.existsSync(statusFile())) {
    if (Date.now() > deadline) throw new Error('the status command wrote no status file');
    await new Promise((r) => setTimeout(r, 100));
  }
  return JSON.parse(fs.readFileSync(statusFile(), 'utf8'));
}

/** The text of every log file called `name` under the user data dir. */
function logs(name) {
  const found = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === name) found.push(fs.readFileSync(p, 'utf8'));
    }
  };
  const dir = path.join(tmp, 'user-data', 'logs');
  if (fs.existsSync(dir)) walk(dir);
  return found;
}

/** The extension's output channel, one text per extension host. */
const choreoLogs = () => logs('Choreo.log');

const manifest = require('../package.json');
const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

/** The extension hosts' own logs: one line per extension activated, with the event that did it. */
const extensionHostLog = () => logs('remoteexthost.log').join('');

async function waitFor(what, predicate, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Opens the workbench; the extension activates once VS Code's start-up is over. */
async function openWorkbench(url) {
  if (url) await page.goto(url);
  else await page.reload();
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 120_000 });
}

before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'choreo-vscode-'));
  server = await startServer();
  token = await mint({ scopes: SCOPES });

  const userData = path.join(tmp, 'user-data');
  const extensions = path.join(tmp, 'extensions');
  const workspace = path.join(tmp, 'workspace');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(path.join(userData, 'Machine'), { recursive: true });
  fs.mkdirSync(workspace);
  const quiet = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'chat.disableAIFeatures': true,
  };
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(quiet, null, 2));
  // `choreo.apiBase` has machine scope: the extension host reads it from the server's settings.
  fs.writeFileSync(
    path.join(userData, 'Machine', 'settings.json'),
    JSON.stringify({ 'choreo.apiBase': server.api }, null, 2),
  );
  const port = await freePort();
  const config = path.join(tmp, 'config.yaml');
  fs.writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const dirs = ['--config', config, '--user-data-dir', userData, '--extensions-dir', extensions];

  execFileSync(CODE_SERVER, [...dirs, '--install-extension', VSIX], { stdio: 'pipe' });

  // setsid: code-server's children (extension host, file watcher) are killed as one group.
  codeServer = spawn(
    'setsid',
    [CODE_SERVER, ...dirs, '--disable-workspace-trust', '--disable-telemetry', '--disable-update-check',
      '--disable-getting-started-override', workspace],
    { env: { ...process.env, CHOREO_VSCODE_STATUS_FILE: statusFile() }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  codeServer.stdout.on('data', (d) => (codeServerOutput += d));
  codeServer.stderr.on('data', (d) => (codeServerOutput += d));
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000);

  context = await chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
  });
  context.setDefaultTimeout(30_000);
  page = context.pages()[0] || (await context.newPage());
  await openWorkbench(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
});

after(async () => {
  if (context) await context.close();
  if (codeServer && codeServer.exitCode === null) {
    try {
      process.kill(-codeServer.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  if (server) await server.stop();
  if (tmp && !process.env.KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
});

afterEach(async (t) => {
  // A failing step leaves a picture of the workbench behind.
  if (!t.passed && page) await shot(`failed-${t.name.replace(/\W+/g, '-').slice(0, 60)}`);
});

test('the extension activates once start-up is over, to watch open documents; it starts signed out', async () => {
  const activatedBy = new RegExp(`_doActivateExtension ${EXTENSION_ID.replace('.', '\\.')}, .*activationEvent: '([^']+)'`);
  // VS Code activates the `onStartupFinished` extensions in one batch once start-up is over.
  await waitFor('the extension\'s activation', () => activatedBy.test(extensionHostLog()), 120_000);
  assert.equal(extensionHostLog().match(activatedBy)[1], 'onStartupFinished');

  const s = await status();
  // Every later step may send a token: make sure it can only go to the loopback server.
  assert.ok(choreoLogs().join('').includes(`activated; API base ${server.api}`));
  assert.equal(s.signedIn, false);
  assert.equal(s.code, 'not-logged-in');
  assert.equal(s.apiBase, server.api);
  assert.equal(s.vscodeSession, null);
  assert.match(await toast(/not signed in/), /Choreo: not signed in to http:\/\/127\.0\.0\.1:\d+ \(not-logged-in\)/);
  await clearToasts();
});

test('sign-in shows the core verdict live, then logs in with a fresh PAT', async () => {
  await server.clearRequests();
  await runCommand('Choreo: Sign in with Personal Access Token');

  // VS Code asks whether the extension may sign in with the `choreo` provider.
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible' });
  assert.match(await dialog.innerText(), /wants to sign in using Choreo/);
  await shot('1-allow-sign-in');
  await dialog.getByRole('button', { name: 'Allow' }).click();

  const box = page.locator('.quick-input-widget');
  const input = box.locator('.quick-input-box input');
  await input.waitFor({ state: 'visible' });
  assert.equal(await input.getAttribute('type'), 'password');

  // A GitHub token: named as foreign by core, before anything is sent.
  await input.pressSequentially(GITHUB_TOKEN);
  const verdict = box.locator('.quick-input-message');
  await verdict.filter({ hasText: 'foreign-token' }).waitFor();
  assert.match(await verdict.innerText(), /^GitHub token \(classic\): this is a GitHub token \(classic\), not a choreo token.*\(foreign-token\)$/s);
  await shot('2-foreign-token-verdict');
  // vscode/README.md's picture (images/sign-in.png): the top of the window, the box and its verdict.
  const widget = await box.boundingBox();
  await page.screenshot({
    path: path.join(SHOTS, 'sign-in.png'),
    clip: { x: 0, y: 0, width: 1280, height: Math.ceil(widget.y + widget.height) + 48 },
  });
  await page.keyboard.press('Enter'); // refused by the error verdict: the box stays open
  assert.ok(await input.isVisible());
  assert.deepEqual(routes(await server.requests()), []);

  // The freshly minted PAT: core accepts it, Enter signs in.
  await input.fill('');
  await input.pressSequentially(token);
  await verdict.filter({ hasText: 'press Enter to sign in' }).waitFor();
  assert.match(await verdict.innerText(), /^Choreo personal access token chp_…\S+: press Enter to sign in$/);
  await shot('3-pat-verdict');
  await page.keyboard.press('Enter');

  assert.match(await toast(/Signed in to Choreo/), /Signed in to Choreo as acme\b/);
  await shot('4-signed-in');
  assert.deepEqual(routes(await server.requests()), LOGIN_ROUTES);
  await clearToasts();
});

test('the session is what VS Code hands out: account label and scopes, token in SecretStorage', async () => {
  const s = await status();
  assert.equal(s.signedIn, true);
  assert.equal(s.session.account.label, 'acme');
  assert.match(s.session.masked, /^chp_…\S+$/);
  assert.deepEqual(s.session.scopes, SCOPES);
  assert.equal(s.session.organization.handle, 'acme');
  assert.deepEqual(s.vscodeSession, {
    id: s.session.id,
    account: s.session.account,
    scopes: SCOPES,
    hasAccessToken: true,
  });
  assert.match(await toast(/Choreo: signed in to/), /as acme \(chp_…\S+\), scopes: apim:api_view, choreo:project_view/);
  await shot('5-status-signed-in');
  await clearToasts();

  // The Accounts menu lists it under the provider's label.
  await page.locator('.activitybar [aria-label^="Accounts"]').first().click();
  const entry = page.locator('.monaco-menu .action-item', { hasText: s.session.account.label }).first();
  await entry.waitFor({ state: 'visible' });
  assert.match(await entry.innerText(), /\bacme \(Choreo\)/);
  await shot('5b-accounts-menu');
  await page.keyboard.press('Escape');
});

test('the session survives a reload of the window (kept by SecretStorage)', async () => {
  const before = await status();
  await clearToasts();
  await openWorkbench();
  const afterReload = await status();
  assert.equal(afterReload.signedIn, true);
  assert.equal(afterReload.session.id, before.session.id);
  assert.equal(afterReload.vscodeSession.hasAccessToken, true);
  await clearToasts();
});

test('signing in while signed in asks first, then replaces the session', async () => {
  const before = await status();
  await clearToasts();
  const replacement = await mint({ scopes: SCOPES });
  await runCommand('Choreo: Sign in with Personal Access Token');
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible' });
  assert.match(await dialog.innerText(), /wants you to sign in again using Choreo.*Add an organization, or replace the token of acme/s);
  await shot('5c-replace-session');
  await dialog.getByRole('button', { name: 'Allow' }).click();
  const input = page.locator('.quick-input-widget .quick-input-box input[type="password"]');
  await input.waitFor({ state: 'visible' });
  await input.pressSequentially(replacement);
  await page.locator('.quick-input-message', { hasText: 'press Enter to sign in' }).waitFor();
  await page.keyboard.press('Enter');
  await toast(/Signed in to Choreo/);
  await clearToasts();
  const after = await status();
  assert.notEqual(after.session.id, before.session.id);
  assert.notEqual(after.session.masked, before.session.masked);
  assert.equal(after.vscodeSession.id, after.session.id);
  await clearToasts();
});

/** The Accounts menu's entries for the provider, e.g. `acme (Choreo)`, once `wanted` shows. */
async function accountsMenu(wanted) {
  await page.locator('.activitybar [aria-label^="Accounts"]').first().click();
  await page.locator('.monaco-menu .action-item', { hasText: wanted }).first().waitFor({ state: 'visible' });
  const entries = await page.locator('.monaco-menu .action-item').allInnerTexts();
  return entries.map((e) => /^\S+ \(Choreo\)/.exec(e.trim())?.[0]).filter(Boolean).sort();
}

test('signing in to a second organization adds a second session beside the first', async () => {
  const before = await status();
  await clearToasts();
  const globex = await mint({ org: 'globex', scopes: SCOPES });
  await runCommand('Choreo: Sign in with Personal Access Token');
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible' });
  await dialog.getByRole('button', { name: 'Allow' }).click();
  const input = page.locator('.quick-input-widget .quick-input-box input[type="password"]');
  await input.waitFor({ state: 'visible' });
  await input.pressSequentially(globex);
  await page.locator('.quick-input-message', { hasText: 'press Enter to sign in' }).waitFor();
  await page.keyboard.press('Enter');
  assert.match(await toast(/Signed in to Choreo/), /Signed in to Choreo as globex\b/);
  await clearToasts();

  const s = await status();
  assert.equal(s.session.account.label, 'globex', 'the latest sign-in is the active account');
  assert.deepEqual(s.accounts.map((a) => [a.account.label, a.active]), [['acme', false], ['globex', true]]);
  assert.equal(s.accounts[0].id, before.session.id, "acme's session is untouched");
  if (s.vscodeAccounts) assert.deepEqual(s.vscodeAccounts.slice().sort(), ['acme', 'globex']);
  assert.match(await toast(/Choreo: signed in to/), /as globex .*; other accounts: acme$/);
  await clearToasts();
  assert.deepEqual(await accountsMenu('globex'), ['acme (Choreo)', 'globex (Choreo)']);
  await shot('5d-two-accounts');
  await page.keyboard.press('Escape');
});

test('signing out of one organization in the Accounts menu leaves the other', async () => {
  await accountsMenu('globex');
  await page.locator('.monaco-menu .action-item', { hasText: 'globex (Choreo)' }).first().hover();
  await page.locator('.monaco-menu .action-item', { hasText: /^Sign Out$/ }).first().hover();
  await page.keyboard.press('Enter');
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible' });
  await dialog.getByRole('button', { name: 'Sign Out' }).click();
  await dialog.waitFor({ state: 'hidden' });
  // The dialog closes before VS Code has finished calling removeSession: ask until it has.
  let after = await status();
  const done = (s) => s.accounts.length === 1 && s.accounts[0].active && s.signedIn;
  for (const deadline = Date.now() + 10_000; !done(after) && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 200));
    after = await status();
  }
  assert.deepEqual(after.accounts.map((a) => [a.account.label, a.active]), [['acme', true]]);
  assert.equal(after.signedIn, true);
  assert.equal(after.session.account.label, 'acme');
  if (after.vscodeAccounts) assert.deepEqual(after.vscodeAccounts, ['acme']);
  await clearToasts();
  assert.deepEqual(await accountsMenu('acme'), ['acme (Choreo)']);
  await page.keyboard.press('Escape');
});

// Not a token of the server's: a checksum-valid PAT of tests/scan-vectors, written into a file
// of the workspace as a user would paste it.
test('a token in an open file gets a warning naming it masked, and a quick fix that removes it', async () => {
  const pat = 'chp_Zq3Lm8Xw2Rt6Yv1Nb5Kc9Hd4Gf7Js00yFywZ';
  const file = path.join(tmp, 'workspace', 'deploy.env');
  fs.writeFileSync(file, `# deploy\nexport CHOREO_TOKEN=${pat} # mine\n`);
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill('deploy.env');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'deploy.env' }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ timeout: 60_000 });

  // The Problems panel lists it: kind and masked form, from the `choreo` source, at its place.
  await page.keyboard.press('Control+Shift+M');
  const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'Choreo personal access token' }).first();
  await row.waitFor({ state: 'visible' });
  const shown = (await row.innerText()).replace(/\s+/g, ' ');
  assert.match(shown, /Choreo personal access token \(chp_…FywZ\) in this file: remove it/);
  assert.match(shown, /choreo/);
  assert.match(shown, /\[Ln 2, Col 21\]/);
  assert.ok(!shown.includes(pat));
  await shot('10-token-in-file');

  // Its row selects the token; its quick fix (the row's own menu) deletes it; saving writes it.
  await row.click();
  await page.keyboard.press('Control+.');
  const fix = page
    .locator('.context-view .action-item, .action-widget .monaco-list-row', { hasText: 'Remove the token from this line' })
    .first();
  await fix.waitFor({ state: 'visible' });
  await shot('11-token-quick-fix');
  await fix.click();
  await page.keyboard.press('Control+S');
  await waitFor('the saved file without the token', () => fs.readFileSync(file, 'utf8') === '# deploy\nexport CHOREO_TOKEN= # mine\n', 30_000);
  await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ state: 'detached' });
  assert.ok(!choreoLogs().join('').includes(pat) && !codeServerOutput.includes(pat));
  await page.keyboard.press('Control+Shift+M');
});

/** No minted token in VS Code's files (settings, state, logs), the status files or its output. */
function assertNoTokenLeaks() {
  for (const pat of minted) {
    for (const dir of ['user-data', 'extensions', 'workspace', 'status']) {
      assert.deepEqual(filesContaining(path.join(tmp, dir), pat), [], `a token was found under ${dir}/`);
    }
    assert.ok(!codeServerOutput.includes(pat), 'a token is in the code-server output');
  }
}

test('the token is in no settings, state, log or output of VS Code', () => {
  assert.equal(minted.length, 3);
  assertNoTokenLeaks();
  // The Choreo output channel was written, and says who signed in.
  assert.ok(choreoLogs().some((l) => /signed in to http:\/\/127\.0\.0\.1:\d+ as acme/.test(l)), 'no Choreo log line');
});

test('sign-out removes the secret: status says not signed in, with no further API request', async () => {
  await server.clearRequests();
  await runCommand('Choreo: Sign out');
  assert.match(await toast(/Signed out of Choreo/), /Signed out of Choreo \(acme, chp_…\S+\)/);
  await shot('6-signed-out');
  await clearToasts();
  const s = await status();
  assert.equal(s.signedIn, false);
  assert.equal(s.code, 'not-logged-in');
  assert.equal(s.vscodeSession, null);
  // Sign-out is local (the API has no revoke for a PAT); status read only SecretStorage.
  assert.deepEqual(routes(await server.requests()), []);
  await clearToasts();
});

/** Runs the sign-in command, allows it, and types `pat` into the password box. */
async function typeIntoSignIn(pat) {
  await runCommand('Choreo: Sign in with Personal Access Token');
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.getByRole('button', { name: 'Allow' }).click();
  await dialog.waitFor({ state: 'hidden' });
  const input = page.locator('.quick-input-widget .quick-input-box input[type="password"]');
  await input.waitFor({ state: 'visible' });
  await input.pressSequentially(pat);
  await page.locator('.quick-input-message', { hasText: 'press Enter to sign in' }).waitFor();
  await page.keyboard.press('Enter');
}

test('a well-formed token the API does not know is refused with its code shown', async () => {
  await server.clearRequests();
  // Valid checksum, minted by no server that is running: only the API can refuse it.
  const unknown = 'chp_B7TDw5QI8il3YxwusO84063P2FNRAG2EdwML';
  minted.push(unknown);
  await typeIntoSignIn(unknown);
  assert.match(await toast(/Choreo sign-in failed/), /Choreo sign-in failed \(unauthorized\): .+/);
  await shot('7-unauthorized');
  await clearToasts();
  assert.deepEqual(routes(await server.requests()), [LOGIN_ROUTES[0]]);
  const s = await status();
  assert.equal(s.signedIn, false);
  await clearToasts();
});

test('signing out from the Accounts menu goes through removeSession', async () => {
  // Sign in again: VS Code asks for consent again, as there is no session.
  const second = await mint({ scopes: ['apim:api_view'] });
  await typeIntoSignIn(second);
  await toast(/Signed in to Choreo/);
  await clearToasts();
  const { session } = await status();
  assert.deepEqual(routes(await server.requests()).slice(-3), LOGIN_ROUTES);
  assert.deepEqual(session.scopes, ['apim:api_view']);
  await clearToasts();

  await page.locator('.activitybar [aria-label^="Accounts"]').first().click();
  await page.locator('.monaco-menu .action-item', { hasText: session.account.label }).first().hover();
  await page.locator('.monaco-menu .action-item', { hasText: /^Sign Out$/ }).first().hover();
  await page.keyboard.press('Enter');
  // VS Code confirms, naming the extensions that used the account.
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible' });
  assert.match(await dialog.innerText(), /Choreo Authentication/);
  await shot('8-accounts-sign-out');
  await dialog.getByRole('button', { name: 'Sign Out' }).click();
  await dialog.waitFor({ state: 'hidden' });

  // The dialog closes before VS Code has finished calling removeSession: ask until it has.
  let after = await status();
  for (const deadline = Date.now() + 10_000; after.signedIn && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 200));
    after = await status();
  }
  assert.equal(after.signedIn, false);
  assert.equal(after.code, 'not-logged-in');
  assert.equal(after.vscodeSession, null);
  assertNoTokenLeaks();
});

/** Whether `text` is safe to show: no control or bidi character, no run of `pat` past its mask. */
function inert(text, pat) {
  if (/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u.test(text)) return false;
  for (let i = 0; i + 5 <= pat.length; i++) if (text.includes(pat.slice(i, i + 5))) return false;
  return true;
}

// The hostile server behaviours of tests/faults.json through the extension's sign-in, its
// notifications as VS Code renders them: the same outcome code as every other host, no link
// made of server text, and a redirect never carries the bearer to the other origin. Outcomes go
// to target/parity/faults-vscode.json for tests/parity.mjs.
test('every hostile fault gives the shared outcome through the extension', async () => {
  const { cases } = JSON.parse(fs.readFileSync(path.join(root, 'tests', 'faults.json'), 'utf8'));
  const elsewhere = await startServer();
  const outcomes = {};
  try {
    for (const c of cases) {
      const pat = await mint({ scopes: SCOPES });
      await server.fault(JSON.parse(JSON.stringify(c.fault).replaceAll('{elsewhere}', elsewhere.api)));
      await elsewhere.clearRequests();
      await clearToasts();
      await typeIntoSignIn(pat);
      // The extension's own time limit is the package's default (30 s): the drip ends by it.
      const shown = page
        .locator('.notifications-toasts .notification-toast', { hasText: /Signed in to Choreo|Choreo sign-in failed/ })
        .first();
      await shown.waitFor({ state: 'visible', timeout: 60_000 });
      const text = (await shown.innerText()).trim();
      // Links VS Code made of the message (the toast's own buttons are anchors too).
      const links = await shown.locator('.notification-list-item-message a').count();
      await server.clearFault();
      const failed = /Choreo sign-in failed \(([a-z-]+)\)/.exec(text);
      let outcome = failed ? failed[1] : 'ok';
      if (!inert(text, pat) || links > 0) outcome += ' (unsafe text)';
      if ((await elsewhere.requests()).some((r) => r.authorization === 'present')) {
        outcome += ' (bearer sent elsewhere)';
      }
      if (c.name === 'escape-sequences-in-names') await shot('9-hostile-names');
      assert.equal(outcome, c.expect, `${c.name}: ${text}`);
      outcomes[c.name] = outcome;
      await clearToasts();
    }
  } finally {
    await server.clearFault();
    await elsewhere.stop();
  }
  const dir = path.join(root, 'target', 'parity');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'faults-vscode.json'), `${JSON.stringify(outcomes, null, 2)}\n`);
  assertNoTokenLeaks();
});
