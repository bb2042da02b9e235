// The bundler build's entry (ESM integration: bundlers and Node's --experimental-wasm-modules).
import { __errors } from "./choreo_auth_wasm.js";
import { ChoreoAuthError } from "./boundary.js";

export * from "./boundary.js";
__errors(ChoreoAuthError);
