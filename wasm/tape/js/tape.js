// Reads a value that the tape crate (wasm/tape/src/lib.rs) wrote into wasm memory: the same
// value `JSON.parse` gives for serde_json's text of it, key order included.
// Shapes (struct key lists) arrive once and are kept here, as the crate sends each one once: one
// copy of this module per module instance, as wasm-bindgen's glue instantiates its module once.

// The tags, generated from the crate's constants: `cargo test -p choreo-auth-tape` fails when
// this line differs from them, and with TAPE_JS=write rewrites it.
const NULL = 0, TRUE = 1, FALSE = 2, INT = 3, NUMBER = 4, ASCII = 5, WIDE = 6, ARRAY = 7, OBJECT = 8, MAP = 9;

const decoder = new TextDecoder();
// Node turns ASCII bytes into a string in about half TextDecoder's time with `latin1Slice`
// (wasm/bench); browsers have no Buffer.
const NodeBuffer = typeof Buffer === "function" && typeof Buffer.prototype.latin1Slice === "function" ? Buffer : undefined;
const bits = new Uint32Array(2);
const float = new Float64Array(bits.buffer);
const shapes = [];

// Views of all of wasm memory, made again when it grows (which empties the old ones).
let words = new Uint32Array(0);
let bytes;
// The current read: position in `words`, and the ASCII text as one string.
let at = 0;
let ascii = "";

/** The value whose header (tape.rs's `Tape::write`) is at byte `header` of `memory`. */
export function readTape(memory, header) {
  if (words.length === 0) {
    words = new Uint32Array(memory.buffer);
    bytes = NodeBuffer ? NodeBuffer.from(memory.buffer) : new Uint8Array(memory.buffer);
  }
  const h = header >>> 2;
  const start = words[h] >>> 2;
  const end = start + words[h + 1];
  const from = words[h + 2];
  const to = from + words[h + 3];
  if (from === to) ascii = "";
  else ascii = NodeBuffer ? bytes.latin1Slice(from, to) : decoder.decode(bytes.subarray(from, to));
  at = start + words[h + 4];
  while (at < end) {
    const keys = new Array(words[at++]);
    const template = {};
    for (let i = 0; i < keys.length; i++) {
      keys[i] = value();
      // Two kinds of value first, so V8 gives each field its general representation and filling
      // a clone never changes its hidden class.
      own(template, keys[i], 0);
      template[keys[i]] = null;
    }
    shapes.push({ keys, template });
  }
  at = start;
  return value();
}

function value() {
  const w = words;
  switch (w[at++]) {
    case NULL:
      return null;
    case TRUE:
      return true;
    case FALSE:
      return false;
    case INT:
      return w[at++] | 0;
    case NUMBER:
      bits[0] = w[at];
      bits[1] = w[at + 1];
      at += 2;
      return float[0];
    case ASCII:
      at += 2;
      return ascii.slice(w[at - 2], w[at - 1]);
    case WIDE:
      return utf16();
    case ARRAY: {
      const list = new Array(w[at++]);
      for (let i = 0; i < list.length; i++) list[i] = value();
      return list;
    }
    case OBJECT: {
      const { keys, template } = shapes[w[at++]];
      const o = { ...template };
      for (let i = 0; i < keys.length; i++) o[keys[i]] = value();
      return o;
    }
    case MAP: {
      const o = {};
      for (let n = w[at++]; n > 0; n--) own(o, String(value()), value());
      return o;
    }
  }
  throw new Error(`@choreo/auth: corrupt value tape (word ${w[at - 1]} at ${at - 1})`);
}

// The `n` UTF-16 units after `n`, by chunks, as `apply`'s argument count is bounded. `apply` on a
// plain array is several times cheaper than on a view, or than adding one unit at a time.
function utf16() {
  const n = words[at++];
  let s = "";
  for (let i = 0; i < n; i += 8192) {
    const units = new Array(Math.min(n - i, 8192));
    for (let k = 0; k < units.length; k++) units[k] = words[at + i + k];
    s += String.fromCharCode.apply(null, units);
  }
  at += n;
  return s;
}

// As JSON.parse: `__proto__` is an own property, never the prototype.
function own(o, key, v) {
  if (key === "__proto__") Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
  else o[key] = v;
}
