// The console helper page (web-demo/) in headless Chromium, served same-origin by the real
// reference server under its CSP: live checks without network, login, logout, and no token left
// in web storage, cookies, the URL or the DOM. Screenshots of each state, light and dark, go to
// target/screenshots/page/{light,dark}/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startServer, launchChromium, targetDir } from "./support.mjs";

const shots = join(targetDir, "screenshots", "page");
const CONSOLE = "https://console.choreo.dev/";
const GITHUB = "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";
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");

let server, browser, page, csp;
const cspViolations = [];
const consoleErrors = [];
const apiRequests = [];

before(async () => {
  for (const scheme of ["light", "dark"]) mkdirSync(join(shots, scheme), { recursive: true });
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
  for (const colorScheme of ["dark", "light"]) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(shots, colorScheme, `${name}.png`), fullPage: true });
  }
}

/** How many times `needle` is in the text the page shows. */
async function timesShown(needle) {
  const shown = await page.evaluate(() => document.body.innerText);
  return shown.split(needle).length - 1;
}

async function typeToken(value) {
  await page.fill("#token", value);
}

const problemCodes = () => page.$$eval("#problems li code", (els) => els.map((e) => e.textContent));
const verdict = () => page.textContent("#r-verdict");

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

test("the page links to the console page where personal access tokens are created", async () => {
  const link = page.locator("#pat-home a");
  assert.equal(await link.getAttribute("href"), CONSOLE);
  assert.equal(await link.getAttribute("rel"), "noopener noreferrer");
  assert.match(await page.textContent("#pat-home"), /Account Settings › Personal Access Tokens/);
});

test("the page follows the system's dark mode", async () => {
  const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const light = await background();
  await page.emulateMedia({ colorScheme: "dark" });
  const dark = await background();
  await page.emulateMedia({ colorScheme: "light" });
  // rgb(r, g, b): light is bright, dark is dark.
  const brightness = (rgb) => rgb.match(/\d+/g).slice(0, 3).reduce((a, b) => a + Number(b), 0) / 3;
  assert.ok(brightness(light) > 200, light);
  assert.ok(brightness(dark) < 50, dark);
});

test("an underscore shows in the token field at 1x", async () => {
  // The shown field with spaces, then with as many underscores: if the field clipped `_` (as a
  // 14 px ui-monospace with line-height normal did), both would look alike.
  await page.click("#toggle");
  const field = page.locator("#token");
  const look = async (value) => {
    await typeToken(value);
    await page.evaluate(() => document.activeElement.blur());
    return field.screenshot();
  };
  const spaces = await look(" ".repeat(16));
  const underscores = await look("_".repeat(16));
  await page.click("#toggle");
  await typeToken("");
  assert.equal(page.viewportSize().width, 1000);
  assert.equal(await page.evaluate(() => window.devicePixelRatio), 1);
  assert.notDeepEqual(underscores, spaces, "the underscores are invisible");
});

