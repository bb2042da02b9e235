// The built npm package as consumers load it: require, import, exports map, types, errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync, mkdtempSync, mkdirSync, symlinkSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { root, pkg } from "./support.mjs";

const pkgDir = join(root, "wasm/pkg");
const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
const GITHUB = "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";

test("the package is @choreo/auth with .d.ts files for every build it exports", () => {
  assert.equal(manifest.name, "@choreo/auth");
  for (const target of ["nodejs", "web", "bundler"]) {
    assert.ok(existsSync(join(pkgDir, target, "choreo_auth_wasm.d.ts")), target);
    assert.ok(existsSync(join(pkgDir, target, "choreo_auth_wasm_bg.wasm")), target);
  }
});

test("a project that installs @choreo/auth can require it and import it by name", () => {
  const project = mkdtempSync(join(tmpdir(), "choreo-auth-consumer-"));
  try {
    mkdirSync(join(project, "node_modules/@choreo"), { recursive: true });
    symlinkSync(pkgDir, join(project, "node_modules/@choreo/auth"), "dir");
    const probe = (file, code) => {
      writeFileSync(join(project, file), code);
      return execFileSync(process.execPath, [join(project, file)], { encoding: "utf8" }).trim();
    };
    const use = 'inspectToken("abc").problems[0].code';
    assert.equal(probe("a.cjs", `const { inspectToken } = require("@choreo/auth"); console.log(${use});`), "too-short");
    assert.equal(probe("b.mjs", `import { inspectToken } from "@choreo/auth"; console.log(${use});`), "too-short");
    // The web build's `init` is the default export everywhere; in Node it has nothing to load.
    assert.equal(probe("c.mjs", `import init from "@choreo/auth"; console.log(await init());`), "undefined");
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});

test("Node's require and import both load the package through its exports map", async () => {
  const required = createRequire(import.meta.url)(pkgDir);
  const imported = await import(join(pkgDir, manifest.exports["."].node.import.default));
  assert.equal(typeof required.inspectToken, "function");
  assert.equal(typeof imported.inspectToken, "function");
  assert.equal(typeof imported.ChoreoAuth, "function");
  assert.deepEqual(imported.inspectTokenAt(GITHUB, 1), required.inspectTokenAt(GITHUB, 1));
});

// What `use(m)` gives for the bundler build `m`, run where wasm modules import as ES modules
// (Node's flag), as bundlers have them: a JSON value computed in a process of its own.
function inBundler(use) {
  const script = `
    const m = await import(${JSON.stringify(join(pkgDir, manifest.exports["./bundler"].default))});
    console.log(JSON.stringify((${use})(m)));
  `;
  const out = execFileSync(
    process.execPath,
    ["--experimental-wasm-modules", "--no-warnings", "--input-type=module", "-e", script],
    { encoding: "utf8" },
  );
  return JSON.parse(out);
}

test("the bundler build loads where wasm modules import as ES modules (Node's flag, as bundlers do)", () => {
  const out = inBundler(
    '(m) => [m.inspectToken("abc").problems[0].code, m.inspectTokenAt(new Uint8Array([97]), 1).kind, typeof m.ChoreoAuth]',
  );
  assert.deepEqual(out, ["too-short", "opaque", "function"]);
});

test("each entry exports exactly what its .d.ts declares, and no internal function", async () => {
  // The values a build's .d.ts declares: its functions and classes, and `init` as the web
  // build's default export.
  const declared = (target) => {
    const dts = readFileSync(join(pkgDir, target, "choreo_auth_wasm.d.ts"), "utf8");
    const names = [...dts.matchAll(/^export (?:function|class) (\w+)/gm)].map((m) => m[1]);
    if (/^export default function/m.test(dts)) names.push("default");
    return names.sort();
  };
  assert.ok(declared("nodejs").includes("inspectToken"));
  const required = createRequire(import.meta.url)(pkgDir);
  assert.deepEqual(Object.keys(required).sort(), declared("nodejs"));
  // Node's `import` adds the web build's `init` and `initSync`, which its own .d.mts declares.
  const imported = await import(join(pkgDir, manifest.exports["."].node.import.default));
  const mts = readFileSync(join(pkgDir, manifest.exports["."].node.import.types), "utf8");
  assert.match(mts, /^export default function init\(/m);
  assert.match(mts, /^export function initSync\(/m);
  assert.deepEqual(Object.keys(imported).sort(), [...declared("nodejs"), "default", "initSync"].sort());
  const web = await import(join(pkgDir, manifest.exports["./web"].default));
  assert.deepEqual(Object.keys(web).sort(), declared("web"));
  assert.ok(declared("web").includes("default") && declared("web").includes("initSync"));
  const bundler = inBundler("(m) => Object.keys(m).sort()");
  assert.deepEqual(bundler, declared("bundler"));
  for (const names of [Object.keys(required), Object.keys(web), bundler]) {
    assert.deepEqual(names.filter((n) => n.startsWith("__")), []);
  }
});

test("the types are generated from core's Rust types, not written by hand", () => {
  const dts = readFileSync(join(pkgDir, "nodejs/choreo_auth_wasm.d.ts"), "utf8");
  // Each of these comes from a #[derive(Tsify)] in core or in wasm/src/lib.rs.
  for (const decl of [
    "export interface Report",
    "export interface Problem",
    "export type Code =",
    "export interface Session",
    "export interface LoginResult",
    "loginWithToken(token: string | Uint8Array): Promise<LoginResult>;",
    "constructor(options?: ChoreoAuthOptions | null);",
    "status(options?: StatusOptions | null): Promise<StatusResult>;",
  ]) {
    assert.ok(dts.includes(decl), decl);
  }
  // boundary.js's functions, declared beside the glue's.
  assert.ok(dts.includes("export function inspectToken(input: string | Uint8Array): TokenReport;"));
  assert.ok(dts.includes('"missing-scopes"'));
});

test("the TokenVariables type names core's token variables, in core's order", () => {
  // Core names them, in its order, when none is set.
  let message = "";
  try {
    new pkg.ChoreoAuth().environmentToken({});
  } catch (e) {
    message = e.message;
  }
  const core = /no token variable is set \(([A-Z0-9_, ]+)\)/.exec(message)?.[1].split(", ");
  const dts = readFileSync(join(pkgDir, "nodejs/choreo_auth_wasm.d.ts"), "utf8");
  const type = /export type TokenVariables = \{([^}]*)\}/.exec(dts)?.[1] ?? "";
  const declared = [...type.matchAll(/^\s*([A-Z0-9_]+)\?: string;/gm)].map((m) => m[1]);
  assert.equal(core?.length, 3, message);
  assert.deepEqual(declared, core);
});

test("the .d.ts types real use under tsc --strict, VS Code's SecretStorage included", () => {
  // wasm/tests/types/consumer.ts also holds @ts-expect-error lines: wrong use must not type.
  const tsc = join(root, "node_modules/.bin/tsc");
  execFileSync(tsc, ["-p", join(root, "wasm/tests/types/tsconfig.json")], { stdio: "inherit" });
});

test("inspectToken reports a foreign token with its code and never shows the token", () => {
  const report = pkg.inspectToken(GITHUB);
  assert.equal(report.ok, false);
  assert.equal(report.kind, "github-classic");
  assert.equal(report.checksum, "valid");
  assert.equal(report.masked, "ghp_…T4V4");
  assert.deepEqual(
    report.problems.map((p) => p.code),
    ["foreign-token"],
  );
  assert.ok(!JSON.stringify(report).includes("M7H4jxUDDWHP4kZ6A4dxlQYsQIWJuq"));
});

test("inspectToken and inspectTokenJson agree, and the JSON is core's canonical text", () => {
  const json = pkg.inspectTokenJson(" Bearer abcdefghijklmnopqrstuvwxyz\n");
  assert.deepEqual(JSON.parse(json), pkg.inspectToken(" Bearer abcdefghijklmnopqrstuvwxyz\n"));
  assert.ok(json.startsWith('{"ok":true,"kind":"opaque",'));
});

test("inspectToken uses the current time: an expired jwt is expired now, a future one not valid yet", () => {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const jwt = `${b64({ alg: "RS256" })}.${b64({ exp: now - 3600 })}.c2ln`;
  const future = `${b64({ alg: "RS256" })}.${b64({ exp: now + 7200, nbf: now + 3600 })}.c2ln`;
  assert.deepEqual(
    pkg.inspectToken(jwt).problems.map((p) => p.code),
    ["jwt-expired"],
  );
  assert.deepEqual(JSON.parse(pkg.inspectTokenJson(jwt)).problems.map((p) => p.code), ["jwt-expired"]);
  assert.deepEqual(pkg.inspectToken(future).problems.map((p) => p.code), ["jwt-not-yet-valid"]);
  assert.deepEqual(JSON.parse(pkg.inspectTokenJson(future)).problems.map((p) => p.code), ["jwt-not-yet-valid"]);
  assert.deepEqual(
    pkg.inspectTokenAt(jwt, Math.floor(Date.now() / 1000) - 7200).problems.map((p) => p.code),
    ["jwt-not-pat"],
  );
});

test("a string reaches core as its UTF-8 bytes, lone surrogates as U+FFFD", () => {
  // TextEncoder#encode is the reference; the package writes strings into wasm memory with
  // encodeInto (boundary.js), whose speed and code differ between Node versions.
  const utf8 = new TextEncoder();
  const inputs = [
    "chp_\uD800abc",
    "\uDC00",
    "ab\uD83D",
    "x\uD83D\uDE00y",
    "\uDE00\uD83D",
    "é€\u{1F511}",
    `${"a".repeat(40)}\uD800`,
    ` ${"b".repeat(100)}\u00a0${"c".repeat(20)} `,
    `Bearer chp_${"\u0430".repeat(30)}`,
    "\uFFFD",
    // 6,000 characters, 18,000 bytes as U+FFFD: past intake's 16 KiB only if each is three bytes.
    "\uD800".repeat(6000),
  ];
  for (const input of inputs) {
    for (const now of [0, 1_800_000_000]) {
      const report = pkg.inspectTokenAt(input, now);
      assert.deepEqual(report, pkg.inspectTokenAt(utf8.encode(input), now), JSON.stringify(input));
      assert.equal(pkg.inspectTokenJsonAt(input, now), JSON.stringify(report), JSON.stringify(input));
    }
  }
  // A lone surrogate is U+FFFD, the same character as one written out.
  assert.deepEqual(pkg.inspectToken("ab\uD800cd"), pkg.inspectToken("ab\uFFFDcd"));
  assert.match(pkg.inspectToken("ab\uD800cd").problems[0].message, /position 3\b/);
  assert.deepEqual(pkg.inspectToken("\uD800".repeat(6000)).problems.map((p) => p.code), ["too-long"]);
});

test("an input past 16 KiB is too long however it is passed, and one just under is read whole", () => {
  const codes = (input) => pkg.inspectToken(input).problems.map((p) => p.code);
  const KiB16 = 16 * 1024;
  // Characters, UTF-8 bytes and Uint8Array bytes: intake's limit is on UTF-8 bytes.
  assert.deepEqual(codes("a".repeat(KiB16 + 1)), ["too-long"]);
  assert.deepEqual(codes("a".repeat(10_000_000)), ["too-long"]);
  assert.deepEqual(codes("é".repeat(KiB16 / 2 + 1)), ["too-long"]);
  assert.deepEqual(codes("\u{1F511}".repeat(KiB16 / 4 + 1)), ["too-long"]);
  assert.deepEqual(codes(new Uint8Array(KiB16 + 1).fill(0x61)), ["too-long"]);
  // At the limit the whole input reaches intake: a 16 KiB token is an opaque one, too long as
  // a PAT; with a non-ASCII last character it is refused for that character, at its position.
  assert.deepEqual(codes("a".repeat(KiB16)), ["too-long"]);
  assert.equal(pkg.inspectToken("a".repeat(KiB16)).kind, "opaque");
  assert.deepEqual(codes(`${"a".repeat(KiB16 - 2)}é`), ["invalid-character"]);
  assert.match(pkg.inspectToken(`${"a".repeat(KiB16 - 2)}é`).problems[0].message, /position 16383\b/);
  // The buffer is reused: a long input leaves nothing behind for a short one.
  assert.deepEqual(pkg.inspectToken("abcdefghijklmnopqrstuvwxyz").masked, "…wxyz");
  assert.equal(pkg.inspectToken("abcdefghijklmnopqrstuvwxyz").length, 26);
});

test("bytes are read from the view they are given: a Buffer, or a subarray at an offset", () => {
  const text = "xxxxabcdefghijklmnopqrstuvwxyzxxxx";
  const at = pkg.inspectTokenAt("abcdefghijklmnopqrstuvwxyz", 1_800_000_000);
  const bytes = new TextEncoder().encode(text);
  assert.deepEqual(pkg.inspectTokenAt(bytes.subarray(4, 30), 1_800_000_000), at);
  assert.deepEqual(pkg.inspectTokenAt(Buffer.from(text).subarray(4, 30), 1_800_000_000), at);
  assert.deepEqual(pkg.inspectTokenAt(bytes.subarray(4, 4), 1_800_000_000).problems[0].code, "empty");
});

// What `body` prints as JSON, run in a process of its own with `pkg`, the package, and
// `exports`, its module instance's exports, caught as the glue makes the instance.
function withInstance(body) {
  const script = `
    const Instance = WebAssembly.Instance;
    let exports;
    WebAssembly.Instance = function (module, imports) {
      const instance = new Instance(module, imports);
      exports = instance.exports;
      return instance;
    };
    const pkg = require(${JSON.stringify(pkgDir)});
    WebAssembly.Instance = Instance;
    ${body}
  `;
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }));
}

