// Reads a value that wasm/src/tape.rs wrote into wasm memory: the same value `JSON.parse` gives
// for serde_json's text of it, key order included. The tags are tape.rs's constants.
// Shapes (struct key lists) arrive once and are kept here, as tape.rs sends each one once: one
// copy of this module per module instance, as wasm-bindgen's glue instantiates its module once.

const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
// Node turns bytes into a string faster with Buffer's `latin1Slice` (ASCII) and `utf8Slice` than
// TextDecoder does (wasm/bench); browsers have no Buffer.
const NodeBuffer = typeof Buffer === "function" && typeof Buffer.prototype.latin1Slice === "function" ? Buffer : undefined;
const bits = new Uint32Array(2);
const float = new Float64Array(bits.buffer);
const shapes = [];

// Views of all of wasm memory, made again when it grows (which empties the old ones).
let words = new Uint32Array(0);
let bytes;
// The current read: position in `words`, and the text of all its strings as one string.
let at = 0;
let text = "";

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
  // As many UTF-16 units as bytes: ASCII.
  const ascii = words[h + 4] === to - from;
  if (from === to) text = "";
  else if (NodeBuffer) text = ascii ? bytes.latin1Slice(from, to) : bytes.utf8Slice(from, to);
  else text = decoder.decode(bytes.subarray(from, to));
  at = start + words[h + 5];
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
    case 0:
      return null;
    case 1:
      return true;
    case 2:
      return false;
    case 3:
      return w[at++] | 0;
    case 4:
      bits[0] = w[at];
      bits[1] = w[at + 1];
      at += 2;
      return float[0];
    case 5:
      at += 2;
      return text.slice(w[at - 2], w[at - 1]);
    case 6: {
      const list = new Array(w[at++]);
      for (let i = 0; i < list.length; i++) list[i] = value();
      return list;
    }
    case 7: {
      const { keys, template } = shapes[w[at++]];
      const o = { ...template };
      for (let i = 0; i < keys.length; i++) o[keys[i]] = value();
      return o;
    }
    case 8: {
      const o = {};
      for (let n = w[at++]; n > 0; n--) own(o, String(value()), value());
      return o;
    }
  }
  throw new Error(`@choreo/auth: corrupt value tape (word ${w[at - 1]} at ${at - 1})`);
}

// As JSON.parse: `__proto__` is an own property, never the prototype.
function own(o, key, v) {
  if (key === "__proto__") Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
  else o[key] = v;
}
