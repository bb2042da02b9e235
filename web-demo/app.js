// The console helper page: live offline inspection, a wasm login client and a paste box that
// lists the tokens in any text (scanText). Every rule runs in the wasm build of
// choreo-auth-core; this file only renders. The token stays in the input until a login
// succeeds, then lives only in wasm memory (the in-memory credential store).
import init, { inspectToken, ChoreoAuth, scanText } from "./pkg/index.js";

const $ = (id) => document.getElementById(id);
const apiBase = location.origin;

function text(id, value) {
  $(id).textContent = value;
}

function problemItem(p) {
  const li = document.createElement("li");
  li.className = `problem ${p.severity}`;
  const sev = document.createElement("span");
  sev.className = "sev";
  sev.textContent = p.severity;
  const msg = document.createElement("span");
  msg.className = "msg";
  msg.textContent = p.message;
  const code = document.createElement("code");
  code.textContent = p.code;
  li.append(sev, msg, code);
  return li;
}

function renderProblems(id, problems) {
  $(id).replaceChildren(...problems.map(problemItem));
}

// Kinds a Choreo login accepts; every other kind (a GitHub token, a JWT, ...) is someone else's.
const CHOREO_KINDS = new Set(["choreo-pat", "opaque"]);

// The offline verdict, shown first: whether this token can be used to log in, and why not.
function verdict(report) {
  const choreo = CHOREO_KINDS.has(report.kind);
  if (!report.ok) {
    // The problem list below says why, once.
    if (report.kind === null) return "No token found: refused before any request";
    if (!choreo) return "Not a Choreo token: refused before any request";
    return "Cannot be used to log in: refused before any request";
  }
  const notes = report.problems.length ? " (see the notes below)" : "";
  if (report.kind === "choreo-pat") return `A Choreo personal access token, checksum valid${notes}`;
  return `Can be tried as a Choreo personal access token: the API decides${notes}`;
}

// A checksum is only good news for a Choreo token: another kind's valid checksum says so.
function checksumBadge(report) {
  if (report.checksum === "valid" && !CHOREO_KINDS.has(report.kind)) {
    return ["valid, but not a Choreo token", "foreign"];
  }
  const label = { valid: "valid", invalid: "does not match", none: "none" }[report.checksum];
  return [label, report.checksum];
}

function renderReport(report) {
  const box = $("report");
  if (report === null) {
    box.dataset.state = "empty";
    for (const id of ["r-kind", "r-masked", "r-length"]) text(id, "—");
    text("r-verdict", "");
    text("r-checksum", "—");
    $("r-checksum").className = "badge";
    renderProblems("problems", []);
    $("login").disabled = true;
    return;
  }
  const warned = report.problems.some((p) => p.severity === "warning");
  box.dataset.state = report.ok ? (warned ? "note" : "ok") : "bad";
  text("r-verdict", verdict(report));
  text("r-kind", report.label ?? "no token found");
  text("r-masked", report.masked ?? "—");
  text("r-length", report.length === null ? "—" : `${report.length} characters`);
  const [checksum, state] = checksumBadge(report);
  text("r-checksum", checksum);
  $("r-checksum").className = `badge ${state}`;
  renderProblems("problems", report.problems);
  // A refused token is explained in the report alone; the API never sees it.
  $("login").disabled = !report.ok;
}

// Codes whose way out is a new token from the console.
const NEEDS_NEW_TOKEN = new Set(["pat-inactive", "pat-expired", "unauthorized"]);

function showError(e) {
  // The offline verdict above said yes: it now says that the login went further and failed.
  $("report").dataset.state = "bad";
  text("r-verdict", "Passed the offline checks, but the login failed: see below");
  text("error-message", e.message);
  text("error-code", e.code ?? "unexpected");
  $("error-next").hidden = !NEEDS_NEW_TOKEN.has(e.code);
  $("error").hidden = false;
}

function formatExpiry(validUntil) {
  if (validUntil === null) return "never";
  const when = new Date(validUntil);
  const days = Math.floor((when - Date.now()) / 86400000);
  const left = days < 1 ? "less than a day" : days === 1 ? "1 day" : `${days} days`;
  return `${when.toISOString().replace(".000Z", "Z")} (in ${left})`;
}

function showSession(session, warnings) {
  text("s-user", session.userId);
  text("s-org", `${session.organization.name} (${session.organization.handle})`);
  text("s-scopes", session.scopes.length ? session.scopes.join(", ") : "none");
  text("s-expiry", formatExpiry(session.validUntil));
  text("s-masked", session.masked);
  text("s-kind", session.kind);
  renderProblems("warnings", warnings);
  $("session-card").hidden = false;
  $("login-card").hidden = true;
}

function notice(message) {
  text("notice", message);
  $("notice").hidden = message === "";
}

// The paste box's findings: where each token is and what it is, masked; never the token.
function renderScan(value) {
  const findings = value === "" ? [] : scanText(value);
  const n = findings.length;
  text(
    "scan-summary",
    value === "" ? "No text yet." : n === 0 ? "No tokens found." : `${n} token${n === 1 ? "" : "s"} found: revoke ${n === 1 ? "it" : "them"} if this text was shared.`,
  );
  $("scan-findings").replaceChildren(
    ...findings.map((f) => {
      const li = document.createElement("li");
      const place = document.createElement("span");
      place.className = "place";
      place.textContent = `line ${f.line}, column ${f.column}`;
      const masked = document.createElement("code");
      masked.textContent = f.masked;
      const label = document.createElement("span");
      label.textContent = f.label;
      li.append(place, label, masked);
      return li;
    }),
  );
}

async function main() {
  await init();
  text("api-base", apiBase);
  const auth = new ChoreoAuth({ apiBase });
  const input = $("token");

  input.addEventListener("input", () => {
    $("error").hidden = true;
    notice("");
    renderReport(input.value === "" ? null : inspectToken(input.value));
  });

  $("toggle").addEventListener("click", () => {
    const show = input.type === "password";
    input.type = show ? "text" : "password";
    $("toggle").textContent = show ? "Hide" : "Show";
    $("toggle").setAttribute("aria-pressed", String(show));
  });

  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (input.value === "") return;
    // The report already shows why a refused token cannot log in.
    if (!inspectToken(input.value).ok) return;
    $("error").hidden = true;
    $("login").disabled = true;
    $("busy").hidden = false;
    try {
      const { session, warnings } = await auth.loginWithToken(input.value);
      // From here on the token exists only inside the wasm client.
      input.value = "";
      input.type = "password";
      $("toggle").textContent = "Show";
      $("toggle").setAttribute("aria-pressed", "false");
      renderReport(null);
      notice("");
      showSession(session, warnings);
    } catch (e) {
      showError(e);
      $("login").disabled = false;
    } finally {
      $("busy").hidden = true;
    }
  });

  $("logout").addEventListener("click", async () => {
    try {
      const session = await auth.logout();
      notice(`Logged out of ${session.organization.name}. The token was removed from this page's memory.`);
    } catch (e) {
      notice(`${e.message} (${e.code})`);
    }
    $("session-card").hidden = true;
    $("login-card").hidden = false;
    input.focus();
  });

  const pasted = $("scan-text");
  pasted.addEventListener("input", () => renderScan(pasted.value));

  document.body.dataset.ready = "true";
}

main().catch((e) => {
  notice(`The helper could not start: ${e.message}`);
});
