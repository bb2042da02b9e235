// The package's functions over wasm-bindgen's glue (choreo_auth_wasm.js), which every build's
// entry exports. The inspect functions write the input into the module's input buffer before
// the call and read the report from its tape after it, so nothing crosses back out of wasm
// during the call (the clock aside) and no value passes through wasm-bindgen's externref table:
// this is what makes `inspectToken` faster than jose's decoding (BENCHMARKS.md).
import * as glue from "./choreo_auth_wasm.js";
import { readTape } from "./tape.js";
import { send } from "./fetch.js";

export { scanText } from "./choreo_auth_wasm.js";

/** Every rejected promise and thrown error of this package; `code` is core's stable code. */
export class ChoreoAuthError extends Error {}
ChoreoAuthError.prototype.name = "ChoreoAuthError";

// The last change queued on each storage object. Changes of one storage run one at a time, so
// that core's account index is read, changed and written by one change at a time: clients may
// share a storage, as an editor's windows share theirs.
const queues = new WeakMap();

/** The glue's client with its methods' runs driven here, `logout({ all: true })` and `fetch`. */
export class ChoreoAuth extends glue.ChoreoAuth {
  #storage;
  #methods;

  constructor(options) {
    super(options);
    this.#storage = options?.storage ?? this;
    if (options?.storage != null) this.#methods = methods(options.storage);
  }

  // Each glue method that returns a run (`Run`, wasm/src/lib.rs) returns its promise here. The
  // run is made when the method is called, so its arguments are read then: the caller may clear
  // a token's buffer once the call returns. Runs that use the storage are driven once the ones
  // before them on it are done, so none sees a change half written (a credential removed, the
  // index not yet rewritten); the token variables' checks store nothing.
  static {
    const storeless = new Set(["useEnvironment", "useStsToken"]);
    for (const [name, { value: method }] of Object.entries(Object.getOwnPropertyDescriptors(glue.ChoreoAuth.prototype))) {
      if (typeof method !== "function" || name === "constructor" || Object.hasOwn(this.prototype, name)) continue;
      this.prototype[name] = function (...args) {
        const run = method.apply(this, args);
        if (!(run instanceof glue.Run)) return run;
        return storeless.has(name) ? this.#drive(run) : this.#queued(() => this.#drive(run));
      };
    }
  }

  #queued(change) {
    const done = (queues.get(this.#storage) ?? Promise.resolve()).then(change);
    queues.set(this.#storage, done.catch(() => {}));
    return done;
  }

  // Steps the run to its end, doing what it asks for on the way: HTTP by `fetch.js`, or a call
  // of the storage object.
  async #drive(run) {
    let ok = true;
    let value;
    let cause;
    try {
      for (;;) {
        const [done, asked] = run.step(ok, value);
        if (done) return asked;
        const [name, ...args] = asked;
        const settled = name === "fetch" ? send(...args) : this.#methods[name](...args);
        [ok, value] = await settled.then((v) => [true, v], (e) => [false, e]);
        if (name === "fetch") cause = ok || value[0] !== "connect" ? undefined : value[1];
      }
    } catch (e) {
      // A network error's cause: what `fetch` rejected with, as `new Error(m, { cause })` has it.
      if (e.code === "network-error" && cause !== undefined) {
        Object.defineProperty(e, "cause", { value: cause, writable: true, configurable: true });
      }
      throw e;
    } finally {
      run.free();
    }
  }

  logout(options) {
    if (!options?.all) {
      const run = super.logout(options);
      return this.#queued(() => this.#drive(run));
    }
    return this.#queued(async () => {
      const removed = [];
      for (const { session } of await this.#drive(super.accounts())) {
        removed.push(await this.#drive(super.logout({ org: session.organization.uuid })));
      }
      // None: core's not-logged-in.
      return removed.length > 0 ? removed : this.#drive(super.logout());
    });
  }

  // `fetch` with the active account's token, for the API base's own origin only (as `URL`
  // reads both, which is how fetch reads them), and never through a redirect.
  async fetch(input, init) {
    const request = new Request(input, init);
    if (new URL(request.url).origin !== new URL(this.apiBase).origin) return fetch(request);
    const headers = new Headers(request.headers);
    headers.set("Authorization", `Bearer ${await this.accessToken()}`);
    return fetch(new Request(request, { headers, redirect: "error" }));
  }
}

// The storage object's methods in the one shape the module calls, each returning a promise
// (of a plain value or a thenable such as VS Code's) that rejects with `<name>() threw: <why>`.
// VS Code's `context.secrets` names its setter `store`, which is used when there is no `set`.
function methods(storage) {
  const setter = typeof storage.set === "function" ? "set" : "store";
  const call = (name) => {
    const method = storage[name];
    if (typeof method !== "function") {
      throw argumentError(`the storage object has no ${name === "store" ? "set() or store" : name}() method`);
    }
    return async (...args) => {
      try {
        return await method.apply(storage, args);
      } catch (e) {
        throw `${name}() threw: ${e instanceof Error ? e.message : String(e)}`;
      }
    };
  };
  return { get: call("get"), set: call(setter), delete: call("delete") };
}

// A `ChoreoAuthError` with core's code for a wrong argument.
const argumentError = (message) => glue.__invalid(message);

const encoder = new TextEncoder();
// The module's memory and input buffer, from `__input` on the first call (the web build's
// module exists only once `init` has run), and a view of the buffer, made again when memory
// grows.
let memory;
let input = new Uint8Array(0);

// Writes a string (as UTF-8, lone surrogates as U+FFFD) or a `Uint8Array`'s bytes into the
// input buffer, as much as fits: the number of bytes written, or -1 for any other value.
function write(value) {
  if (memory === undefined) memory = glue.__input();
  if (input.length === 0) input = new Uint8Array(memory[0].buffer, memory[1], memory[2]);
  if (typeof value === "string") return encoder.encodeInto(value, input).written;
  if (!(value instanceof Uint8Array)) return -1;
  const n = Math.min(value.length, input.length);
  input.set(n === value.length ? value : value.subarray(0, n));
  return n;
}

// The report of `value` at `now` (Unix seconds; NaN: the current time, read only if a rule
// needs it): read from the module's tape, or core's JSON text.
function inspect(value, now, json) {
  const n = write(value);
  if (n < 0) throw argumentError("the input must be a string or a Uint8Array");
  return json ? glue.__inspectJson(n, now) : readTape(memory[0], glue.__inspect(n, now));
}

// A time argument, converted as wasm converts a number argument.
function at(now) {
  const seconds = Number(now);
  if (!Number.isFinite(seconds)) throw argumentError("the time must be a finite number of seconds");
  return seconds;
}

/** Recognises a token and lists its problems, offline, at the current time. */
export const inspectToken = (value) => inspect(value, Number.NaN, false);
/** `inspectToken` at a given time (Unix seconds). */
export const inspectTokenAt = (value, now) => inspect(value, at(now), false);
/** The report as core's canonical JSON text, byte for byte what every host prints. */
export const inspectTokenJson = (value) => inspect(value, Number.NaN, true);
/** `inspectTokenJson` at a given time (Unix seconds). */
export const inspectTokenJsonAt = (value, now) => inspect(value, at(now), true);
