// The in-editor part of runElectron.ts: runs inside VS Code's extension host with the extension
// under development loaded, opens the examples and checks the diagnostics and a hover.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

async function until<T>(what: string, f: () => T | undefined, timeout = 30_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not true after ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function run(): Promise<void> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  assert.ok(root, 'the examples folder is open');
  const eips = vscode.Uri.joinPath(root, 'eips.yaml');
  const doc = await vscode.workspace.openTextDocument(eips);
  await vscode.window.showTextDocument(doc);
  const diags = await until('diagnostics of eips.yaml', () => {
    const d = vscode.languages.getDiagnostics(eips);
    return d.some((x) => String(typeof x.code === 'object' ? x.code.value : x.code) === 'eip-address-syntax') ? d : undefined;
  });
  assert.equal(diags.find((d) => String(typeof d.code === 'object' ? d.code.value : d.code) === 'eip-address-syntax')?.range.start.line, 25);
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', eips, new vscode.Position(8, 15));
  const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
  assert.match(text, /\*\*10\*\* addresses/);
}
