// The console helper page's paste box in headless Chromium, served by the real reference server
// under its CSP: it lists every token in a pasted text, masked, with its line and column, makes
// no request, and shows no token anywhere but in the box itself. Screenshots (light, dark) go to
// target/screenshots/page/{light,dark}/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startServer, launchChromium, targetDir } from "./support.mjs";

const shots = join(targetDir, "screenshots", "page");
const PAT = "chp_Zq3Lm8Xw2Rt6Yv1Nb5Kc9Hd4Gf7Js00yFywZ";
const NEAR_MISS = "chp_Zq3Lm8Aw2Rt6Yv1Nb5Kc9Hd4Gf7Js00yFywZ";
const GITHUB = "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";

let server, browser, page;
const requests = [];
const consoleErrors = [];

before(async () => {
  for (const scheme of ["light", "dark"]) mkdirSync(join(shots, scheme), { recursive: true });
  server = await startServer();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1000, height: 1100 } });
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  await page.goto(server.api + "/");
  await page.waitForSelector("body[data-ready=true]");
  page.on("request", (r) => requests.push(r.url()));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const findings = () =>
  page.$$eval("#scan-findings li", (items) =>
    items.map((li) => [...li.children].map((c) => c.textContent)),
  );

test("the paste box lists each token in the text, masked, at its line and column, offline", async () => {
  assert.equal(await page.textContent("#scan-summary"), "No text yet.");
  // A near miss (checksum off by one character) is not a token; 😀 counts as two columns, as
  // JavaScript and editors count.
  const text = `deploy log\nCHOREO_TOKEN=${PAT}\n😀 "${GITHUB}" and ${NEAR_MISS}\n`;
  await page.fill("#scan-text", text);
  assert.deepEqual(await findings(), [
    ["line 2, column 14", "Choreo personal access token", "chp_…FywZ"],
    ["line 3, column 5", "GitHub token (classic)", "ghp_…T4V4"],
  ]);
  assert.equal(await page.textContent("#scan-summary"), "2 tokens found: revoke them if this text was shared.");
  for (const colorScheme of ["dark", "light"]) {
    await page.emulateMedia({ colorScheme });
    await page.locator("#scan-card").screenshot({ path: join(shots, colorScheme, "20-scan.png") });
  }
  // The tokens are in the box the user typed into, and nowhere else on the page.
  const shown = await page.evaluate(() => document.body.innerText + document.body.innerHTML);
  for (const token of [PAT, GITHUB]) assert.ok(!shown.includes(token), `${token.slice(0, 4)} shown`);
  assert.deepEqual(requests, []);
  assert.deepEqual(consoleErrors, []);
});

test("text without tokens says so, and an emptied box goes back to its start", async () => {
  await page.fill("#scan-text", `mentions of chp_ and ghp_ are not tokens: ${NEAR_MISS}`);
  assert.deepEqual(await findings(), []);
  assert.equal(await page.textContent("#scan-summary"), "No tokens found.");
  await page.fill("#scan-text", PAT);
  assert.equal(await page.textContent("#scan-summary"), "1 token found: revoke it if this text was shared.");
  await page.fill("#scan-text", "");
  assert.deepEqual(await findings(), []);
  assert.equal(await page.textContent("#scan-summary"), "No text yet.");
});
