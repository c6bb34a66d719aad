// What the server knows beyond the open file: Eips in workspace files on disk that are not
// open, and the live cluster facts the client sends with the openelb/clusterFacts notification.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { ensureBuilt, LspClient, positionOf, PUSH_CAPABILITIES } from '../harness/support/lspClient';
import { layer2Eip } from './samples';

before(() => ensureBuilt());

describe('workspace folder', () => {
  let dir: string;
  let c: LspClient;
  let diskUri: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'openelb-lsp-'));
    // The Eip on disk: never opened. Its address is on line 5, from character 11.
    const disk = join(dir, 'pools', 'on-disk.yaml');
    writeFileSync(join(dir, 'unrelated.yaml'), 'kind: ConfigMap\ndata: {address: 10.50.0.1}\n');
    mkdirSync(join(dir, 'pools'));
    writeFileSync(disk, layer2Eip('on-disk', '10.50.0.0/24'));
    diskUri = pathToFileURL(disk).toString();
    c = LspClient.start();
    await c.initialize(PUSH_CAPABILITIES, { workspaceFolders: [{ uri: pathToFileURL(dir).toString(), name: 'ws' }], initializationOptions: { debounceMs: 0 } });
  });
  after(async () => {
    await c.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  test("an open Eip overlapping a file on disk gets eip-overlap naming it, with the disk file's location", async () => {
    const uri = pathToFileURL(join(dir, 'open.yaml')).toString();
    const text = layer2Eip('opened', '10.50.0.128/25');
    c.open(uri, text);
    // Indexing runs after `initialized`; the server re-publishes when it finds the file.
    const diags = await c.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'eip-overlap'));
    assert.equal(diags.length, 1);
    const [d] = diags;
    assert.equal(d.severity, 1);
    assert.deepEqual(d.range, { start: positionOf(text, '10.50.0.128/25'), end: positionOf(text, '10.50.0.128/25', 0, 14) });
    assert.match(d.message, /overlaps 'on-disk' \(10\.50\.0\.0\/24, in on-disk\.yaml; shared: 10\.50\.0\.128-10\.50\.0\.255\)/);
    assert.deepEqual(d.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line, r.location.range.start.character]), [[diskUri, 5, 11]]);
  });

  test('the workspace Eip is offered in a Service annotation', async () => {
    const uri = pathToFileURL(join(dir, 'svc.yaml')).toString();
    const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  annotations:\n    lb.kubesphere.io/v1alpha1: openelb\n    eip.openelb.kubesphere.io/v1alpha2: \nspec:\n  type: LoadBalancer\n';
    c.open(uri, text);
    const items = await c.completion(uri, { line: 6, character: 40 });
    assert.ok(items.some((i) => i.label === 'on-disk'), `on-disk offered; got ${items.map((i) => i.label)}`);
  });

  test('deleting the file on disk (didChangeWatchedFiles) removes the overlap', async () => {
    const uri = pathToFileURL(join(dir, 'open.yaml')).toString();
    unlinkSync(new URL(diskUri));
    c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: diskUri, type: 3 }] });
    assert.deepEqual(await c.waitForDiagnostics(uri, (d) => d.length === 0), []);
  });

  test('a new file on disk (didChangeWatchedFiles created) is indexed', async () => {
    const uri = pathToFileURL(join(dir, 'open.yaml')).toString();
    const created = join(dir, 'created.yml');
    writeFileSync(created, layer2Eip('created', '10.50.0.200'));
    c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(created).toString(), type: 1 }] });
    const diags = await c.waitForDiagnostics(uri, (d) => d.length > 0);
    assert.deepEqual(diags.map((d) => d.code), ['eip-overlap']);
    assert.match(diags[0].message, /'created' \(10\.50\.0\.200, in created\.yml/);
  });
});

