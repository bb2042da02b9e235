// Core's HTTP through the platform's `fetch` (browsers, Node 20, VS Code's extension host), for
// the runs `boundary.js` drives: it reports what happened, and core decides what it means.

/**
 * Resolves to `[status, wwwAuthenticate, body, truncated]`, the body read to its end or up to
 * `maxBytes` (then `truncated`); rejects with `["timeout"]`, `["redirect"]`, `["failed", error]`
 * (the request could not be built or its body not read) or `["connect", error]` (`fetch`
 * rejected: no answer came).
 */
export async function send(method, url, authorization, body, timeoutMs, maxBytes) {
  // Aborts the request and the body stream alike once core's time for it is up; the body is also
  // read against the deadline itself, as not every fetch (VS Code's extension host) ends a
  // dripping body when its signal aborts.
  const signal = AbortSignal.timeout(timeoutMs);
  const deadline = Date.now() + timeoutMs;
  const headers = { Authorization: authorization, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let request;
  try {
    request = new Request(url, {
      method,
      headers,
      body,
      // Never followed, so the Authorization header is never replayed elsewhere: Node hands the
      // redirect itself back, a browser an opaque answer without its status.
      redirect: "manual",
      // The bearer token is the only credential; never send or keep cookies.
      credentials: "omit",
      cache: "no-store",
      signal,
    });
  } catch (e) {
    throw ["failed", e];
  }
  let response;
  try {
    response = await fetch(request);
  } catch (e) {
    throw signal.aborted ? ["timeout"] : ["connect", e];
  }
  if (response.type === "opaqueredirect") throw ["redirect"];
  const challenge = response.headers.get("www-authenticate");
  const length = response.headers.get("content-length")?.trim();
  if (/^\+?[0-9]+$/.test(length ?? "") && Number(length) > maxBytes && Number(length) <= 0xffffffff) {
    return [response.status, challenge, new Uint8Array(0), true];
  }
  const chunks = [];
  let size = 0;
  let truncated = false;
  const reader = response.body?.getReader();
  try {
    while (reader) {
      const left = deadline - Date.now();
      const chunk = left > 0 ? await within(reader.read(), left) : undefined;
      if (chunk === undefined) {
        reader.cancel().catch(() => {});
        throw ["timeout"];
      }
      if (chunk.done) break;
      if (size + chunk.value.length > maxBytes) {
        // Cancelling is best effort: the caller already has its answer.
        reader.cancel().catch(() => {});
        truncated = true;
        break;
      }
      chunks.push(chunk.value);
      size += chunk.value.length;
    }
  } catch (e) {
    if (Array.isArray(e)) throw e;
    throw signal.aborted ? ["timeout"] : ["failed", e];
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return [response.status, challenge, bytes, truncated];
}

// `promise`'s value, or undefined if `ms` pass first. The timer is cleared either way, so it never
// keeps a Node process alive.
async function within(promise, ms) {
  let timer;
  const expired = new Promise((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
