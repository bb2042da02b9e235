// The console helper page: live offline inspection and a wasm login client. Every rule runs in
// the wasm build of choreo-auth-core; this file only renders. The token stays in the input
// until a login succeeds, then lives only in wasm memory (the in-memory credential store).
import init, { inspectToken, ChoreoAuth } from "./pkg/index.js";

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

function renderReport(report) {
  const box = $("report");
  if (report === null) {
    box.dataset.state = "empty";
    for (const id of ["r-kind", "r-masked", "r-length"]) text(id, "—");
    text("r-checksum", "—");
    $("r-checksum").className = "badge";
    renderProblems("problems", []);
    $("login").disabled = true;
    return;
  }
  box.dataset.state = report.ok ? "ok" : "bad";
  text("r-kind", report.label ?? "no token found");
  text("r-masked", report.masked ?? "—");
  text("r-length", report.length === null ? "—" : `${report.length} characters`);
  const checksum = { valid: "valid", invalid: "does not match", none: "none" }[report.checksum];
  text("r-checksum", checksum);
  $("r-checksum").className = `badge ${report.checksum}`;
  renderProblems("problems", report.problems);
  $("login").disabled = false;
}

function showError(e) {
  text("error-message", e.message);
  text("error-code", e.code ?? "unexpected");
  renderProblems("error-problems", e.problems ?? []);
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

  document.body.dataset.ready = "true";
}

main().catch((e) => {
  notice(`The helper could not start: ${e.message}`);
});
