'use strict';
// The few parts of the `vscode` API the provider touches, with scripted user answers. Only the
// editor is faked: the wasm package, the storage calls and the Choreo API server are real.

class EventEmitter {
  constructor() {
    this.listeners = new Set();
    this.event = (listener) => {
      this.listeners.add(listener);
      return { dispose: () => this.listeners.delete(listener) };
    };
  }
  fire(value) {
    for (const l of this.listeners) l(value);
  }
  dispose() {
    this.listeners.clear();
  }
}

/** VS Code's SecretStorage contract (get/store/delete/onDidChange) over a Map, with a call log. */
class SecretStorage {
  constructor() {
    this.values = new Map();
    this.calls = [];
    this.changed = new EventEmitter();
    this.onDidChange = this.changed.event;
  }
  async get(key) {
    this.calls.push(`get ${key}`);
    return this.values.get(key);
  }
  async store(key, value) {
    this.calls.push(`store ${key}`);
    this.values.set(key, value);
    this.changed.fire({ key });
  }
  async delete(key) {
    this.calls.push(`delete ${key}`);
    this.values.delete(key);
    this.changed.fire({ key });
  }
}

/**
 * A fake `vscode` module. `answers` are what the user types into successive input boxes
 * (`undefined` = Escape); each box's validation verdicts for what was typed are recorded.
 */
function fakeVscode(answers = []) {
  const shown = { errors: [], warnings: [], infos: [], inputBoxes: [] };
  const queue = answers.slice();
  const vscode = {
    EventEmitter,
    InputBoxValidationSeverity: { Info: 1, Warning: 2, Error: 3 },
    window: {
      async showInputBox(options) {
        const answer = queue.shift();
        const verdict = answer === undefined ? undefined : await options.validateInput(answer);
        shown.inputBoxes.push({ options, verdict });
        // VS Code refuses Enter while the verdict is an error; the user then gives up.
        if (verdict && verdict.severity === vscode.InputBoxValidationSeverity.Error) return undefined;
        return answer;
      },
      showErrorMessage: async (m) => void shown.errors.push(m),
      showWarningMessage: async (m) => void shown.warnings.push(m),
      showInformationMessage: async (m) => void shown.infos.push(m),
    },
  };
  return { vscode, shown };
}

/** A LogOutputChannel that keeps its lines. */
function memoryLog() {
  const lines = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
}

module.exports = { fakeVscode, SecretStorage, memoryLog };
