'use strict';
// Wires the `choreo` authentication provider and its commands, and the token warnings on open
// documents, into VS Code.

const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const lib = require('../dist/choreo-auth/index.js');
const {
  PROVIDER_ID,
  PROVIDER_LABEL,
  DEFAULT_API_BASE,
  ChoreoAuthenticationProvider,
  escapeMarkdown,
  failureMessage,
} = require('./provider');
const { registerTokenDiagnostics } = require('./diagnostics');

// Test hook: when set, `Choreo: Show Sign-in Status` also writes its (token-free) JSON there.
const STATUS_FILE_ENV = 'CHOREO_VSCODE_STATUS_FILE';

function activate(context) {
  const log = vscode.window.createOutputChannel(PROVIDER_LABEL, { log: true });
  const apiBase = () =>
    vscode.workspace.getConfiguration('choreo').get('apiBase', DEFAULT_API_BASE) || DEFAULT_API_BASE;
  const provider = new ChoreoAuthenticationProvider({
    vscode,
    lib,
    secrets: context.secrets,
    apiBase,
    log,
  });

  context.subscriptions.push(
    log,
    provider,
    // One account per organization, as the package keeps them: VS Code lists each, and "Sign
    // in with another account" adds one.
    vscode.authentication.registerAuthenticationProvider(PROVIDER_ID, PROVIDER_LABEL, provider, {
      supportsMultipleAccounts: true,
    }),
    vscode.commands.registerCommand('choreo.signIn', () => signIn(provider, log)),
    vscode.commands.registerCommand('choreo.signOut', () => signOut(provider)),
    vscode.commands.registerCommand('choreo.status', () => showStatus(provider, log)),
    // Another window signed in or out, or the API base moved: the session VS Code knows changed.
    context.secrets.onDidChange(() => provider.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('choreo.apiBase')) provider.refresh();
    }),
    ...registerTokenDiagnostics(vscode, lib),
  );
  log.info(`activated; API base ${apiBase()}`);
  provider.refresh();
}

async function signIn(provider, log) {
  const existing = await provider.current();
  try {
    // Through VS Code's own API, so the session is known to the Accounts menu and to other
    // extensions exactly as if they had asked for it.
    // With accounts already there, a new one may be another organization: clearing the
    // preference keeps VS Code from expecting the account it last handed out.
    const labels = existing.map((s) => s.account.label).join(', ');
    const session = await vscode.authentication.getSession(PROVIDER_ID, [], existing.length > 0
      ? { forceNewSession: { detail: `Add an organization, or replace the token of ${labels}` }, clearSessionPreference: true }
      : { createIfNone: true });
    if (session) vscode.window.showInformationMessage(escapeMarkdown(`Signed in to Choreo as ${session.account.label}`));
  } catch (e) {
    // createSession already showed core's refusal, and a dismissed prompt needs no message
    // (the error's `code` does not survive VS Code's trip through the main thread).
    log.info(`sign-in ended without a session: ${e && e.message}`);
  }
}

async function signOut(provider) {
  try {
    const session = await provider.signOut();
    vscode.window.showInformationMessage(
      escapeMarkdown(
        session
          ? `Signed out of Choreo (${session.organization.handle}, ${session.masked})`
          : `Not signed in to Choreo at ${provider.apiBase()}`,
      ),
    );
  } catch (e) {
    vscode.window.showErrorMessage(failureMessage('sign-out', e));
  }
}

async function showStatus(provider, log) {
  const status = await provider.describe();
  // What VS Code itself hands out for `choreo`, without prompting (token presence only), and the
  // accounts it lists.
  const visible = await vscode.authentication.getSession(PROVIDER_ID, [], { silent: true });
  status.vscodeSession = visible
    ? { id: visible.id, account: visible.account, scopes: visible.scopes, hasAccessToken: !!visible.accessToken }
    : null;
  if (vscode.authentication.getAccounts) {
    status.vscodeAccounts = (await vscode.authentication.getAccounts(PROVIDER_ID)).map((a) => a.label);
  }
  const others = status.accounts.filter((a) => !a.active).map((a) => a.account.label);
  const text = status.signedIn
    ? `Choreo: signed in to ${status.apiBase} as ${status.session.account.label} (${status.session.masked}), scopes: ${status.session.scopes.join(', ') || 'none'}${others.length ? `; other accounts: ${others.join(', ')}` : ''}`
    : `Choreo: not signed in to ${status.apiBase} (${status.code})`;
  log.info(text);
  vscode.window.showInformationMessage(escapeMarkdown(text));
  const file = process.env[STATUS_FILE_ENV];
  if (file) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Whole or not at all: the end-to-end test polls for the file and read it half-written once.
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, `${JSON.stringify(status, null, 2)}\n`);
    fs.renameSync(partial, file);
  }
  return status;
}

function deactivate() {}

module.exports = { activate, deactivate };
