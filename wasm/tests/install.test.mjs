// The package as users install it: `npm pack` makes the tarball, and each test installs it into a
// fresh project (offline: the package has no dependencies) and uses it the way its README says,
// as plain Node ESM, as CommonJS, from TypeScript on `lib: ["es2022"]` without skipLibCheck,
// and from a page served without a bundler in real Chromium. Logins go to the reference server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, createReadStream, existsSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { root, startServer, launchChromium } from "./support.mjs";

let work;
let tarball;
let server;

before(async () => {
  work = mkdtempSync(join(tmpdir(), "choreo-auth-install-"));
  const [packed] = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", work, join(root, "wasm/pkg")], { encoding: "utf8" }),
  );
  tarball = join(work, packed.filename);
  server = await startServer();
});
after(async () => {
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A fresh project with `files`, the tarball installed into it without the registry. */
function project(name, files) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, ...files["package.json"] }));
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--no-package-lock", tarball], {
    cwd: dir,
    stdio: "pipe",
  });
  for (const [file, text] of Object.entries(files)) {
    if (file !== "package.json") writeFileSync(join(dir, file), text);
  }
  return dir;
}

const run = (dir, file, env = {}) =>
  execFileSync(process.execPath, [file], { cwd: dir, encoding: "utf8", env: { ...process.env, ...env } }).trim();

test("the tarball holds the three builds, the types, the README and the license, and nothing else", () => {
  const listed = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).trim().split("\n");
  const top = [...new Set(listed.map((f) => f.split("/")[1]))].sort();
  assert.deepEqual(top, ["LICENSE", "README.md", "bundler", "nodejs", "package.json", "web"]);
  for (const build of ["nodejs", "web", "bundler"]) {
    assert.ok(listed.includes(`package/${build}/choreo_auth_wasm.d.ts`), build);
    assert.ok(listed.includes(`package/${build}/choreo_auth_wasm_bg.wasm`), build);
  }
  assert.ok(listed.includes("package/nodejs/index.d.mts"));
  const manifest = JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" }));
  assert.equal(manifest.license, "Apache-2.0");
  const vscode = JSON.parse(readFileSync(join(root, "vscode/package.json"), "utf8"));
  assert.equal(manifest.repository.url, `git+${vscode.repository.url}`);
  assert.match(manifest.homepage, /^https:\/\/github\.com\/wso2\/choreo-auth\//);
  assert.ok(manifest.keywords.includes("choreo"));
  assert.equal(manifest.dependencies, undefined, "no runtime dependency: it installs offline");
});

test("plain Node ESM: the README's browser snippet runs as is, and a login works", async () => {
  const { token } = await server.mint({ org: "acme" });
  const dir = project("esm", {
    "package.json": { type: "module" },
    "index.js": `
      import init, { inspectToken, ChoreoAuth, ChoreoAuthError } from "@choreo/auth";
      await init();
      const report = inspectToken("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");
      const auth = new ChoreoAuth({ apiBase: process.env.API });
      const { session } = await auth.loginWithToken(process.env.TOKEN);
      const accounts = await auth.accounts();
      const e = await auth.status({ org: "globex" }).catch((e) => e);
      console.log(JSON.stringify([report.problems[0].code, session.organization.handle, accounts.length,
        e instanceof ChoreoAuthError, e.code]));
    `,
  });
  const out = JSON.parse(run(dir, "index.js", { API: server.api, TOKEN: token }));
  assert.deepEqual(out, ["foreign-token", "acme", 1, true, "not-logged-in"]);
});

test("CommonJS: require gives the same package, errors instanceof ChoreoAuthError", () => {
  const dir = project("cjs", {
    "package.json": { type: "commonjs" },
    "index.js": `
      const { inspectToken, ChoreoAuth, ChoreoAuthError } = require("@choreo/auth");
      let e;
      try { new ChoreoAuth({ apiBase: "http://example.com" }); } catch (thrown) { e = thrown; }
      console.log(JSON.stringify([inspectToken("abc").problems[0].code, e instanceof ChoreoAuthError,
        e instanceof Error, e.name, e.code]));
    `,
  });
  assert.deepEqual(JSON.parse(run(dir, "index.js")), ["too-short", true, true, "ChoreoAuthError", "insecure-api-base"]);
});

