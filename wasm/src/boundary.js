// The package's crossings of the wasm boundary, its only JS besides wasm-bindgen's glue and
// the entry files wasm/build.sh writes.
// Arguments in: `readInput` writes a string or bytes straight into wasm memory (lib.rs).
// Values out: `fromReport` builds core's report from its own layout (tape/report.rs), and
// `fromTape` any other value from the generic tape (tape.rs). The word codes are tape.rs's
// constants.
// `inspectToken` and `inspectTokenAt` run from here, calling the module rather than being
// called by it: the input goes in before the call and the report is read after it, so neither
// crosses back out of wasm, and no value passes through wasm-bindgen's externref table.
// State here (shapes, views of memory, static strings by address) belongs to the one module
// instance that imports this copy of the file: wasm-bindgen's glue instantiates its module once.

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

// What the direct calls need, handed over by the module's start function (lib.rs): its exports,
// its memory, and where its input buffer is and how large.
let exported;
let memoryOf;
let inputAt = 0;
let inputRoom = 0;

export function install(exports, memory, at, room) {
  exported = exports;
  memoryOf = memory;
  inputAt = at;
  inputRoom = room;
}

// The package's `inspectToken` (the entry files pass the glue's as `checked`). Any other
// argument than a string or a `Uint8Array`, or a module that has not started, goes to
// `checked`, which throws the package's argument error, or the glue's.
export function inspectToken(value, checked) {
  const n = exported === undefined ? -1 : readInput(value, memoryOf, inputAt, inputRoom);
  if (n < 0) return checked(value);
  return fromReport(memoryOf, exported.__inspectInput(n));
}

// The package's `inspectTokenAt`, the same way; a time that is not a finite number goes to
// `checked` too.
export function inspectTokenAt(value, now, checked) {
  if (!Number.isFinite(now)) return checked(value, now);
  const n = exported === undefined ? -1 : readInput(value, memoryOf, inputAt, inputRoom);
  if (n < 0) return checked(value, now);
  return fromReport(memoryOf, exported.__inspectInputAt(n, now));
}

const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
// Node (and so a VS Code extension host) turns ASCII bytes into a string in half the time of
// TextDecoder with `Buffer#latin1Slice`, what `toString("latin1", …)` calls without its argument
// checks (wasm/bench); browsers have no Buffer.
const NodeBuffer =
  typeof Buffer === "function" && typeof Buffer.prototype.latin1Slice === "function" ? Buffer : undefined;
// Reinterprets two u32 words as the f64 they encode.
const bits = new Uint32Array(2);
const number = new Float64Array(bits.buffer);
// Per struct shape (tape.rs's SHAPES): its keys and a template object to clone.
const shapes = [];

// Views of all of wasm memory, made again only when it grows (which detaches the old buffer,
// so its views have length 0): the tape is read in place, without a view per call.
let memoryWords = new Uint32Array(0);
let memoryUnits;
let memoryBytes;

let words;
let pool;
let at;
// Where `fromReport`'s wide strings start, in units of memory.
let units;

// `wordsAt` and `asciiAt` are byte addresses in `memory`; `wordsAt` is 4-aligned.
export function fromTape(memory, wordsAt, wordsLen, asciiAt, asciiLen) {
  views(memory);
  begin(asciiAt, asciiLen);
  const first = wordsAt >>> 2;
  // The shapes first seen in this call, listed after the value.
  const end = first + wordsLen - 1;
  at = end - words[end];
  while (at < end) {
    const shape = words[at];
    const keys = new Array(words[at + 1]);
    at += 2;
    for (let i = 0; i < keys.length; i++) keys[i] = string(words[at++]);
    shapes[shape] = { keys, template: template(keys) };
  }
  at = first;
  try {
    return value();
  } finally {
    words = pool = undefined;
  }
}

