// The in-editor part of `npm run test:electron` (scripts/test-electron.mjs): runs inside desktop
// VS Code's extension host with this extension under development loaded and a copy of
// ./workspace open. VS Code calls run(); a thrown error fails the run. No mocha: a
// list of checks, each reported as TAP-like lines, then "N passed, N failed".
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'openelb-toolkit.openelb-toolkit';

async function until<T>(what: string, f: () => T | undefined, timeout = 30_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not true after ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const codeOf = (d: vscode.Diagnostic) => String(typeof d.code === 'object' ? d.code.value : d.code);

function fileUri(name: string): vscode.Uri {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  assert.ok(root, 'a workspace folder is open');
  return vscode.Uri.joinPath(root, name);
}

const CHECKS: [string, () => Promise<void>][] = [
  ['the extension activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is loaded`);
    await ext.activate();
    assert.ok(ext.isActive);
  }],
  ['every contributed command is registered', async () => {
    const contributed = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((c) => !registered.has(c)), [], 'contributed but not registered');
    assert.ok(contributed.includes('openelb.deployRuntime') && contributed.includes('openelb.removeRuntime'));
  }],
  ['a broken Eip gets its diagnostic on the right line', async () => {
    const uri = fileUri('broken.yaml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const diags = await until('an eip-address-syntax diagnostic on broken.yaml', () => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => codeOf(x) === 'eip-address-syntax');
      return d.length ? d : undefined;
    });
    assert.equal(diags[0].range.start.line, 5);
    assert.equal(diags[0].source, 'openelb');
    assert.match(diags[0].message, /300/);
  }],
  ['completion under spec offers the Eip fields', async () => {
    const uri = fileUri('pool.yaml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, new vscode.Position(6, 2));
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    for (const field of ['protocol', 'interface', 'namespaces']) assert.ok(labels.includes(field), `completion offers '${field}' (got ${labels.join(', ')})`);
  }],
  ['hover on an address shows the pool size', async () => {
    const uri = fileUri('pool.yaml');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(5, 14));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /\*\*16\*\* addresses/);
  }],
];

export async function run(): Promise<void> {
  let passed = 0;
  const failed: string[] = [];
  for (const [i, [name, check]] of CHECKS.entries()) {
    try {
      await check();
      passed++;
      console.log(`ok ${i + 1} - ${name}`);
    } catch (e) {
      failed.push(name);
      console.log(`not ok ${i + 1} - ${name}\n  ${(e as Error).message.replace(/\n/g, '\n  ')}`);
    }
  }
  console.log(`${passed} passed, ${failed.length} failed`);
  if (failed.length) throw new Error(`${failed.length} of ${CHECKS.length} checks failed: ${failed.join('; ')}`);
}
