// Problems for every OpenELB file of the workspace, open or not (workspaceDiagnostics.ts): the
// same findings as `openelb lint`, kept current on disk changes, limited by openelb.problems.scope,
// and never in the way of completion while a large workspace is scanned.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { lint, type LintRow } from '../../server/src/cli/lint';
import { ensureBuilt, LspClient, PUSH_CAPABILITIES, PULL_CAPABILITIES } from '../harness/support/lspClient';
import { poll } from '../harness/support/poll';
import { layer2Eip, MISTAKES, VALID } from './samples';

before(() => ensureBuilt());

const PASS_DONE = /^workspace problems: pass done/;
const uriOf = (path: string) => pathToFileURL(path).toString();
// Names listed after "Known:" come in the order files were read (the scan's directory order, or
// lint's argument order): compare them as a set.
const sameOrder = (message: string) => message.replace(/Known: (.*)$/, (_, names: string) => `Known: ${names.split(', ').sort().join(', ')}`);
const summary = (ds: Diagnostic[]) => ds.map((d) => sameOrder(`${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`)).sort();
const lintSummary = (rows: LintRow[], file: string) => rows.filter((r) => r.file === file).map((r) => sameOrder(`${r.line}:${r.column} ${r.code} ${r.message}`)).sort();
const lintRows = (files: string[]) => {
  let json = '';
  lint(['--format', 'json', ...files], (s) => { json += s; }, () => undefined);
  return JSON.parse(json) as LintRow[];
};

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'openelb-wsp-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

async function serve(dir: string, options: Record<string, unknown> = {}, caps = PUSH_CAPABILITIES): Promise<LspClient> {
  const c = LspClient.start();
  await c.initialize(caps, { workspaceFolders: [{ uri: uriOf(dir), name: 'ws' }], initializationOptions: { debounceMs: 0, fileEventsDebounceMs: 50, ...options } });
  return c;
}

const passes = (c: LspClient) => c.logs.filter((l) => PASS_DONE.test(l.message)).length;
/** Log lines wake no waiter in LspClient: poll for the end of a validation pass. */
const passDone = (c: LspClient, timeoutMs = 20_000) => poll('the end of a validation pass', () => passes(c) > 0, { timeoutMs, everyMs: 20 });