test("inspectToken reads its input and its report through fresh views after wasm memory grows", () => {
  const { grown, outputs, json } = withInstance(`
    const jwt = JSON.parse(require("fs").readFileSync(${JSON.stringify(join(root, "tests/vectors/jwt-access-token.json"))}, "utf8")).input;
    const at = (input) => JSON.stringify(pkg.inspectTokenAt(input, 1800000000));
    const outputs = [at(jwt)];
    const bytes = exports.memory.buffer.byteLength;
    exports.memory.grow(1);
    outputs.push(at(jwt));
    exports.memory.grow(1);
    outputs.push(at(new TextEncoder().encode(jwt)));
    exports.memory.grow(1);
    outputs.push(JSON.stringify(pkg.inspectToken(jwt)) === pkg.inspectTokenJson(jwt) ? outputs[0] : "now differs");
    console.log(JSON.stringify({ grown: exports.memory.buffer.byteLength - bytes, outputs, json: pkg.inspectTokenJsonAt(jwt, 1800000000) }));
  `);
  assert.equal(grown, 3 * 65536);
  assert.equal(outputs.length, 4);
  for (const output of outputs) assert.equal(output, json);
});

test("no byte of the token stays in wasm memory after the package's inspectToken returns", () => {
  // The token is made in that process, so no other copy of it can be in the module.
  const found = withInstance(`
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const random = require("crypto").randomBytes(24).toString("base64url");
    const pat = "chp_" + random;
    const jwt = b64({ alg: "RS256" }) + "." + b64({ sub: "u" }) + "." + random;
    const found = [];
    const calls = {
      inspectToken: (input) => pkg.inspectToken(input),
      inspectTokenAt: (input) => pkg.inspectTokenAt(input, 1800000000),
      inspectTokenJson: (input) => pkg.inspectTokenJson(input),
    };
    for (const token of [pat, jwt]) {
      // The mask shows the last four characters: look for the rest.
      const secret = Buffer.from(token.slice(0, -4));
      for (const input of [token, " Bearer " + token + "\\n", new TextEncoder().encode(token), Buffer.from(token)]) {
        for (const [name, call] of Object.entries(calls)) {
          call(input);
          if (Buffer.from(exports.memory.buffer).includes(secret)) found.push(name + " " + typeof input);
        }
      }
    }
    console.log(JSON.stringify(found));
  `);
  assert.deepEqual(found, []);
});

