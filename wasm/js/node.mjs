// The Node build's entry for import: the CommonJS entry's names, and the entry as the default.
import pkg from "./index.js";

export const { ChoreoAuth, inspectToken, inspectTokenAt, inspectTokenJson, inspectTokenJsonAt, scanText } = pkg;
export default pkg;
