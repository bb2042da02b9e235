'use strict';
// The reference Choreo API server on loopback, for the unit and end-to-end tests.

const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

const root = path.resolve(__dirname, '..', '..');
const SERVER_BIN =
  process.env.CHOREO_REFERENCE_SERVER || path.join(root, 'target', 'debug', 'choreo-reference-server');

/**
 * Starts `choreo-reference-server --exit-on-stdin-eof` on a free port and resolves when it
 * prints `ready`. `stop()` closes its stdin, which ends it.
 */
function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(SERVER_BIN, ['--exit-on-stdin-eof'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const info = {};
    const lines = readline.createInterface({ input: child.stdout });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`reference server exited early (${code})`)));
    lines.on('line', (line) => {
      const m = /^(api|token): (\S+)/.exec(line);
      if (m) info[m[1]] = m[2];
      if (line !== 'ready') return;
      child.removeAllListeners('exit');
      const exited = new Promise((r) => child.once('exit', r));
      resolve({
        api: info.api,
        async mint(spec = {}) {
          const body = { org: 'acme', ttlSeconds: 30 * 86400, ...spec };
          return (await admin(info.api, 'POST', '/admin/pats', body)).token;
        },
        requests: () => admin(info.api, 'GET', '/admin/requests'),
        clearRequests: () => admin(info.api, 'DELETE', '/admin/requests'),
        /** `POST /admin/faults`: what the next Choreo API requests get (server/src/faults.rs). */
        fault: (spec) => admin(info.api, 'POST', '/admin/faults', spec),
        clearFault: () => admin(info.api, 'DELETE', '/admin/faults'),
        async stop() {
          child.stdin.end();
          await exited;
        },
      });
    });
  });
}

async function admin(api, method, route, body) {
  const res = await fetch(api + route, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${route}: HTTP ${res.status}`);
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

/** The Choreo API requests in the server's log, as `METHOD path` lines. */
function routes(log) {
  const entries = Array.isArray(log) ? log : log.requests || log.entries || [];
  return entries.map((e) => `${e.method} ${e.path}`);
}

module.exports = { startServer, routes, root };
