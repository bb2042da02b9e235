'use strict';
// A warning on every token in an open document, from @choreo/auth's scanText (core's finder:
// the same kinds and checksum rules as `choreo token scan`), and a quick fix that removes it.
// A diagnostic names the kind and the masked token, never the token itself.

const SOURCE = 'choreo';
const REMOVE_TITLE = 'Remove the token from this line';

/** The diagnostic of one scanText finding in `document`. */
function diagnosticOf(vscode, document, finding) {
  const range = new vscode.Range(
    document.positionAt(finding.index),
    document.positionAt(finding.index + finding.length),
  );
  const diagnostic = new vscode.Diagnostic(
    range,
    `${finding.label} (${finding.masked}) in this file: remove it, revoke it if it was shared, and read it from the environment instead`,
    vscode.DiagnosticSeverity.Warning,
  );
  diagnostic.source = SOURCE;
  diagnostic.code = finding.kind;
  return diagnostic;
}

/** The tokens of `document` as diagnostics (none for output channels and the like). */
function diagnosticsOf(vscode, lib, document) {
  return lib.scanText(document.getText()).map((f) => diagnosticOf(vscode, document, f));
}

/** Quick fixes for this module's diagnostics: delete the token's range. */
class TokenActions {
  constructor(vscode) {
    this.vscode = vscode;
  }
  provideCodeActions(document, _range, context) {
    const { vscode } = this;
    return context.diagnostics
      .filter((d) => d.source === SOURCE)
      .map((d) => {
        const action = new vscode.CodeAction(REMOVE_TITLE, vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        action.edit.delete(document.uri, d.range);
        action.diagnostics = [d];
        action.isPreferred = true;
        return action;
      });
  }
}

/**
 * Keeps a diagnostic collection in step with the open documents; returns its disposables.
 * Documents of every scheme but output channels are scanned: a token pasted into an untitled
 * buffer is as leaked as one in a file once that buffer is saved or shared.
 */
function registerTokenDiagnostics(vscode, lib) {
  const collection = vscode.languages.createDiagnosticCollection(SOURCE);
  const scan = (document) => {
    if (document.uri.scheme === 'output') return;
    collection.set(document.uri, diagnosticsOf(vscode, lib, document));
  };
  for (const document of vscode.workspace.textDocuments) scan(document);
  return [
    collection,
    vscode.workspace.onDidOpenTextDocument(scan),
    vscode.workspace.onDidChangeTextDocument((e) => scan(e.document)),
    vscode.workspace.onDidCloseTextDocument((document) => collection.delete(document.uri)),
    vscode.languages.registerCodeActionsProvider({ scheme: '*' }, new TokenActions(vscode), {
      providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
    }),
  ];
}

module.exports = { registerTokenDiagnostics, diagnosticsOf, TokenActions, SOURCE, REMOVE_TITLE };
