// The language server over stdio, as an editor sees it: initialize in push and pull modes,
// exact diagnostics of a file full of mistakes, and incremental edits that fix them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { ensureBuilt, LspClient, positionOf, PULL_CAPABILITIES, PUSH_CAPABILITIES } from '../harness/support/lspClient';
import { layer2Eip, MISTAKES, MISTAKES_DEPLOYMENT_LINE, MISTAKES_EXPECTED, VALID } from './samples';

/** Diagnostics as sortable tuples: [code, severity, startLine, startChar, endLine, endChar]. */
function tuples(diags: Diagnostic[]): [string, number, number, number, number, number][] {
  return diags
    .map((d): [string, number, number, number, number, number] => [String(d.code), d.severity ?? 0, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character])
    .sort((a, b) => a[2] - b[2] || a[3] - b[3] || a[0].localeCompare(b[0]));
}

const codes = (diags: Diagnostic[]) => diags.map((d) => String(d.code)).sort();

before(() => ensureBuilt());

describe('push diagnostics', () => {
  let c: LspClient;
  const uri = 'file:///work/mistakes.yaml';
  before(async () => {
    c = LspClient.start();
    const init = await c.initialize(PUSH_CAPABILITIES);
    assert.equal(init.capabilities.diagnosticProvider, undefined, 'a push-only client must not be offered pull diagnostics');
    assert.deepEqual(init.capabilities.textDocumentSync, { openClose: true, change: 2 }, 'incremental sync');
    assert.equal(init.serverInfo?.name, 'openelb-language-server');
  });
  after(async () => {
    assert.equal(await c.shutdown(), 0, `clean exit after shutdown/exit\n${c.stderr}`);
  });

  test('a file with known mistakes gets exactly these diagnostics', async () => {
    c.open(uri, MISTAKES);
    const diags = await c.waitForCurrentDiagnostics(uri);
    assert.deepEqual(tuples(diags), MISTAKES_EXPECTED);
    for (const d of diags) assert.equal(d.source, 'openelb', `source of ${d.code}`);
    assert.ok(diags.every((d) => d.range.start.line < MISTAKES_DEPLOYMENT_LINE), "a Deployment's own 'address' field is not OpenELB's business");
    const byCode = (code: string) => diags.filter((d) => d.code === code).map((d) => d.message);
    assert.match(byCode('eip-address-range-reversed')[0], /192\.168\.0\.10-192\.168\.0\.20/, 'the message shows the right order');
    assert.match(byCode('schema-unknown-field')[0], /did you mean 'address'/);
    assert.match(byCode('service-unknown-eip')[0], /'nosuch'/);
    const overlaps = byCode('eip-overlap').sort();
    assert.match(overlaps[0], /^Eip 'pool-a'.*overlaps 'pool-b'.*172\.16\.0\.10-172\.16\.0\.15/);
    assert.match(overlaps[1], /^Eip 'pool-b'.*overlaps 'pool-a'/);
  });

  test('incremental edits fix errors one by one and the diagnostics follow', async () => {
    // 1. Swap the reversed range (a single-line replacement inside the value).
    const from = positionOf(c.text(uri), '192.168.0.20-192.168.0.10');
    c.change(uri, [{ range: { start: from, end: { line: from.line, character: from.character + 25 } }, text: '192.168.0.10-192.168.0.20' }]);
    let diags = await c.waitForCurrentDiagnostics(uri);
    assert.deepEqual(tuples(diags), MISTAKES_EXPECTED.filter((e) => e[0] !== 'eip-address-range-reversed'));

    // 2. Insert a whole line (the missing interface): every later diagnostic moves down one line.
    const protoEnd = positionOf(c.text(uri), '  protocol: layer2', 0, '  protocol: layer2'.length);
    c.change(uri, [{ range: { start: protoEnd, end: protoEnd }, text: '\n  interface: eth0' }]);
    diags = await c.waitForCurrentDiagnostics(uri);
    const shifted = MISTAKES_EXPECTED.filter((e) => e[0] !== 'eip-address-range-reversed' && e[0] !== 'eip-interface-required')
      .map(([code, sev, l1, c1, l2, c2]): (typeof MISTAKES_EXPECTED)[number] => [code, sev, l1 + 1, c1, l2 + 1, c2]);
    assert.deepEqual(tuples(diags), shifted);

    // 3. Two edits in one notification, applied in order: fix the typo, then rename the Service's Eip.
    const typo = positionOf(c.text(uri), 'adress');
    const ann = positionOf(c.text(uri), 'nosuch');
    c.change(uri, [
      { range: { start: typo, end: { line: typo.line, character: typo.character + 6 } }, text: 'address' },
      { range: { start: ann, end: { line: ann.line, character: ann.character + 6 } }, text: 'pool-a' },
    ]);
    diags = await c.waitForCurrentDiagnostics(uri);
    assert.deepEqual(codes(diags), ['eip-overlap', 'eip-overlap']);
    assert.equal(c.text(uri).includes('  address: 10.1.0.1\n'), true);

    // 4. Replace the whole text with a clean file.
    c.replaceAll(uri, VALID);
    diags = await c.waitForCurrentDiagnostics(uri);
    assert.deepEqual(diags, []);
  });

  test('closing a document clears its diagnostics', async () => {
    const u = 'file:///work/closing.yaml';
    c.open(u, MISTAKES);
    await c.waitForDiagnostics(u, (d) => d.length > 0);
    c.close(u);
    assert.deepEqual(await c.waitForDiagnostics(u, (d) => d.length === 0), []);
  });

  test('a non-OpenELB YAML file with a syntax error stays silent', async () => {
    const u = 'file:///work/other.yaml';
    c.open(u, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x\n  address: [\n');
    assert.deepEqual(await c.waitForCurrentDiagnostics(u), []);
  });
});

describe('pull diagnostics', () => {
  let c: LspClient;
  const uri = 'file:///work/pull.yaml';
  before(async () => {
    c = LspClient.start();
    const init = await c.initialize(PULL_CAPABILITIES);
    assert.ok(init.capabilities.diagnosticProvider, 'a client with textDocument.diagnostic gets a diagnosticProvider');
  });
  after(async () => {
    assert.equal(await c.shutdown(), 0);
  });

  test('textDocument/diagnostic returns the same exact diagnostics', async () => {
    c.open(uri, MISTAKES);
    assert.deepEqual(tuples(await c.pullDiagnostics(uri)), MISTAKES_EXPECTED);
    const from = positionOf(c.text(uri), '192.168.0.20-192.168.0.10');
    c.change(uri, [{ range: { start: from, end: { line: from.line, character: from.character + 25 } }, text: '192.168.0.10-192.168.0.20' }]);
    assert.deepEqual(tuples(await c.pullDiagnostics(uri)), MISTAKES_EXPECTED.filter((e) => e[0] !== 'eip-address-range-reversed'));
  });

  test('cluster facts make the server ask for a refresh; the next pull shows the overlap', async () => {
    const u = 'file:///work/pull-l2.yaml';
    c.open(u, layer2Eip('mine', '10.70.0.0/24'));
    assert.deepEqual(await c.pullDiagnostics(u), []);
    const refreshes = c.serverRequests.filter((m) => m === 'workspace/diagnostic/refresh').length;
    c.notify('openelb/clusterFacts', { context: 'test', eips: [{ name: 'live', address: '10.70.0.200', isDefault: false, source: 'cluster' }], nodes: [], services: [] });
    await c.waitFor(() => (c.serverRequests.filter((m) => m === 'workspace/diagnostic/refresh').length > refreshes ? true : undefined), 5000, 'workspace/diagnostic/refresh');
    const diags = await c.pullDiagnostics(u);
    assert.deepEqual(codes(diags), ['eip-overlap']);
    assert.match(diags[0].message, /'live' \(10\.70\.0\.200, in the cluster/);
  });

  test('nothing was pushed to a pull client', () => {
    assert.deepEqual([...c.published.keys()], []);
  });
});

describe('initializationOptions', () => {
  test('pullDiagnostics: false forces push even for a pull-capable client', async () => {
    const c = LspClient.start();
    try {
      const init = await c.initialize(PULL_CAPABILITIES, { initializationOptions: { pullDiagnostics: false, debounceMs: 0 } });
      assert.equal(init.capabilities.diagnosticProvider, undefined);
      c.open('file:///work/forced.yaml', MISTAKES);
      assert.deepEqual(tuples(await c.waitForCurrentDiagnostics('file:///work/forced.yaml')), MISTAKES_EXPECTED);
    } finally {
      await c.shutdown();
    }
  });

  test('debounce: a burst of edits is checked once, on the last text', async () => {
    const c = LspClient.start();
    try {
      await c.initialize(PUSH_CAPABILITIES, { initializationOptions: { debounceMs: 300 } });
      const u = 'file:///work/burst.yaml';
      c.open(u, VALID);
      // Ten quick edits, each appending one character to the Eip name (all within the debounce window).
      for (let i = 0; i < 10; i++) {
        const p = positionOf(c.text(u), 'name: eip-bgp', 0, 'name: eip-bgp'.length);
        c.change(u, [{ range: { start: p, end: p }, text: 'x' }]);
      }
      const diags = await c.waitForCurrentDiagnostics(u);
      assert.deepEqual(diags, []);
      assert.equal(c.published.get(u)!.length, 1, `one publication for open + 10 edits, got versions ${c.published.get(u)!.map((p) => p.version)}`);
    } finally {
      await c.shutdown();
    }
  });
});