describe('closed documents', () => {
  test('closing a never-saved Eip removes its overlap from the other open file', async () => {
    const c = LspClient.start();
    try {
      await c.initialize(PUSH_CAPABILITIES, { initializationOptions: { debounceMs: 0 } });
      const unsaved = 'file:///nowhere/unsaved.yaml';
      const other = 'file:///nowhere/other.yaml';
      c.open(unsaved, layer2Eip('unsaved', '10.80.0.0/24'));
      c.open(other, layer2Eip('other', '10.80.0.5'));
      await c.waitForDiagnostics(other, (d) => d.some((x) => x.code === 'eip-overlap'));
      c.close(unsaved);
      // The text died with the editor (there is no file on disk): the overlap must go.
      assert.deepEqual(await c.waitForDiagnostics(other, (d) => d.length === 0, 5000), []);
    } finally {
      await c.shutdown();
    }
  });
});

describe('openelb/clusterFacts', () => {
  let c: LspClient;
  const uri = 'file:///work/cluster.yaml';
  const text = layer2Eip('mine', '10.60.0.0/24', 'eth0');
  const facts = (over: Record<string, unknown>) => ({ context: 'kind-test', eips: [], nodes: [], services: [], ...over });
  before(async () => {
    c = LspClient.start();
    await c.initialize(PUSH_CAPABILITIES, { initializationOptions: { debounceMs: 0 } });
    c.open(uri, text);
    assert.deepEqual(await c.waitForDiagnostics(uri), [], 'clean without cluster facts');
  });
  after(async () => {
    assert.equal(await c.shutdown(), 0, c.stderr);
  });

  test('a cluster Eip overlapping the open one: eip-overlap', async () => {
    // JSON facts, as a client sends them: no parsed pool, only the address.
    c.notify('openelb/clusterFacts', facts({ eips: [{ name: 'live', address: '10.60.0.10-10.60.0.20', isDefault: false, source: 'cluster' }] }));
    const diags = await c.waitForDiagnostics(uri, (d) => d.length > 0);
    assert.deepEqual(diags.map((d) => [d.code, d.severity, d.range.start.line, d.range.start.character]), [['eip-overlap', 1, 5, 11]]);
    assert.match(diags[0].message, /'live' \(10\.60\.0\.10-10\.60\.0\.20, in the cluster; shared: 10\.60\.0\.10-10\.60\.0\.20\)/);
  });

  test('the same Eip in the cluster (same name) is not an overlap with itself', async () => {
    c.notify('openelb/clusterFacts', facts({ eips: [{ name: 'mine', address: '10.60.0.0/24', isDefault: false, source: 'cluster' }] }));
    assert.deepEqual(await c.waitForDiagnostics(uri, (d) => d.length === 0), []);
  });

  test('nodes lacking the interface: eip-interface-missing naming them', async () => {
    c.notify('openelb/clusterFacts', facts({
      nodes: [
        { name: 'node-a', interfaces: [{ name: 'eth0', addresses: ['10.60.0.2/24'] }] },
        { name: 'node-b', interfaces: [{ name: 'ens3', addresses: ['10.60.0.3/24'] }] },
      ],
    }));
    const diags = await c.waitForDiagnostics(uri, (d) => d.length > 0);
    const itf = positionOf(text, 'eth0');
    assert.deepEqual(diags.map((d) => [d.code, d.severity, d.range]), [['eip-interface-missing', 2, { start: itf, end: { line: itf.line, character: itf.character + 4 } }]]);
    assert.match(diags[0].message, /node node-b/);
    assert.doesNotMatch(diags[0].message, /node-a/);
  });

  test('null facts (disconnected) clear what the cluster caused', async () => {
    c.notify('openelb/clusterFacts', null);
    assert.deepEqual(await c.waitForDiagnostics(uri, (d) => d.length === 0), []);
  });

  test('malformed facts do not break the server', async () => {
    c.notify('openelb/clusterFacts', { eips: 'not a list', nodes: 7 });
    c.notify('openelb/clusterFacts', 42);
    const h = await c.hover(uri, positionOf(text, '10.60.0.0/24', 0, 2));
    assert.ok(c.alive);
    assert.ok(h === null || typeof h === 'object');
    c.notify('openelb/clusterFacts', null);
    c.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '' }]);
    assert.deepEqual(await c.waitForCurrentDiagnostics(uri), [], 'still validates after bad facts');
  });
});