describe('files never opened', () => {
  let dir: string;
  let c: LspClient;
  const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    lb.kubesphere.io/v1alpha1: openelb\n    eip.openelb.kubesphere.io/v1alpha2: nowhere\nspec:\n  type: LoadBalancer\n';
  before(async () => {
    dir = workspace({
      'mistakes.yaml': MISTAKES, 'valid.yaml': VALID, 'apps/web.yaml': SERVICE,
      'pools/a.yaml': layer2Eip('a', '10.1.0.0/24'), 'pools/b.yml': layer2Eip('b', '10.1.0.200-10.1.1.10'),
      'node_modules/dep/eip.yaml': MISTAKES, '.git/eip.yaml': MISTAKES, 'other.yaml': 'kind: ConfigMap\n',
    });
    c = await serve(dir);
  });
  after(async () => {
    await c.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  test('each gets what `openelb lint` reports for the workspace, cross-file overlaps included', async () => {
    const files = ['mistakes.yaml', 'valid.yaml', 'apps/web.yaml', 'pools/a.yaml', 'pools/b.yml'].map((f) => join(dir, f));
    const rows = lintRows(files);
    await passDone(c);
    for (const f of files) {
      const expected = lintSummary(rows, f);
      const got = c.published.get(uriOf(f))?.at(-1)?.diagnostics ?? [];
      assert.deepEqual(summary(got), expected, f);
    }
    assert.ok(rows.some((r) => r.code === 'eip-overlap' && r.file.endsWith('a.yaml')), 'the overlap across files is among them');
    assert.ok(rows.some((r) => r.file.endsWith('web.yaml')), 'the Service is among them');
    for (const f of ['node_modules/dep/eip.yaml', '.git/eip.yaml', 'other.yaml']) assert.equal(c.published.get(uriOf(join(dir, f))), undefined, f);
  });

  test('the open buffer wins; on close the on-disk problems come back', async () => {
    const uri = uriOf(join(dir, 'mistakes.yaml'));
    c.open(uri, VALID);
    assert.deepEqual(await c.waitForCurrentDiagnostics(uri), []);
    c.close(uri);
    const back = await c.waitForDiagnostics(uri, (d) => d.length > 0);
    const f = join(dir, 'mistakes.yaml');
    const all = ['mistakes.yaml', 'valid.yaml', 'apps/web.yaml', 'pools/a.yaml', 'pools/b.yml'].map((x) => join(dir, x));
    assert.deepEqual(summary(back), lintSummary(lintRows(all), f));
  });

  test('a file the scan skips (node_modules) shows problems while open, none once closed', async () => {
    const uri = uriOf(join(dir, 'node_modules/dep/eip.yaml'));
    c.open(uri, MISTAKES);
    assert.ok((await c.waitForCurrentDiagnostics(uri)).length >= 5);
    c.close(uri);
    assert.deepEqual(await c.waitForDiagnostics(uri, (d) => d.length === 0), []);
  });

  test('a change on disk updates the problems, and the files that overlapped it', async () => {
    const b = join(dir, 'pools/b.yml');
    writeFileSync(b, layer2Eip('b', '10.2.0.0/24'));
    c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(b), type: 2 }] });
    assert.deepEqual(await c.waitForDiagnostics(uriOf(join(dir, 'pools/a.yaml')), (d) => d.length === 0), []);
    assert.deepEqual(await c.waitForDiagnostics(uriOf(b), (d) => d.length === 0), []);
    writeFileSync(b, layer2Eip('b', '10.2.0.9-10.2.0.1'));
    c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(b), type: 2 }] });
    const diags = await c.waitForDiagnostics(uriOf(b), (d) => d.length > 0);
    assert.deepEqual(diags.map((d) => d.code), lintRows([join(dir, 'pools/a.yaml'), b]).filter((r) => r.file === b).map((r) => r.code));
  });

  test('a new file on disk is checked; a deleted one is cleared', async () => {
    const f = join(dir, 'new', 'mistakes.yaml');
    mkdirSync(join(dir, 'new'));
    writeFileSync(f, MISTAKES);
    c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(f), type: 1 }] });
    assert.ok((await c.waitForDiagnostics(uriOf(f), (d) => d.length > 0)).length >= 5);
    unlinkSync(f);
    c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(f), type: 3 }] });
    assert.deepEqual(await c.waitForDiagnostics(uriOf(f), (d) => d.length === 0), []);
  });
});

