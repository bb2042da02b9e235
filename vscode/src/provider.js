'use strict';
// The authentication provider `choreo`: VS Code's session API over @choreo/auth. Every token rule
// (intake, recognition, policy, protocol, storage) lives in the Rust core behind the wasm
// package; this file only adapts VS Code's shapes to it. The token itself only ever goes from
// the input box to `loginWithToken`, and from SecretStorage to `AuthenticationSession`.

const PROVIDER_ID = 'choreo';
const PROVIDER_LABEL = 'Choreo';
const DEFAULT_API_BASE = 'https://apis.choreo.dev';

/** An `Error` with a stable `code`, like the ones @choreo/auth rejects with. */
function codedError(code, message) {
  const e = new Error(message);
  e.code = code;
  return e;
}

const codeOf = (e) => (e && typeof e.code === 'string' ? e.code : 'internal-error');
const messageOf = (e) => (e && typeof e.message === 'string' ? e.message : String(e));

/** An error as a log line: core's message plus its code. Core's messages hold no token. */
function describeError(e) {
  return `${messageOf(e)} (${codeOf(e)})`;
}

/**
 * Text for a notification, which renders `[label](https://…)`, `(command:…)` and `(file:…)` as
 * links: server text (names, scopes, error details inside core's messages) must not make one.
 * A link needs `](` with nothing between; a backslash there leaves the text readable and inert.
 */
function escapeMarkdown(text) {
  return String(text).replace(/\]\(/g, ']\\(');
}

/** An error as a notification: the code first, where a truncated toast still shows it. */
function failureMessage(action, e) {
  return escapeMarkdown(`Choreo ${action} failed (${codeOf(e)}): ${messageOf(e)}`);
}

/** `context.secrets` behind @choreo/auth's storage interface (`get/set/delete`, promises). */
function secretStore(secrets) {
  return {
    get: (key) => secrets.get(key),
    set: (key, value) => secrets.store(key, value),
    delete: (key) => secrets.delete(key),
  };
}

/** The input box's live verdict on what was typed: core's report, before anything is sent. */
function validationMessage(vscode, lib, value) {
  // Nothing typed yet is not a mistake; accepting it still goes through core (code `empty`).
  if (value === '') return undefined;
  const report = lib.inspectToken(value);
  const severity = vscode.InputBoxValidationSeverity;
  const what = report.label || 'This input';
  const shown = report.masked ? `${what} ${report.masked}` : what;
  if (!report.ok) {
    const problem = report.problems.find((p) => p.severity === 'error') || report.problems[0];
    return { message: `${what}: ${problem.message} (${problem.code})`, severity: severity.Error };
  }
  const [problem] = report.problems;
  if (problem) {
    const level = problem.severity === 'warning' ? severity.Warning : severity.Info;
    return { message: `${shown}: ${problem.message} (${problem.code})`, severity: level };
  }
  return { message: `${shown}: press Enter to sign in`, severity: severity.Info };
}

/**
 * The `AuthenticationSession` VS Code hands to extensions, from core's `Session`. The account is
 * the user in an organization, whatever the token: VS Code compares labels when a session is
 * re-created, so a new token of the same user and org must keep the label (no token mask in it).
 */
function toAuthenticationSession(session, token) {
  const org = session.organization;
  return {
    id: session.id,
    accessToken: token,
    account: { id: `${session.userId}@${org.uuid}`, label: org.handle },
    scopes: session.scopes.slice(),
  };
}

/** What the status command shows: safe to print, log and write to a file (no token). */
function describeSession(session) {
  return {
    id: session.id,
    apiBase: session.apiBase,
    account: toAuthenticationSession(session, undefined).account,
    organization: session.organization,
    kind: session.kind,
    masked: session.masked,
    scopes: session.scopes.slice(),
    validUntil: session.validUntil,
    createdAt: session.createdAt,
  };
}

class ChoreoAuthenticationProvider {
  /**
   * @param {object} deps
   * @param {typeof import('vscode')} deps.vscode the VS Code API (a fake in unit tests)
   * @param {typeof import('../dist/choreo-auth/choreo_auth_wasm')} deps.lib @choreo/auth
   * @param {import('vscode').SecretStorage} deps.secrets `context.secrets`
   * @param {() => string} deps.apiBase the configured API base, read on every call
   * @param {{info(m: string): void, warn(m: string): void, error(m: string): void}} deps.log
   */
  constructor({ vscode, lib, secrets, apiBase, log }) {
    this.vscode = vscode;
    this.lib = lib;
    this.secrets = secrets;
    this.apiBase = apiBase;
    this.log = log;
    this._onDidChangeSessions = new vscode.EventEmitter();
    this.onDidChangeSessions = this._onDidChangeSessions.event;
    // The session last reported to VS Code, to tell it what was added or removed.
    this._known = undefined;
  }

  /** A client for one call: cheap to make, and it always sees the current `choreo.apiBase`. */
  _client(requiredScopes) {
    return new this.lib.ChoreoAuth({
      apiBase: this.apiBase(),
      storage: secretStore(this.secrets),
      requiredScopes: requiredScopes || [],
    });
  }

  async _withClient(requiredScopes, run) {
    const client = this._client(requiredScopes);
    try {
      return await run(client);
    } finally {
      client.free();
    }
  }

