// The web build's entry: the package, and `init` and `initSync` (the glue's, which also hand it
// the package's error class), one of which loads the module before any other call.
import load, { initSync as loadSync, __errors } from "./choreo_auth_wasm.js";
import { ChoreoAuthError } from "./boundary.js";

export * from "./boundary.js";

export default async function init(options) {
  const loaded = await load(options);
  __errors(ChoreoAuthError);
  return loaded;
}

export function initSync(options) {
  const loaded = loadSync(options);
  __errors(ChoreoAuthError);
  return loaded;
}
