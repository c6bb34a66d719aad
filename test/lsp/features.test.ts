// Editor features over the real protocol: completion, hover, code actions (applied to the text),
// document symbols and inlay hints.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CompletionItem, MarkupContent } from 'vscode-languageserver-protocol';
import { ensureBuilt, LspClient, positionOf, PUSH_CAPABILITIES } from '../harness/support/lspClient';
import { MISTAKES, V1ALPHA1_BGPCONF, V1ALPHA1_BGPCONF_MIGRATED } from './samples';

const EIP_HEAD = 'apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: e1\n';
const labels = (items: CompletionItem[]) => items.map((i) => i.label);
const docText = (i: CompletionItem | undefined) => (typeof i?.documentation === 'string' ? i.documentation : i?.documentation?.value ?? '');

let c: LspClient;
let n = 0;
/** Opens a fresh document and returns its URI. */
function openDoc(text: string): string {
  const uri = `file:///work/features-${++n}.yaml`;
  c.open(uri, text);
  return uri;
}

before(async () => {
  ensureBuilt();
  c = LspClient.start();
  await c.initialize(PUSH_CAPABILITIES, { initializationOptions: { debounceMs: 0 } });
});
after(async () => {
  assert.equal(await c.shutdown(), 0, c.stderr);
});

describe('completion', () => {
  test('under spec: of an Eip, the Eip fields with their documentation', async () => {
    const uri = openDoc(`${EIP_HEAD}spec:\n  \n`);
    const items = await c.completion(uri, { line: 5, character: 2 });
    for (const f of ['address', 'protocol', 'interface']) assert.ok(labels(items).includes(f), `${f} offered; got ${labels(items)}`);
    assert.ok(!labels(items).includes('peerAs'), 'BgpPeer fields are not offered in an Eip');
    const address = items.find((i) => i.label === 'address');
    assert.match(docText(address), /CIDR/, 'address comes with documentation');
    assert.match(docText(items.find((i) => i.label === 'protocol')), /bgp/);
    assert.equal(address?.textEdit && 'newText' in address.textEdit ? address.textEdit.newText : address?.insertText, 'address: ');
  });

  test('the value of protocol: bgp, layer2, vip', async () => {
    const uri = openDoc(`${EIP_HEAD}spec:\n  address: 10.0.0.1\n  protocol: \n`);
    assert.deepEqual(labels(await c.completion(uri, { line: 6, character: 12 })).sort(), ['bgp', 'layer2', 'vip']);
  });

  test('apiVersion and kind values', async () => {
    const a = openDoc('apiVersion: \n');
    assert.deepEqual(labels(await c.completion(a, { line: 0, character: 12 })).sort(), ['network.kubesphere.io/v1alpha1', 'network.kubesphere.io/v1alpha2']);
    const k = openDoc('apiVersion: network.kubesphere.io/v1alpha2\nkind: \n');
    assert.deepEqual(labels(await c.completion(k, { line: 1, character: 6 })).sort(), ['BgpConf', 'BgpPeer', 'Eip']);
  });

  test("Eip names in a Service's eip.openelb.kubesphere.io/v1alpha2 annotation", async () => {
    const text = `${EIP_HEAD.replace('e1', 'pool-one')}spec:\n  address: 10.0.0.0/24\n---\n${EIP_HEAD.replace('e1', 'pool-two')}spec:\n  address: 10.0.1.0/24\n---\n` +
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    lb.kubesphere.io/v1alpha1: openelb\n    eip.openelb.kubesphere.io/v1alpha2: \nspec:\n  type: LoadBalancer\n';
    const uri = openDoc(text);
    const at = positionOf(text, 'eip.openelb.kubesphere.io/v1alpha2: ', 0, 'eip.openelb.kubesphere.io/v1alpha2: '.length);
    const got = labels(await c.completion(uri, at));
    assert.ok(got.includes('pool-one') && got.includes('pool-two'), `both Eips of the file offered; got ${got}`);
  });
});

describe('hover', () => {
  test('on an Eip address: pool size, first and last IP', async () => {
    const uri = openDoc(MISTAKES);
    const h = await c.hover(uri, positionOf(MISTAKES, '172.16.0.0/28', 0, 4));
    const value = (h?.contents as MarkupContent).value;
    assert.match(value, /\*\*16\*\* addresses/);
    assert.match(value, /first `172\.16\.0\.0`/);
    assert.match(value, /last `172\.16\.0\.15`/);
    assert.deepEqual(h?.range, { start: { line: 27, character: 11 }, end: { line: 27, character: 24 } });
  });

  test('on a range: its size is counted inclusively', async () => {
    const uri = openDoc(MISTAKES);
    const h = await c.hover(uri, positionOf(MISTAKES, '172.16.0.10-172.16.0.20', 0, 2));
    assert.match((h?.contents as MarkupContent).value, /\*\*11\*\* addresses/);
  });
});

