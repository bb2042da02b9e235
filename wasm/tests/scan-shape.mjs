// scanText's findings beside core's and the CLI's. scanText places a finding in UTF-16 code units
// (`index`, `column`), as JavaScript strings count; core and `choreo token scan` count characters
// (`column`) and UTF-8 bytes (`offset`). These convert one to the other, from the text alone.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./support.mjs";

/** Every `tests/scan-vectors/*.json`, parsed, by name. */
export function scanVectors() {
  const dir = join(root, "tests/scan-vectors");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")));
}

/** A scanText finding in core's shape (the vectors' `expect`): column in characters, offset in
 *  UTF-8 bytes, both counted here from `text` and the finding's UTF-16 `index`. */
export function coreShape(text, f) {
  const lineStart = text.lastIndexOf("\n", f.index - 1) + 1;
  return {
    line: f.line,
    column: [...text.slice(lineStart, f.index)].length + 1,
    offset: Buffer.byteLength(text.slice(0, f.index)),
    length: f.length,
    kind: f.kind,
    label: f.label,
    masked: f.masked,
    checksum: f.checksum,
  };
}

/** A scanText finding as `choreo token scan --json -` prints it (tests/parity.mjs compares). */
export function cliShape(text, f) {
  const { line, column, kind, label, masked, checksum } = coreShape(text, f);
  return { path: "<stdin>", line, column, kind, label, masked, checksum };
}