// Core's report, in the layout of tape/report.rs, from the five words at byte `header`
// (tape.rs's `lay_out_report`): where its words are and how many, where its pool is and how
// long, and where its wide strings are. Fields are read in loops, so V8 compiles `field` into
// few call sites: inlined into each of 25 sites, the report's code outgrew the instruction cache
// (BENCHMARKS.md).
export function fromReport(memory, header) {
  views(memory);
  const h = header >>> 2;
  const wordsLen = memoryWords[h + 1];
  begin(memoryWords[h + 2], memoryWords[h + 3]);
  units = memoryWords[h + 4] >>> 1;
  const w = words;
  const r = w[h] >>> 2;
  // Word r is `ok`, then five fields of three words each (kind to checksum), so `jwt`'s word is
  // r + 16 and the claims begin at r + 17.
  const top = read(r + 1, 5);
  let i = r + 17;
  let jwt = null;
  if (w[r + 16] === 7) {
    const aud = i + 12;
    const exp = aud + 1 + 3 * w[aud];
    const scopes = exp + 9;
    const strings = read(i, 4);
    const times = read(exp, 3);
    jwt = {
      alg: strings[0],
      typ: strings[1],
      iss: strings[2],
      sub: strings[3],
      aud: read(aud + 1, w[aud]),
      exp: times[0],
      nbf: times[1],
      iat: times[2],
      scopes: read(scopes + 1, w[scopes]),
    };
    i = scopes + 1 + 3 * w[scopes];
  } else if (w[r + 16] !== 0) {
    corrupt(w[r + 16]);
  }
  const n = w[i++];
  const problems = new Array(n);
  for (let k = 0; k < n; k++) {
    const p = read(i + 9 * k, 3);
    problems[k] = { code: p[0], severity: p[1], message: p[2] };
  }
  i += 9 * n;
  if (i !== r + wordsLen) corrupt(w[i]);
  const report = {
    ok: flag(w[r]),
    kind: top[0],
    label: top[1],
    masked: top[2],
    length: top[3],
    checksum: top[4],
    jwt,
    problems,
  };
  // Not in a `finally`, which costs more than the rest of this line: only a corrupt layout
  // throws, and the next call lets go of that pool.
  pool = undefined;
  return report;
}

// The `n` fields of three words each from word `at`, as a list.
function read(at, n) {
  const w = words;
  const list = new Array(n);
  for (let k = 0; k < n; k++) list[k] = field(w[at + 3 * k], w[at + 3 * k + 1], w[at + 3 * k + 2]);
  return list;
}

// A field of the report's layout: a string, a number or null.
function field(tag, a, b) {
  if (tag === 4) return pool.slice(a, b);
  if (tag === 9) {
    const slot = Math.imul(a, 0x9e3779b1) >>> STATIC_SHIFT;
    return staticAddresses[slot] === a && staticLengths[slot] === b ? staticStrings[slot] : staticString(slot, a, b);
  }
  if (tag === 10) return a | 0;
  if (tag === 0) return null;
  if (tag === 5) return utf16(memoryUnits, units + a, b);
  if (tag === 3) return f64(a, b);
  return corrupt(tag);
}

function views(memory) {
  if (memoryWords.length === 0) {
    const buffer = memory.buffer;
    memoryWords = new Uint32Array(buffer);
    memoryUnits = new Uint16Array(buffer);
    memoryBytes = NodeBuffer ? NodeBuffer.from(buffer) : new Uint8Array(buffer);
  }
}

// After `views`: the tape's words, and its pool as one string.
function begin(asciiAt, asciiLen) {
  words = memoryWords;
  // ASCII only: byte offsets are string offsets, and latin1 is ASCII (TextDecoder's fast path).
  if (asciiLen === 0) pool = "";
  else if (NodeBuffer) pool = memoryBytes.latin1Slice(asciiAt, asciiAt + asciiLen);
  else pool = decoder.decode(memoryBytes.subarray(asciiAt, asciiAt + asciiLen));
}

// The f64 whose bits are the words `lo` and `hi`.
function f64(lo, hi) {
  bits[0] = lo;
  bits[1] = hi;
  return number[0];
}

function flag(word) {
  if (word === 1) return true;
  if (word !== 2) corrupt(word);
  return false;
}

