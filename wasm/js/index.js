// The bundler build's entry (ESM integration: bundlers and Node's --experimental-wasm-modules).
export * from "./boundary.js";
