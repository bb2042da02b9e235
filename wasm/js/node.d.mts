// The types of the Node build's entry for import (node.mjs).
export * from "./choreo_auth_wasm.js";
/** The web build's `init`: in Node the module is ready on import, and this does nothing. */
export default function init(module_or_path?: unknown): Promise<void>;
/** The web build's `initSync`: does nothing in Node. */
export function initSync(module?: unknown): void;
