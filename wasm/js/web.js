// The web build's entry: the package, and the glue's `init` (default export) and `initSync`,
// one of which loads the module before any other call.
export * from "./boundary.js";
export { default, initSync } from "./choreo_auth_wasm.js";
