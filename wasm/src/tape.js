// Rebuilds a value from the tape written by tape.rs: views of wasm memory in, a plain value out.
// The word codes are tape.rs's constants.

const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
// Reinterprets two u32 words as the f64 they encode.
const bits = new Uint32Array(2);
const number = new Float64Array(bits.buffer);
// Per struct shape (tape.rs's SHAPES): its keys and a template object to clone.
const shapes = [];

let words;
let pool;
let at;

export function fromTape(tapeWords, ascii) {
  words = tapeWords;
  // ASCII only, so the decoder takes its fast path and byte offsets are string offsets.
  pool = ascii.length === 0 ? "" : decoder.decode(ascii);
  at = 0;
  try {
    return value();
  } finally {
    words = pool = undefined;
  }
}

function string(code) {
  if (code === 4) {
    const start = words[at];
    const end = words[at + 1];
    at += 2;
    return pool.slice(start, end);
  }
  if (code !== 5) corrupt(code);
  const n = words[at++];
  let s = "";
  // By chunks: apply's argument count is bounded.
  for (let i = 0; i < n; i += 8192) {
    s += String.fromCharCode.apply(null, words.subarray(at + i, at + Math.min(n, i + 8192)));
  }
  at += n;
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
      bits[0] = words[at];
      bits[1] = words[at + 1];
      at += 2;
      return number[0];
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
  const known = shape === 0 ? undefined : shapes[shape];
  if (known !== undefined) {
    const o = { ...known.template };
    const keys = known.keys;
    for (let i = 0; i < keys.length; i++) {
      // Skip the key's words (ASCII start end, or WIDE n units): the template knows it.
      at += words[at] === 4 ? 3 : 2 + words[at + 1];
      o[keys[i]] = value();
    }
    if (words[at++] !== 8) corrupt(words[at - 1]);
    return o;
  }
  const o = {};
  const keys = [];
  while (words[at] !== 8) {
    const key = string(words[at++]);
    keys.push(key);
    // As JSON.parse: an own property, never the prototype.
    if (key === "__proto__") {
      Object.defineProperty(o, key, { value: value(), enumerable: true, writable: true, configurable: true });
    } else {
      o[key] = value();
    }
  }
  at++;
  if (shape !== 0 && !keys.includes("__proto__")) shapes[shape] = { keys, template: template(keys) };
  return o;
}

function template(keys) {
  const t = {};
  // Two kinds of value first, so V8 gives every field its general representation and
  // overwriting one in a clone never changes the clone's hidden class.
  for (const key of keys) {
    t[key] = 0;
    t[key] = null;
  }
  return t;
}

function corrupt(code) {
  throw new Error(`@choreo/auth: corrupt value tape (word ${code} at ${at - 1})`);
}
