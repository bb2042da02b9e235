// The Node build's entry for import: the CommonJS entry's names, and the web build's `init` and
// `initSync`, which have nothing to load here (the module is ready on import), so one snippet
// runs in both.
import pkg from "./index.js";

export const { ChoreoAuth, ChoreoAuthError, inspectToken, inspectTokenAt, inspectTokenJson, inspectTokenJsonAt, scanText } = pkg;
export default async function init() {}
export function initSync() {}