  /**
   * The stored session as core judges it offline (expiry, scopes), with its token; undefined
   * when there is none or core no longer accepts it.
   */
  async current() {
    try {
      // VS Code hands `accessToken` to the extensions the user allows; the package returns it
      // only through this explicit call.
      const { session, token } = await this._withClient([], async (c) => {
        const { session } = await c.status({ online: false });
        return { session, token: await c.accessToken() };
      });
      return toAuthenticationSession(session, token);
    } catch (e) {
      if (e.code !== 'not-logged-in') this.log.warn(`stored session not usable: ${describeError(e)}`);
      return undefined;
    }
  }

  async getSessions(scopes) {
    // A token variable comes before the stored account, as in the CLI.
    const session = (await this.environmentSession()) || (await this.current());
    this._known = session;
    if (!session) return [];
    const wanted = scopes || [];
    return wanted.every((s) => session.scopes.includes(s)) ? [session] : [];
  }

  /** Asks for a PAT, logs in with it (core checks it offline first), and stores it. */
  async createSession(scopes) {
    const api = this.apiBase();
    const token = await this.vscode.window.showInputBox({
      title: 'Sign in to Choreo',
      prompt: `Personal access token for ${api} (Choreo Console > Account Settings > Personal Access Tokens)`,
      placeHolder: 'chp_…',
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => validationMessage(this.vscode, this.lib, value),
    });
    if (token === undefined) throw codedError('cancelled', 'sign-in cancelled');
    this._known = this._known || (await this.current());
    let result;
    try {
      result = await this._withClient(scopes, (c) => c.loginWithToken(token));
    } catch (e) {
      this.log.error(`sign-in to ${api} failed: ${describeError(e)}`);
      this.vscode.window.showErrorMessage(failureMessage('sign-in', e));
      throw e;
    }
    const after = await this.current();
    if (!after) throw codedError('storage-failed', 'the credential was not found in storage after sign-in');
    const { account, scopes: granted } = after;
    const { masked } = result.session;
    this.log.info(`signed in to ${api} as ${account.label} (${masked}) with scopes [${granted.join(', ')}]`);
    for (const w of result.warnings) {
      this.log.warn(`${w.message} (${w.code})`);
      this.vscode.window.showWarningMessage(escapeMarkdown(`Choreo: ${w.message} (${w.code})`));
    }
    this._announce(after);
    return after;
  }

  /** Removes the stored credential if `id` is the current session. */
  async removeSession(id) {
    const session = await this.current();
    if (!session || session.id !== id) return;
    await this.signOut();
  }

  /** Removes the stored credential; resolves to core's session, or undefined if none. */
  async signOut() {
    const api = this.apiBase();
    this._known = this._known || (await this.current());
    try {
      const session = await this._withClient([], (c) => c.logout());
      this.log.info(`signed out of ${api} (${session.organization.handle}, ${session.masked})`);
      this._announce(undefined);
      return session;
    } catch (e) {
      if (e.code === 'not-logged-in') return undefined;
      this.log.error(`sign-out of ${api} failed: ${describeError(e)}`);
      throw e;
    }
  }

  /** Offline status for the status command: `{ signedIn, apiBase, session? , problem? }`. */
  async describe() {
    const apiBase = this.apiBase();
    try {
      const r = await this._withClient([], (c) => c.status({ online: false }));
      return { signedIn: true, apiBase, session: describeSession(r.session), warnings: r.warnings };
    } catch (e) {
      const out = { signedIn: false, apiBase, code: e.code || 'internal-error', message: e.message };
      if (e.session) out.session = describeSession(e.session);
      return out;
    }
  }

  /** Tells VS Code what changed since it last asked (another window, another API base). */
  async refresh() {
    this._announce(await this.current());
  }

  /**
   * Fires `onDidChangeSessions` if `after` is not the session VS Code last heard of. Compare and
   * update happen in one synchronous step, so a `refresh` racing a sign-in fires only once.
   */
  _announce(after) {
    const before = this._known;
    this._known = after;
    if ((before && before.id) === (after && after.id)) return;
    this._onDidChangeSessions.fire({ added: after ? [after] : [], removed: before ? [before] : [], changed: [] });
  }

  dispose() {
    this._onDidChangeSessions.dispose();
  }

  /**
   * The session of the token variable the extension host's environment sets, as the CLI uses
   * it: CHOREO_TOKEN, then WSO2IP_PAT, then CLOUD_STS_TOKEN (a Choreo STS access token, as hosted
   * editors set it). Core checks it online with the flow of its kind, once per API base; it is
   * kept in memory and never written to SecretStorage. Undefined when no variable is set or core
   * refuses its token (logged).
   */
  environmentSession() {
    const api = this.apiBase();
    if (!this._fromEnvironment || this._fromEnvironment.api !== api) {
      const session = this._withClient([], (c) => this._useEnvironment(c, api, process.env));
      this._fromEnvironment = { api, session };
    }
    return this._fromEnvironment.session;
  }

  async _useEnvironment(client, api, env) {
    try {
      const { session, variable, warnings } = await client.useEnvironment(env);
      this.log.info(`using ${variable} for ${api} (${session.organization.handle}, ${session.masked}); nothing is stored`);
      for (const w of warnings) this.log.info(`${w.message} (${w.code})`);
      return toAuthenticationSession(session, client.environmentToken(env));
    } catch (e) {
      if (e.code !== 'not-logged-in') this.log.warn(`the token variable is not usable: ${describeError(e)}`);
      return undefined;
    }
  }
}

module.exports = {
  PROVIDER_ID,
  PROVIDER_LABEL,
  DEFAULT_API_BASE,
  ChoreoAuthenticationProvider,
  validationMessage,
  secretStore,
  describeError,
  escapeMarkdown,
  failureMessage,
  describeSession,
};