test("a wrong argument is an Error with a code, not a crash", () => {
  for (const wrong of [42, null, undefined, new String("chp_x"), new Uint16Array(4), [99, 104]]) {
    assert.throws(() => pkg.inspectToken(wrong), {
      code: "invalid-argument",
      message: "the input must be a string or a Uint8Array",
    });
  }
  for (const time of [Number.NaN, Number.POSITIVE_INFINITY, undefined, "soon"]) {
    assert.throws(() => pkg.inspectTokenAt("abc", time), { code: "invalid-argument" }, String(time));
  }
  assert.throws(() => pkg.inspectTokenAt(42, 1_800_000_000), { code: "invalid-argument" });
  // A time that is not a number is converted as wasm converts any f64 argument.
  assert.deepEqual(pkg.inspectTokenAt("abc", "1800000000"), pkg.inspectTokenAt("abc", 1_800_000_000));
  // And a wrong argument leaves the next call whole.
  assert.equal(pkg.inspectToken(GITHUB).kind, "github-classic");
  assert.throws(() => new pkg.ChoreoAuth({ apiBase: "http://example.com" }), {
    code: "insecure-api-base",
    message: "the api base must use https unless its host is a loopback address",
  });
  assert.throws(() => new pkg.ChoreoAuth({ storage: {} }), {
    code: "invalid-argument",
    message: "the storage object has no get() method",
  });
  assert.throws(() => new pkg.ChoreoAuth({ storage: { get() {}, delete() {} } }), {
    message: "the storage object has no set() or store() method",
  });
  assert.throws(() => new pkg.ChoreoAuth({ requiredScopes: "a" }), { code: "invalid-argument" });
  assert.throws(() => new pkg.ChoreoAuth({ timeoutMs: 0 }), {
    code: "invalid-argument",
    message: "timeoutMs must be a positive whole number",
  });
});

test("http is allowed only where the parsed host is loopback: a backslash or *.localhost is not", () => {
  // URL parsers read `\` as `/`: this host is 192.0.2.2, whatever the text ends with.
  for (const apiBase of ["http://192.0.2.2\\.localhost", "http://192.0.2.2\\.localhost:8/x", "http://evil.localhost"]) {
    assert.throws(() => new pkg.ChoreoAuth({ apiBase }), { code: "insecure-api-base" }, apiBase);
  }
  assert.equal(new pkg.ChoreoAuth({ apiBase: "http://LOCALHOST:9\\api" }).apiBase, "http://localhost:9/api");
});

test("a client defaults to the real Choreo api base", () => {
  assert.equal(new pkg.ChoreoAuth().apiBase, "https://apis.choreo.dev");
  assert.equal(new pkg.ChoreoAuth({ apiBase: "http://127.0.0.1:9/" }).apiBase, "http://127.0.0.1:9");
});
