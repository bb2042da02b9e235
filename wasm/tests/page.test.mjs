// The console helper page (web-demo/) in headless Chromium, served same-origin by the real
// reference server under its CSP: live checks without network, login, logout, and no token left
// in web storage, cookies, the URL or the DOM. Screenshots of each state go to target/screenshots.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startServer, launchChromium, targetDir } from "./support.mjs";

const shots = join(targetDir, "screenshots");
const GITHUB = "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";
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");

let server, browser, page, csp;
const cspViolations = [];
const consoleErrors = [];
const apiRequests = [];

before(async () => {
  mkdirSync(shots, { recursive: true });
  server = await startServer();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1000, height: 820 } });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window.__csp ??= []).push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
    if (/content security policy/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on("request", (r) => {
    if (!/\.(html|js|css|wasm)$|\/$/.test(new URL(r.url()).pathname)) apiRequests.push(r.url());
  });
  const response = await page.goto(server.api + "/");
  csp = response.headers()["content-security-policy"] ?? "";
  await page.waitForSelector("body[data-ready=true]");
});

after(async () => {
  await browser?.close();
  await server?.stop();
  console.log(`screenshots: ${shots}`);
});

async function shot(name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function typeToken(value) {
  await page.fill("#token", value);
}

const problemCodes = () => page.$$eval("#problems li code", (els) => els.map((e) => e.textContent));

test("the page is served under the strict CSP: only 'self' and 'wasm-unsafe-eval'", () => {
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  assert.match(csp, /style-src 'self'(;|$)/);
});

test("the page shows the api base it will talk to: its own origin", async () => {
  assert.equal(await page.textContent("#api-base"), server.api);
  assert.equal(await page.getAttribute("#token", "type"), "password");
  assert.equal(await page.isDisabled("#login"), true);
  await shot("01-empty");
});

test("each kind of bad token is explained live, with its code, without any network request", async () => {
  const chp = server.demoToken;
  const flipped = chp.slice(0, 10) + (chp[10] === "A" ? "B" : "A") + chp.slice(11);
  const cases = [
    ["02-foreign-github", GITHUB, ["foreign-token"], "GitHub token (classic)"],
    ["03-checksum-mismatch", flipped, ["checksum-mismatch"], "Choreo personal access token"],
    ["04-jwt-alg-none", `${b64({ alg: "none" })}.${b64({ sub: "x" })}.`, ["jwt-alg-none"], "JSON Web Token"],
    ["05-too-short", "abc123", ["too-short"], "opaque token, accepted as a Choreo personal access token"],
    ["06-inner-whitespace", "abcdefgh ijklmnopqrstu", ["inner-whitespace"], "no token found"],
    // An <input> drops line breaks itself, so a pasted second line cannot reach the checks.
    ["07-zero-width-space", "abcdefgh\u200bijklmnopqrstu", ["invalid-character"], "no token found"],
    ["08-stripped-bearer", `Bearer ${flipped.replace("chp_", "")}`, ["stripped-bearer"], "opaque"],
  ];
  for (const [name, token, codes, kind] of cases) {
    await typeToken(token);
    assert.deepEqual(await problemCodes(), codes, name);
    assert.ok((await page.textContent("#r-kind")).startsWith(kind), name);
    const messages = await page.$$eval("#problems li .msg", (els) => els.map((e) => e.textContent));
    assert.ok(messages.every((m) => m.length > 10), name);
    await shot(name);
  }
  assert.equal(await page.textContent("#r-checksum"), "none");
  await typeToken(flipped);
  assert.equal(await page.textContent("#r-checksum"), "does not match");
  await typeToken(chp);
  assert.equal(await page.textContent("#r-checksum"), "valid");
  assert.equal(await page.textContent("#r-masked"), `chp_…${chp.slice(-4)}`);
  assert.deepEqual(await problemCodes(), []);
  assert.deepEqual(apiRequests, [], "typing made no request");
  assert.deepEqual(await server.requests(), []);
});

test("the show toggle reveals and hides the field", async () => {
  await typeToken(GITHUB);
  await page.click("#toggle");
  assert.equal(await page.getAttribute("#token", "type"), "text");
  assert.equal(await page.textContent("#toggle"), "Hide");
  await shot("09-shown-public-sample");
  await page.click("#toggle");
  assert.equal(await page.getAttribute("#token", "type"), "password");
});

test("a login the api refuses shows the message and its code", async () => {
  await typeToken("chp_Xq7Lm2Pz9Rt4Vw8Ny3Bc6Df1Gh5Jk01nNmox");
  await page.click("#login");
  await page.waitForSelector("#error:not([hidden])");
  assert.equal(await page.textContent("#error-code"), "unauthorized");
  assert.match(await page.textContent("#error-message"), /did not accept this token/);
  await shot("10-login-unauthorized");
});

test("a foreign token is refused before any request, listing its problems", async () => {
  await server.clearRequests();
  await typeToken(GITHUB);
  await page.click("#login");
  await page.waitForSelector("#error:not([hidden])");
  assert.equal(await page.textContent("#error-code"), "foreign-token");
  assert.deepEqual(await server.requests(), []);
});

test("login with a fresh PAT shows the session, and the token is left nowhere in the page", async () => {
  const { token } = await server.mint({ org: "acme", scopes: ["apim:api_view", "choreo:project_view"], ttlSeconds: 30 * 86400 });
  await typeToken(token);
  await page.click("#login");
  await page.waitForSelector("#session-card:not([hidden])");
  assert.equal(await page.textContent("#s-org"), "Acme Corp (acme)");
  assert.equal(await page.textContent("#s-scopes"), "apim:api_view, choreo:project_view");
  assert.match(await page.textContent("#s-expiry"), /^\d{4}-\d\d-\d\dT.*Z \(in 29 days\)$/);
  assert.equal(await page.textContent("#s-masked"), `chp_…${token.slice(-4)}`);
  await shot("11-logged-in");

  const leftovers = await page.evaluate(() => ({
    html: document.documentElement.outerHTML,
    values: [...document.querySelectorAll("input, textarea")].map((e) => e.value),
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    cookies: document.cookie,
    url: location.href,
    title: document.title,
  }));
  for (const [where, value] of Object.entries(leftovers)) {
    assert.ok(!String(value).includes(token), `the token is in ${where}`);
  }
  assert.deepEqual(leftovers.values, [""]);
  assert.equal(leftovers.local, "{}");
  assert.equal(leftovers.session, "{}");
  assert.deepEqual(await page.context().cookies(), []);
});

test("log out clears the session and says so", async () => {
  await page.click("#logout");
  await page.waitForSelector("#login-card:not([hidden])");
  assert.equal(await page.isHidden("#session-card"), true);
  assert.match(await page.textContent("#notice"), /^Logged out of Acme Corp/);
  await shot("12-logged-out");
});

test("the page works at 400 px wide", async () => {
  await page.setViewportSize({ width: 400, height: 820 });
  await typeToken(GITHUB);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(overflow <= 400, `the page is ${overflow} px wide`);
  await shot("13-narrow-400px");
});

test("nothing violated the page's content security policy", async () => {
  const fromPage = await page.evaluate(() => window.__csp ?? []);
  assert.deepEqual([...cspViolations, ...fromPage], []);
  assert.deepEqual(consoleErrors.filter((e) => !/status of 401/.test(e)), []);
});