test("each kind of bad token is explained live, with its code, without any network request", async () => {
  const chp = server.demoToken;
  const flipped = chp.slice(0, 10) + (chp[10] === "A" ? "B" : "A") + chp.slice(11);
  // The verdict comes first; a refused token cannot be sent.
  const notChoreo = /^Not a Choreo token: refused before any request$/;
  const unusable = /^Cannot be used to log in: refused before any request$/;
  const nothing = /^No token found: refused before any request$/;
  const withNotes = /^Can be tried as a Choreo personal access token: the API decides \(see the notes below\)$/;
  const cases = [
    ["02-foreign-github", GITHUB, ["foreign-token"], "GitHub token (classic)", notChoreo],
    ["03-checksum-mismatch", flipped, ["checksum-mismatch"], "Choreo personal access token", unusable],
    ["04-jwt-alg-none", `${b64({ alg: "none" })}.${b64({ sub: "x" })}.`, ["jwt-alg-none"], "JSON Web Token", notChoreo],
    ["05-too-short", "abc123", ["too-short"], "opaque token, accepted as a Choreo personal access token", unusable],
    ["06-inner-whitespace", "abcdefgh ijklmnopqrstu", ["inner-whitespace"], "no token found", nothing],
    // An <input> drops line breaks itself, so a pasted second line cannot reach the checks.
    ["07-zero-width-space", "abcdefgh\u200bijklmnopqrstu", ["invalid-character"], "no token found", nothing],
    ["08-stripped-bearer", `Bearer ${flipped.replace("chp_", "")}`, ["stripped-bearer"], "opaque", withNotes],
  ];
  for (const [name, token, codes, kind, expected] of cases) {
    await typeToken(token);
    assert.deepEqual(await problemCodes(), codes, name);
    assert.match(await verdict(), expected, name);
    assert.equal(await page.isDisabled("#login"), expected !== withNotes, name);
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
  assert.equal(await verdict(), "A Choreo personal access token, checksum valid");
  assert.equal(await page.isDisabled("#login"), false);
  assert.deepEqual(apiRequests, [], "typing made no request");
  assert.deepEqual(await server.requests(), []);
});

test("the offline verdict comes first, above the facts", async () => {
  await typeToken(server.demoToken);
  const order = await page.$$eval("#report > *:not(.hint)", (els) => els.map((e) => e.id || e.className));
  assert.deepEqual(order, ["r-verdict", "problems", "facts"]);
  await shot("14-choreo-pat");
});

test("a valid checksum on another kind of token says it is not a Choreo token", async () => {
  await typeToken(GITHUB);
  assert.equal(await verdict(), "Not a Choreo token: refused before any request");
  assert.equal(await page.textContent("#r-checksum"), "valid, but not a Choreo token");
  assert.equal(await page.getAttribute("#r-checksum", "class"), "badge foreign");
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

test("a login the api refuses shows the message, its code and the next step, once", async () => {
  await typeToken("chp_Xq7Lm2Pz9Rt4Vw8Ny3Bc6Df1Gh5Jk01nNmox");
  await page.click("#login");
  await page.waitForSelector("#error:not([hidden])");
  assert.equal(await page.textContent("#error-code"), "unauthorized");
  const message = await page.textContent("#error-message");
  assert.match(message, /did not accept this token/);
  assert.equal(await timesShown(message), 1);
  assert.equal(await page.isVisible("#error-next"), true);
  assert.equal(await verdict(), "Passed the offline checks, but the login failed: see below");
  await shot("10-login-unauthorized");
});

for (const [change, code, name] of [
  ["revoke", "pat-inactive", "15-login-revoked"],
  ["expire", "pat-expired", "16-login-expired"],
]) {
  test(`a ${change}d token's login names the next step: a new token from the console (${code})`, async () => {
    const { token, id } = await server.mint({ org: "acme", scopes: ["apim:api_view"], ttlSeconds: 86400 });
    await server.admin("POST", `/admin/pats/${id}/${change}`);
    await typeToken(token);
    await page.click("#login");
    await page.waitForSelector("#error:not([hidden])");
    assert.equal(await page.textContent("#error-code"), code);
    assert.equal(await page.isVisible("#error-next"), true);
    assert.equal(await page.getAttribute("#error-next a", "href"), CONSOLE);
    assert.match(await page.textContent("#error-next"), /Create a new token in Choreo Console › Account Settings › Personal Access Tokens/);
    await shot(name);
  });
}

test("a foreign token is refused before any request, its error shown once, in the report", async () => {
  await server.clearRequests();
  await typeToken(GITHUB);
  assert.equal(await page.isDisabled("#login"), true);
  await page.press("#token", "Enter");
  await page.$eval("#login-form", (form) => form.requestSubmit());
  const message = await page.textContent("#problems .problem.error .msg");
  assert.equal(await timesShown(message), 1);
  assert.equal(await page.isHidden("#error"), true);
  assert.deepEqual(await server.requests(), []);
  await shot("17-foreign-refused");
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
  // The token field and the paste box.
  assert.deepEqual(leftovers.values, ["", ""]);
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