// `&'static str`s by address, as their bytes never change: a direct-mapped cache, which costs a
// fraction of a Map's lookup. Two strings in one slot take turns, and Rust may place one string
// at the start of a longer one, so a hit needs both the address and the length, which is the
// string's length in UTF-8 bytes (kept beside it: it differs from a JS length past ASCII). An
// empty slot holds the empty string at address 0 and length 0, which is right for that string.
const STATIC_SHIFT = 20;
const staticAddresses = new Uint32Array(1 << (32 - STATIC_SHIFT));
const staticLengths = new Uint32Array(1 << (32 - STATIC_SHIFT));
const staticStrings = new Array(1 << (32 - STATIC_SHIFT)).fill("");

function staticString(slot, address, length) {
  const s = decoder.decode(memoryBytes.subarray(address, address + length));
  staticAddresses[slot] = address;
  staticLengths[slot] = length;
  staticStrings[slot] = s;
  return s;
}

function string(code) {
  if (code === 4) {
    const start = words[at];
    const end = words[at + 1];
    at += 2;
    return pool.slice(start, end);
  }
  if (code !== 5) corrupt(code);
  const n = words[at];
  const s = utf16(words, at + 1, n);
  at += n + 1;
  return s;
}

// The `n` UTF-16 units at index `i` of `view`.
function utf16(view, i, n) {
  if (n <= 16) {
    // Most wide strings are short (a mask's "…", "chp_…Nmox"): a call with exactly their
    // arguments is far cheaper than `apply` on a view, and than more arguments and a `slice`.
    const v = view;
    switch (n) {
      case 0:
        return "";
      case 1:
        return String.fromCharCode(v[i]);
      case 2:
        return String.fromCharCode(v[i], v[i + 1]);
      case 3:
        return String.fromCharCode(v[i], v[i + 1], v[i + 2]);
      case 4:
        return String.fromCharCode(v[i], v[i + 1], v[i + 2], v[i + 3]);
      case 5:
        return String.fromCharCode(v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4]);
      case 6:
        return String.fromCharCode(v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5]);
      case 7:
        return String.fromCharCode(
          v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5], v[i + 6],
        );
      case 8:
        return String.fromCharCode(
          v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5], v[i + 6], v[i + 7],
        );
      case 9:
        return String.fromCharCode(
          v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5], v[i + 6], v[i + 7],
          v[i + 8],
        );
      case 10:
        return String.fromCharCode(
          v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5], v[i + 6], v[i + 7],
          v[i + 8], v[i + 9],
        );
      case 11:
        return String.fromCharCode(
          v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5], v[i + 6], v[i + 7],
          v[i + 8], v[i + 9], v[i + 10],
        );
      case 12:
        return String.fromCharCode(
          v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5], v[i + 6], v[i + 7],
          v[i + 8], v[i + 9], v[i + 10], v[i + 11],
        );
      case 13:
        return String.fromCharCode(
          v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5], v[i + 6], v[i + 7],
          v[i + 8], v[i + 9], v[i + 10], v[i + 11], v[i + 12],
        );
      case 14:
        return String.fromCharCode(
          v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5], v[i + 6], v[i + 7],
          v[i + 8], v[i + 9], v[i + 10], v[i + 11], v[i + 12], v[i + 13],
        );
      case 15:
        return String.fromCharCode(
          v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5], v[i + 6], v[i + 7],
          v[i + 8], v[i + 9], v[i + 10], v[i + 11], v[i + 12], v[i + 13], v[i + 14],
        );
      case 16:
        return String.fromCharCode(
          v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5], v[i + 6], v[i + 7],
          v[i + 8], v[i + 9], v[i + 10], v[i + 11], v[i + 12], v[i + 13], v[i + 14], v[i + 15],
        );
    }
  }
  let s = "";
  // By chunks: apply's argument count is bounded.
  for (let k = 0; k < n; k += 8192) {
    s += String.fromCharCode.apply(null, view.subarray(i + k, i + Math.min(n, k + 8192)));
  }
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
    case 3: {
      const n = f64(words[at], words[at + 1]);
      at += 2;
      return n;
    }
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

function corrupt(code) {
  throw new Error(`@choreo/auth: corrupt value tape (unexpected word ${code})`);
}
