'use strict';
// The token warnings on open documents, with the real @choreo/auth package and a fake of the
// few `vscode` parts they touch (positions, diagnostics, code actions, workspace edits).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { root } = require('../support');
const { diagnosticsOf, TokenActions, SOURCE, REMOVE_TITLE } = require('../../src/diagnostics');

// What the .vsix ships (after build.sh), else the package it is copied from.
const shipped = path.join(__dirname, '..', '..', 'dist', 'choreo-auth', 'index.js');
const lib = require(fs.existsSync(shipped) ? shipped : path.join(root, 'wasm', 'pkg', 'nodejs', 'index.js'));

const PAT = 'chp_Zq3Lm8Xw2Rt6Yv1Nb5Kc9Hd4Gf7Js00yFywZ';
const NEAR_MISS = 'chp_Zq3Lm8Aw2Rt6Yv1Nb5Kc9Hd4Gf7Js00yFywZ';
const GITHUB = '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';

class Position {
  constructor(line, character) {
    Object.assign(this, { line, character });
  }
}
const vscode = {
  Position,
  Range: class {
    constructor(start, end) {
      Object.assign(this, { start, end });
    }
  },
  Diagnostic: class {
    constructor(range, message, severity) {
      Object.assign(this, { range, message, severity });
    }
  },
  DiagnosticSeverity: { Error: 0, Warning: 1 },
  CodeActionKind: { QuickFix: 'quickfix' },
  CodeAction: class {
    constructor(title, kind) {
      Object.assign(this, { title, kind });
    }
  },
  WorkspaceEdit: class {
    constructor() {
      this.deletes = [];
    }
    delete(uri, range) {
      this.deletes.push({ uri, range });
    }
  },
};

/** A TextDocument over `text`: positionAt counts UTF-16 code units, as VS Code does. */
function documentOf(text) {
  return {
    uri: { scheme: 'file', path: '/w/settings.json' },
    getText: () => text,
    positionAt(offset) {
      const before = text.slice(0, offset);
      const line = before.split('\n').length - 1;
      return new Position(line, offset - (before.lastIndexOf('\n') + 1));
    },
  };
}

/** The text a range of `document` covers. */
function textAt(text, range) {
  const lines = text.split('\n');
  assert.equal(range.start.line, range.end.line);
  return lines[range.start.line].slice(range.start.character, range.end.character);
}

test('a warning on each token in a document, with its kind and masked form, never the token', () => {
  const text = `{\n  "token": "${PAT}",\n  "émoji 😀": "${GITHUB}"\n}\n`;
  const diagnostics = diagnosticsOf(vscode, lib, documentOf(text));
  assert.deepEqual(
    diagnostics.map((d) => [textAt(text, d.range), d.severity, d.source, d.code]),
    [
      [PAT, vscode.DiagnosticSeverity.Warning, SOURCE, 'choreo-pat'],
      [GITHUB, vscode.DiagnosticSeverity.Warning, SOURCE, 'github-classic'],
    ],
  );
  assert.deepEqual(
    diagnostics.map((d) => d.range.start),
    // 😀 is two UTF-16 code units, as VS Code counts characters.
    [new Position(1, 12), new Position(2, 15)],
  );
  assert.match(diagnostics[0].message, /^Choreo personal access token \(chp_…FywZ\) in this file: remove it/);
  for (const d of diagnostics) {
    assert.ok(!d.message.includes(PAT) && !d.message.includes(GITHUB), d.message);
  }
});

test('no warning for a near miss, a mention or an empty document', () => {
  for (const text of [`x = "${NEAR_MISS}"`, 'set CHOREO_TOKEN to your chp_ token', '']) {
    assert.deepEqual(diagnosticsOf(vscode, lib, documentOf(text)), [], text);
  }
});

test('the quick fix deletes exactly the token, for the diagnostics of this source only', () => {
  const text = `export CHOREO_TOKEN=${PAT} # mine\n`;
  const document = documentOf(text);
  const [diagnostic] = diagnosticsOf(vscode, lib, document);
  const other = { source: 'eslint', range: diagnostic.range };
  const actions = new TokenActions(vscode).provideCodeActions(document, diagnostic.range, {
    diagnostics: [other, diagnostic],
  });
  assert.equal(actions.length, 1);
  const [action] = actions;
  assert.equal(action.title, REMOVE_TITLE);
  assert.equal(action.kind, vscode.CodeActionKind.QuickFix);
  assert.deepEqual(action.diagnostics, [diagnostic]);
  assert.ok(action.isPreferred);
  assert.deepEqual(action.edit.deletes.map((d) => [d.uri, textAt(text, d.range)]), [[document.uri, PAT]]);
});