describe('pull clients (VS Code)', () => {
  test('opening a file withdraws its pushed disk problems (the pulled ones replace them); closing brings them back', async () => {
    const dir = workspace({ 'mistakes.yaml': MISTAKES });
    const uri = uriOf(join(dir, 'mistakes.yaml'));
    const c = await serve(dir, {}, PULL_CAPABILITIES);
    try {
      const disk = await c.waitForDiagnostics(uri, (d) => d.length > 0, 20_000);
      c.open(uri, VALID);
      assert.deepEqual(await c.waitForDiagnostics(uri, (d) => d.length === 0), []);
      assert.deepEqual(await c.pullDiagnostics(uri), []);
      c.close(uri);
      assert.deepEqual(summary(await c.waitForDiagnostics(uri, (d) => d.length > 0)), summary(disk));
    } finally {
      await c.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('openelb.problems.scope', () => {
  test('"openFiles" publishes nothing for closed files, yet their Eips still count', async () => {
    const dir = workspace({ 'mistakes.yaml': MISTAKES, 'a.yaml': layer2Eip('a', '10.1.0.0/24') });
    const c = await serve(dir, { problemsScope: 'openFiles' });
    try {
      await passDone(c);
      assert.deepEqual([...c.published.keys()], []);
      const open = uriOf(join(dir, 'open.yaml'));
      c.open(open, layer2Eip('o', '10.1.0.128/25'));
      assert.deepEqual((await c.waitForDiagnostics(open, (d) => d.length > 0)).map((d) => d.code), ['eip-overlap']);
      assert.deepEqual([...c.published.keys()], [open]);
    } finally {
      await c.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('switching to "openFiles" (didChangeConfiguration) clears closed files; back to "workspace" shows them', async () => {
    const dir = workspace({ 'mistakes.yaml': MISTAKES });
    const uri = uriOf(join(dir, 'mistakes.yaml'));
    const c = await serve(dir, {}, PULL_CAPABILITIES);
    try {
      await c.waitForDiagnostics(uri, (d) => d.length > 0, 20_000);
      c.notify('workspace/didChangeConfiguration', { settings: { openelb: { problems: { scope: 'openFiles' } } } });
      assert.deepEqual(await c.waitForDiagnostics(uri, (d) => d.length === 0), []);
      c.notify('workspace/didChangeConfiguration', { settings: { openelb: { problems: { scope: 'workspace' } } } });
      assert.ok((await c.waitForDiagnostics(uri, (d) => d.length > 0)).length >= 5);
    } finally {
      await c.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('large workspaces', () => {
  test('a file over the size cap is skipped, and a log line names it', async () => {
    const big = `${MISTAKES}---\n# ${'x'.repeat(5_100_000)}\n`;
    const dir = workspace({ 'huge.yaml': big, 'small.yaml': MISTAKES });
    const c = await serve(dir);
    try {
      await passDone(c);
      assert.ok(c.logs.some((l) => l.message.includes(`skipped ${join(dir, 'huge.yaml')} (${big.length} bytes; files over 5000000 bytes are not checked)`)), c.logs.map((l) => l.message).join('\n'));
      assert.deepEqual([...c.published.keys()], [uriOf(join(dir, 'small.yaml'))]);
    } finally {
      await c.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a burst of 500 file events (a branch switch) is coalesced into a few batches, none lost', async () => {
    const dir = workspace({ 'seed.yaml': layer2Eip('seed', '10.9.0.1') });
    const c = await serve(dir, { fileEventsDebounceMs: 200 });
    try {
      await passDone(c);
      const uris: string[] = [];
      for (let i = 0; i < 500; i++) {
        const f = join(dir, `branch-${i}.yaml`);
        writeFileSync(f, `${layer2Eip(`e${i}`, `10.${10 + (i >> 8)}.${i & 255}.9-10.${10 + (i >> 8)}.${i & 255}.1`)}`);
        uris.push(uriOf(f));
      }
      for (const uri of uris) c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri, type: 1 }] });
      await c.waitFor(() => (uris.every((u) => c.published.get(u)?.at(-1)?.diagnostics.length) ? true : undefined), 30_000, 'problems of all 500 files');
      const batches = c.logs.map((l) => /workspace problems: (\d+) file events/.exec(l.message)).filter((m) => m !== null).map((m) => Number(m[1]));
      assert.equal(batches.reduce((a, b) => a + b, 0), 500, `every event counted once: ${batches}`);
      assert.ok(batches.length <= 10, `500 events in ${batches.length} batches`);
      for (const u of uris) assert.equal(c.published.get(u)!.length, 1, `${u} published once`);
    } finally {
      await c.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('completion answers while a 2,000-file scan is still validating', async () => {
    const files: Record<string, string> = {};
    for (let f = 0; f < 2000; f++) {
      const docs: string[] = [];
      for (let d = 0; d < 20; d++) {
        const n = f * 20 + d;
        // One Eip in ten has its range reversed, so files have problems to publish.
        const base = `10.${n >> 16}.${(n >> 8) & 255}.${n & 255}`;
        docs.push(layer2Eip(`e${n}`, d % 10 ? base : `${base}-10.0.0.0`).trimEnd());
      }
      files[`dir${f % 40}/f${f}.yaml`] = docs.join('\n---\n') + '\n';
    }
    const dir = workspace(files);
    const c = await serve(dir, { fileEventsDebounceMs: 50 });
    try {
      // The first problems of a file never opened: the validation pass has begun.
      await c.waitFor(() => ([...c.published.keys()].length ? true : undefined), 60_000, 'the first problems');
      const open = uriOf(join(dir, 'svc.yaml'));
      c.open(open, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  annotations:\n    lb.kubesphere.io/v1alpha1: openelb\n    eip.openelb.kubesphere.io/v1alpha2: \nspec:\n  type: LoadBalancer\n');
      const items = await c.completion(open, { line: 6, character: 40 });
      const doneWhenAnswered = passes(c);
      const publishedWhenAnswered = [...c.published.keys()].length;
      assert.ok(items.length > 0, 'completion offers items');
      assert.equal(doneWhenAnswered, 0, 'completion was answered before the scan ended');
      await passDone(c, 120_000);
      assert.ok(publishedWhenAnswered < 2000, `${publishedWhenAnswered} files published when completion answered`);
      assert.equal([...c.published.keys()].filter((u) => u !== open).length, 2000);
    } finally {
      await c.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