// What a TypeScript user writes, in an ES module and in a CommonJS one.
const typescriptUse = (importLine) => `
${importLine}

async function use(storage: { get(k: string): Promise<string | undefined>; set(k: string, v: string): Promise<void>; delete(k: string): Promise<void> }) {
  const auth = new ChoreoAuth({ apiBase: "https://apis.choreo.dev", storage });
  const handle: string = (await auth.loginWithToken("chp_...")).session.organization.handle;
  const accounts: Account[] = await auth.accounts();
  const active: boolean = accounts[0].active;
  const one: Session = await auth.logout({ org: "acme" });
  const all: Session[] = await auth.logout({ all: true });
  const switched: Session = await auth.switch("acme");
  const toggled: Session = await auth.switch();
  const token: string = await auth.accessToken({ org: "acme" });
  const online: boolean = (await auth.status({ org: "acme", online: true })).checkedOnline;
  const response = await auth.fetch("https://apis.choreo.dev/orgs/1.0.0/orgs");
  try {
    inspectToken("x");
  } catch (e) {
    if (e instanceof ChoreoAuthError) {
      const code: Code = e.code;
      // @ts-expect-error: a code is one of the union generated from core's Code enum
      const wrong: typeof e.code = "not-a-code";
      return [code, wrong, e.problems?.[0]?.message, e.session?.userId, e.cause];
    }
  }
  return [handle, active, one.id, all.length, switched.id, toggled.id, token, online, response];
}
export { use };
`;

test("TypeScript on lib es2022 without skipLibCheck: tsc --noEmit passes, ESM and CommonJS", () => {
  const names = "ChoreoAuth, ChoreoAuthError, inspectToken, type Account, type Code, type Session";
  const dir = project("ts", {
    "package.json": { type: "module" },
    "tsconfig.json": JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: "es2022",
        lib: ["es2022"],
        module: "nodenext",
        moduleResolution: "nodenext",
        types: [],
      },
      files: ["esm.mts", "cjs.cts"],
    }),
    "esm.mts": `import init, { ${names} } from "@choreo/auth";\nawait init();\n${typescriptUse("")}`,
    "cjs.cts": typescriptUse(`import { ${names} } from "@choreo/auth";`),
  });
  const tsc = join(root, "node_modules/.bin/tsc");
  try {
    execFileSync(tsc, ["-p", dir], { encoding: "utf8" });
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
  assert.ok(!readFileSync(join(dir, "tsconfig.json"), "utf8").includes("skipLibCheck"));
});

/** Serves `dir` on a loopback port, as any static file server does (no bundler). */
async function serveStatic(dir) {
  const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };
  const http = createServer((req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url, "http://x").pathname)));
    const file = path.endsWith("/") ? join(path, "index.html") : path;
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  return { http, origin: `http://127.0.0.1:${http.address().port}` };
}

test("a page served without a bundler: the README snippet in Chromium, then a login", async () => {
  const dir = project("page", {
    "index.html": `<!doctype html>
<script type="importmap">{ "imports": { "@choreo/auth": "/node_modules/@choreo/auth/web/index.js" } }</script>
<script type="module">
  import init, { inspectToken, ChoreoAuth, ChoreoAuthError } from "@choreo/auth";
  await init();
  const api = new URL(location.href).searchParams.get("api");
  let thrown;
  try { new ChoreoAuth({ apiBase: "http://example.com" }); } catch (e) { thrown = e; }
  window.result = { kind: inspectToken("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").kind,
    instance: thrown instanceof ChoreoAuthError, code: thrown.code };
  window.login = async (token) => {
    const auth = new ChoreoAuth({ apiBase: api });
    const { session } = await auth.loginWithToken(token);
    return [session.organization.handle, (await auth.accounts()).length];
  };
</script>`,
  });
  const site = await serveStatic(dir);
  // The API answers this page's origin (CORS), as Choreo's would a console page.
  const api = await startServer(["--cors-origin", site.origin]);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${site.origin}/?api=${encodeURIComponent(api.api)}`);
    await page.waitForFunction(() => window.result !== undefined);
    assert.deepEqual(await page.evaluate(() => window.result), {
      kind: "github-classic",
      instance: true,
      code: "insecure-api-base",
    });
    const minted = await api.mint({ org: "acme" });
    assert.deepEqual(await page.evaluate((t) => window.login(t), minted.token), ["acme", 1]);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await api.stop();
    site.http.close();
  }
});
