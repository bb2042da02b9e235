// Shared test support: paths, the built packages, and the real reference server on loopback.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

const require = createRequire(import.meta.url);
export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const targetDir = process.env.CARGO_TARGET_DIR
  ? resolve(process.env.CARGO_TARGET_DIR)
  : join(root, "target");

/** The npm package as a user gets it (wasm/pkg, through its package.json exports). */
export const pkg = require(join(root, "wasm/pkg"));
/** The glue of the same code built with runVector (feature `vectors`), from wasm/build.sh. */
export const vectorsPkg = require(join(targetDir, "wasm-vectors/nodejs/choreo_auth_wasm.js"));

export function vectorFiles() {
  const dir = join(root, "tests/vectors");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => ({ file, text: readFileSync(join(dir, file), "utf8") }));
}

/** `vectors::codes_of`: report problem codes, then a login error's code if not among them. */
export function codesOf(output) {
  const codes = (output.problems ?? []).map((p) => p.code);
  if (typeof output.code === "string" && !codes.includes(output.code)) codes.push(output.code);
  return codes;
}

/** A vector's input bytes: `input` as UTF-8, or `inputBase64`. */
export function vectorInput(vector) {
  return vector.input !== undefined
    ? new TextEncoder().encode(vector.input)
    : new Uint8Array(Buffer.from(vector.inputBase64, "base64"));
}

/**
 * Starts `choreo-reference-server` (built by wasm/test.sh) on a free loopback port. It exits
 * when its stdin closes, so a crashed test run leaves nothing behind.
 */
export async function startServer(args = []) {
  const bin = process.env.CHOREO_SERVER_BIN ?? join(targetDir, "debug/choreo-reference-server");
  const child = spawn(bin, ["--port", "0", "--exit-on-stdin-eof", ...args], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const banner = {};
  await new Promise((resolveReady, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the server exited early (${code})`)));
    lines.on("line", (line) => {
      if (line === "ready") return resolveReady();
      const at = line.indexOf(": ");
      if (at > 0) banner[line.slice(0, at)] = line.slice(at + 2);
    });
  });
  const api = banner.api;
  const admin = async (method, path, body) => {
    const res = await fetch(api + path, {
      method,
      headers: body ? { "content-type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    api,
    demoToken: banner.token,
    org: banner.org,
    admin,
    /** `POST /admin/pats`: a fresh token with its id. */
    mint: (spec = {}) => admin("POST", "/admin/pats", spec),
    requests: () => admin("GET", "/admin/requests"),
    clearRequests: () => admin("DELETE", "/admin/requests"),
    async stop() {
      child.stdin.end();
      if (child.exitCode === null) await new Promise((r) => child.once("exit", r));
    },
  };
}

/** The rejection of a promise, which must be the package's ChoreoAuthError. */
export async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    if (!(e instanceof pkg.ChoreoAuthError) || e.name !== "ChoreoAuthError") {
      throw new Error(`rejected with something other than a ChoreoAuthError: ${e}`);
    }
    return e;
  }
  throw new Error("the promise resolved");
}

/** An injected storage object, like VS Code's `context.secrets`, that records every call. */
export function recordingStorage() {
  const map = new Map();
  const calls = [];
  return {
    map,
    calls,
    async get(key) {
      calls.push(["get", key]);
      return map.get(key);
    },
    async set(key, value) {
      calls.push(["set", key]);
      map.set(key, value);
    },
    async delete(key) {
      calls.push(["delete", key]);
      map.delete(key);
    },
  };
}

/** Headless Debian Chromium through playwright-core (no browser download). */
export async function launchChromium() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