describe('code actions', () => {
  test('swap a reversed range', async () => {
    const uri = openDoc(MISTAKES);
    const at = positionOf(MISTAKES, '192.168.0.20-192.168.0.10', 0, 3);
    const actions = await c.codeActions(uri, { start: at, end: at });
    const swap = actions.find((a) => a.title.startsWith('Swap'));
    assert.ok(swap, `a swap action; got ${actions.map((a) => a.title)}`);
    assert.equal(swap.kind, 'quickfix');
    assert.equal(swap.isPreferred, true);
    assert.equal(swap.diagnostics?.[0]?.code, 'eip-address-range-reversed');
    const fixed = c.applyAction(uri, swap);
    assert.equal(fixed, MISTAKES.replace('192.168.0.20-192.168.0.10', '192.168.0.10-192.168.0.20'));
    // Send the fixed text to the server: that diagnostic goes away.
    c.replaceAll(uri, fixed);
    const diags = await c.waitForCurrentDiagnostics(uri);
    assert.ok(!diags.some((d) => d.code === 'eip-address-range-reversed'));
  });

  test('add the interface a layer2 Eip needs', async () => {
    const uri = openDoc(MISTAKES);
    const at = positionOf(MISTAKES, 'layer2', 0, 1);
    const add = (await c.codeActions(uri, { start: at, end: at })).find((a) => /interface/.test(a.title));
    assert.ok(add, 'an add-interface action');
    assert.equal(c.applyAction(uri, add), MISTAKES.replace('  protocol: layer2\n', '  protocol: layer2\n  interface: eth0\n'));
  });

  test('migrate v1alpha1 to v1alpha2, renaming fields', async () => {
    const uri = openDoc(V1ALPHA1_BGPCONF);
    const actions = await c.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    const migrate = actions.find((a) => /Migrate/.test(a.title));
    assert.ok(migrate, `a migrate action; got ${actions.map((a) => a.title)}`);
    assert.equal(migrate.kind, 'refactor.rewrite');
    const migrated = c.applyAction(uri, migrate);
    assert.equal(migrated, V1ALPHA1_BGPCONF_MIGRATED);
    c.replaceAll(uri, migrated);
    assert.deepEqual(await c.waitForCurrentDiagnostics(uri), [], 'the migrated document is clean');
  });

  test('no actions where nothing is wrong', async () => {
    const uri = openDoc(MISTAKES);
    const at = positionOf(MISTAKES, 'name: pool-a', 0, 7);
    assert.deepEqual(await c.codeActions(uri, { start: at, end: at }), []);
  });
});

describe('symbols and inlay hints', () => {
  test('one symbol per document, named Kind/name', async () => {
    const uri = openDoc(MISTAKES);
    const syms = await c.symbols(uri);
    assert.deepEqual(syms.map((s) => s.name), ['Eip/reversed', 'Eip/l2', 'Eip/typo', 'Eip/pool-a', 'Eip/pool-b', 'Service/web', 'Deployment/app']);
    const poolA = syms[3];
    assert.deepEqual(poolA.selectionRange, { start: { line: 25, character: 8 }, end: { line: 25, character: 14 } }, 'selection is the name');
    assert.equal(poolA.detail, 'network.kubesphere.io/v1alpha2');
    for (const s of syms) {
      assert.ok(s.range.start.line <= s.selectionRange.start.line && s.range.end.line >= s.selectionRange.end.line, `${s.name}: selection inside range`);
    }
  });

  test('pool sizes after valid addresses, only inside the requested range', async () => {
    const uri = openDoc(MISTAKES);
    const all = await c.inlayHints(uri, { start: { line: 0, character: 0 }, end: { line: 60, character: 0 } });
    assert.deepEqual(all.map((h) => [h.position.line, h.position.character, h.label]), [
      [12, 22, '256 IPs'], [27, 24, '16 IPs'], [34, 34, '11 IPs'],
    ]);
    assert.equal(all[1].tooltip, '172.16.0.0 to 172.16.0.15');
    const some = await c.inlayHints(uri, { start: { line: 20, character: 0 }, end: { line: 30, character: 0 } });
    assert.deepEqual(some.map((h) => h.label), ['16 IPs']);
  });
});
