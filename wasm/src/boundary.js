// The package's two crossings of the wasm boundary, its only JS besides wasm-bindgen's glue
// (hand-written but for the known shapes, which a test of tape.rs writes).
// Arguments in: `readInput` writes a string or bytes straight into wasm memory (lib.rs).
// Values out: `fromTape` rebuilds a value from the tape written by tape.rs, whose constants
// are the word codes here.
// State here (shapes, views of memory) belongs to the one module instance that imports this
// copy of the file: wasm-bindgen's glue instantiates its module once.

const encoder = new TextEncoder();
// A view of the input buffer, made again only when memory grows (which empties it) or the
// buffer moves.
let input = new Uint8Array(0);

// Writes a `string` (as UTF-8, lone surrogates as U+FFFD) or the bytes of a `Uint8Array` into
// the `room` bytes at `at` in `memory`, as much as fits: the number of bytes written, or -1 for
// any other value. One crossing, where wasm-bindgen's type checks and its `encodeInto` binding
// took four and a fresh view of memory.
export function readInput(value, memory, at, room) {
  if (input.length !== room || input.byteOffset !== at) input = new Uint8Array(memory.buffer, at, room);
  if (typeof value === "string") return encoder.encodeInto(value, input).written;
  if (!(value instanceof Uint8Array)) return -1;
  const n = Math.min(value.length, room);
  input.set(n === value.length ? value : value.subarray(0, n));
  return n;
}

const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
// Node (and so a VS Code extension host) turns ASCII bytes into a string in half the time of
// TextDecoder (wasm/bench); browsers have no Buffer.
const NodeBuffer = typeof Buffer === "function" ? Buffer : undefined;
// Reinterprets two u32 words as the f64 they encode.
const bits = new Uint32Array(2);
const number = new Float64Array(bits.buffer);
// Per struct shape (tape.rs's SHAPES): its keys, and its object literal when it is one of
// core's report (KNOWN, below) or else a template object to clone.
const shapes = [];

// Views of all of wasm memory, made again only when it grows (which detaches the old buffer,
// so its views have length 0): the tape is read in place, without a view per call.
let memoryWords = new Uint32Array(0);
let memoryBytes;

let words;
let pool;
let at;

// `wordsAt` and `asciiAt` are byte addresses in `memory`; `wordsAt` is 4-aligned.
export function fromTape(memory, wordsAt, wordsLen, asciiAt, asciiLen) {
  begin(memory, asciiAt, asciiLen);
  const first = wordsAt >>> 2;
  // The shapes first seen in this call, listed after the value.
  const end = first + wordsLen - 1;
  at = end - words[end];
  while (at < end) {
    const shape = words[at];
    const keys = new Array(words[at + 1]);
    at += 2;
    for (let i = 0; i < keys.length; i++) keys[i] = string(words[at++]);
    const literal = KNOWN.get(JSON.stringify(keys));
    shapes[shape] = { keys, literal, template: literal === undefined ? template(keys) : undefined };
  }
  at = first;
  try {
    return value();
  } finally {
    words = pool = undefined;
  }
}

// Core's report, in the layout of tape/report.rs: no word per value says its type, and no
// call site sees more than one kind of value, so V8 builds the report as one literal.
export function fromReport(memory, wordsAt, wordsLen, asciiAt, asciiLen) {
  begin(memory, asciiAt, asciiLen);
  at = wordsAt >>> 2;
  const end = at + wordsLen;
  try {
    const r = report();
    if (at !== end) corrupt(words[at]);
    return r;
  } finally {
    words = pool = undefined;
  }
}

function begin(memory, asciiAt, asciiLen) {
  if (memoryWords.length === 0) {
    const buffer = memory.buffer;
    memoryWords = new Uint32Array(buffer);
    memoryBytes = NodeBuffer ? NodeBuffer.from(buffer) : new Uint8Array(buffer);
  }
  words = memoryWords;
  // ASCII only: byte offsets are string offsets, and latin1 is ASCII (TextDecoder's fast path).
  if (asciiLen === 0) pool = "";
  else if (NodeBuffer) pool = memoryBytes.toString("latin1", asciiAt, asciiAt + asciiLen);
  else pool = decoder.decode(memoryBytes.subarray(asciiAt, asciiAt + asciiLen));
}

function report() {
  return {
    ok: flag(),
    kind: optString(),
    label: optString(),
    masked: optString(),
    length: optNumber(),
    checksum: string(words[at++]),
    jwt: optClaims(),
    problems: problems(),
  };
}

function optClaims() {
  const code = words[at++];
  if (code === 0) return null;
  if (code !== 7) corrupt(code);
  return {
    alg: string(words[at++]),
    typ: optString(),
    iss: optString(),
    sub: optString(),
    aud: strings(),
    exp: optNumber(),
    nbf: optNumber(),
    iat: optNumber(),
    scopes: strings(),
  };
}

function problems() {
  const list = [];
  for (let n = words[at++]; n > 0; n--) {
    list.push({ code: string(words[at++]), severity: string(words[at++]), message: string(words[at++]) });
  }
  return list;
}

function strings() {
  const list = [];
  for (let n = words[at++]; n > 0; n--) list.push(string(words[at++]));
  return list;
}

function flag() {
  const code = words[at++];
  if (code === 1) return true;
  if (code !== 2) corrupt(code);
  return false;
}

function optString() {
  const code = words[at++];
  return code === 0 ? null : string(code);
}

function optNumber() {
  const code = words[at++];
  if (code === 0) return null;
  if (code !== 3) corrupt(code);
  return number64();
}

function number64() {
  bits[0] = words[at];
  bits[1] = words[at + 1];
  at += 2;
  return number[0];
}

function string(code) {
  if (code === 4) {
    const start = words[at];
    const end = words[at + 1];
    at += 2;
    return pool.slice(start, end);
  }
  if (code === 9) {
    const address = words[at];
    const length = words[at + 1];
    at += 2;
    const s = statics.get(address);
    return s !== undefined && s.length === length ? s : staticString(address, length);
  }
  if (code !== 5) corrupt(code);
  const n = words[at++];
  let s;
  if (n <= 16) {
    // Most wide strings are short (a mask's "…", "chp_…Nmox"): one call with a fixed count of
    // arguments, past the string's end if need be, is far cheaper than `apply` on a view.
    const w = words;
    const i = at;
    s =
      n <= 8
        ? String.fromCharCode(w[i], w[i + 1], w[i + 2], w[i + 3], w[i + 4], w[i + 5], w[i + 6], w[i + 7])
        : String.fromCharCode(w[i], w[i + 1], w[i + 2], w[i + 3], w[i + 4], w[i + 5], w[i + 6], w[i + 7],
            w[i + 8], w[i + 9], w[i + 10], w[i + 11], w[i + 12], w[i + 13], w[i + 14], w[i + 15]);
    if (n !== 8 && n !== 16) s = s.slice(0, n);
  } else {
    s = "";
    // By chunks: apply's argument count is bounded.
    for (let i = 0; i < n; i += 8192) {
      s += String.fromCharCode.apply(null, words.subarray(at + i, at + Math.min(n, i + 8192)));
    }
  }
  at += n;
  return s;
}

// ASCII `&'static str`s by address: their bytes never change. Rust may place one string at the
// start of a longer one, so the length is checked and the first string seen keeps the entry.
const statics = new Map();

function staticString(address, length) {
  const s = NodeBuffer
    ? memoryBytes.toString("latin1", address, address + length)
    : decoder.decode(memoryBytes.subarray(address, address + length));
  if (!statics.has(address)) statics.set(address, s);
  return s;
}

function value() {
  const code = words[at++];
  switch (code) {
    case 0:
      return null;
    case 1:
      return true;
    case 2:
      return false;
    case 3:
      return number64();
    case 4:
    case 5:
      return string(code);
    case 6: {
      const list = [];
      while (words[at] !== 8) list.push(value());
      at++;
      return list;
    }
    case 7:
      return object(words[at++]);
    default:
      return corrupt(code);
  }
}

function object(shape) {
  if (shape !== 0) {
    const known = shapes[shape];
    if (known === undefined) corrupt(shape);
    if (known.literal !== undefined) {
      const o = known.literal();
      if (words[at++] !== 8) corrupt(words[at - 1]);
      return o;
    }
    const o = { ...known.template };
    const keys = known.keys;
    for (let i = 0; i < keys.length; i++) o[keys[i]] = value();
    if (words[at++] !== 8) corrupt(words[at - 1]);
    return o;
  }
  const o = {};
  while (words[at] !== 8) {
    const key = string(words[at++]);
    // As JSON.parse: an own property, never the prototype.
    if (key === "__proto__") {
      Object.defineProperty(o, key, { value: value(), enumerable: true, writable: true, configurable: true });
    } else {
      o[key] = value();
    }
  }
  at++;
  return o;
}

function template(keys) {
  const t = {};
  // Two kinds of value first, so V8 gives every field its general representation and
  // overwriting one in a clone never changes the clone's hidden class.
  for (const key of keys) {
    // A `__proto__` key is an own property, which the clones then copy as one.
    if (key === "__proto__") {
      Object.defineProperty(t, key, { value: null, enumerable: true, writable: true, configurable: true });
    } else {
      t[key] = 0;
      t[key] = null;
    }
  }
  return t;
}

// The struct shapes of core's report, written by a test of tape.rs from core's types. V8 builds
// an object literal faster than the generic path's clone of a template plus a store per key at
// call sites that see every shape: `fromTape` of the JWT report 0.8 -> 0.6 µs (BENCHMARKS.md).
// BEGIN GENERATED KNOWN SHAPES
const KNOWN = new Map(
  [
    [
      ["alg", "typ", "iss", "sub", "aud", "exp", "nbf", "iat", "scopes"],
      () => ({
        alg: value(),
        typ: value(),
        iss: value(),
        sub: value(),
        aud: value(),
        exp: value(),
        nbf: value(),
        iat: value(),
        scopes: value(),
      }),
    ],
    [
      ["code", "severity", "message"],
      () => ({
        code: value(),
        severity: value(),
        message: value(),
      }),
    ],
    [
      ["ok", "kind", "label", "masked", "length", "checksum", "jwt", "problems"],
      () => ({
        ok: value(),
        kind: value(),
        label: value(),
        masked: value(),
        length: value(),
        checksum: value(),
        jwt: value(),
        problems: value(),
      }),
    ],
  ].map(([keys, literal]) => [JSON.stringify(keys), literal]),
);
// END GENERATED KNOWN SHAPES

function corrupt(code) {
  throw new Error(`@choreo/auth: corrupt value tape (word ${code} at ${at - 1})`);
}
