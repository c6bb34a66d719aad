// Completion, hover, quick fixes, symbols and inlay hints of the pure service.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TextEdit } from 'vscode-languageserver-types';
import { checkObject } from '@openelb/core/checkObject';
import { OpenElbLanguageService } from '@openelb/core/languageService';
import { LineIndex } from '@openelb/core/model/lineIndex';

const URI = 'file:///t.yaml';

/** Finds `|` in the text: returns the text without it and the cursor position. */
function cursor(src: string) {
  const offset = src.indexOf('|');
  const text = src.slice(0, offset) + src.slice(offset + 1);
  return { text, pos: new LineIndex(text).position(offset) };
}

function apply(text: string, edits: TextEdit[]): string {
  const li = new LineIndex(text);
  return [...edits].sort((a, b) => li.offset(b.range.start) - li.offset(a.range.start))
    .reduce((t, e) => t.slice(0, li.offset(e.range.start)) + e.newText + t.slice(li.offset(e.range.end)), text);
}

const EIP = 'apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: a\nspec:\n';

describe('completion', () => {
  it('offers Eip spec keys with documentation, required first, minus those present', () => {
    const { text, pos } = cursor(`${EIP}  address: 10.0.0.1\n  |`);
    const items = new OpenElbLanguageService().complete(URI, text, pos);
    const labels = items.map((i) => i.label);
    assert.ok(labels.includes('protocol') && labels.includes('interface') && labels.includes('namespaces'));
    assert.ok(!labels.includes('address'), 'address is already there');
    const proto = items.find((i) => i.label === 'protocol')!;
    assert.match(JSON.stringify(proto.documentation), /layer2/);
  });
  it('works on a half-typed document with a syntax error elsewhere', () => {
    const { text, pos } = cursor(`${EIP}  address: [10.0\n  proto|`);
    const labels = new OpenElbLanguageService().complete(URI, text, pos).map((i) => i.label);
    assert.ok(labels.includes('protocol'));
  });
  it('offers enum values, kinds, apiVersions, and nested keys in lists', () => {
    const s = new OpenElbLanguageService();
    let c = cursor(`${EIP}  protocol: |`);
    assert.deepEqual(s.complete(URI, c.text, c.pos).map((i) => i.label), ['bgp', 'layer2', 'vip']);
    c = cursor('apiVersion: network.kubesphere.io/v1alpha2\nkind: |');
    assert.deepEqual(s.complete(URI, c.text, c.pos).map((i) => i.label), ['Eip', 'BgpConf', 'BgpPeer']);
    c = cursor('apiVersion: |');
    assert.deepEqual(s.complete(URI, c.text, c.pos).map((i) => i.label), ['network.kubesphere.io/v1alpha2', 'network.kubesphere.io/v1alpha1']);
    c = cursor('apiVersion: network.kubesphere.io/v1alpha2\nkind: BgpPeer\nspec:\n  afiSafis:\n    - config:\n        family:\n          afi: |');
    assert.ok(s.complete(URI, c.text, c.pos).some((i) => i.label === 'AFI_IP6'));
    c = cursor('apiVersion: network.kubesphere.io/v1alpha2\nkind: BgpPeer\nspec:\n  afiSafis:\n    - |');
    assert.ok(s.complete(URI, c.text, c.pos).some((i) => i.label === 'mpGracefulRestart'));
  });
  it('offers Eip names from this file and the workspace in a Service annotation', () => {
    const s = new OpenElbLanguageService();
    s.indexWorkspaceFile('file:///other.yaml', `${EIP.replace('name: a', 'name: pool-ws')}  address: 10.9.0.0/24\n`);
    const { text, pos } = cursor(`${EIP}  address: 10.0.0.1\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  annotations:\n    lb.kubesphere.io/v1alpha1: openelb\n    eip.openelb.kubesphere.io/v1alpha2: |`);
    assert.deepEqual(s.complete(URI, text, pos).map((i) => i.label).sort(), ['a', 'pool-ws']);
  });
  it('offers templates in an empty document', () => {
    const { text, pos } = cursor(`${EIP}  address: 10.0.0.1\n---\n|`);
    const labels = new OpenElbLanguageService().complete(URI, text, pos).map((i) => i.label);
    assert.ok(labels.includes('Eip (layer2)') && labels.includes('BgpConf') && labels.includes('Service (OpenELB LoadBalancer)'));
  });
});

describe('hover, symbols, inlay hints', () => {
  it('hover on an address shows the pool size and first/last IP', () => {
    const { text, pos } = cursor(`${EIP}  address: 10.0.0.0/2|2\n`);
    const h = new OpenElbLanguageService().hover(URI, text, pos);
    const v = JSON.stringify(h?.contents);
    assert.match(v, /1,024/);
    assert.match(v, /10\.0\.0\.0/);
    assert.match(v, /10\.0\.3\.255/);
  });
  it('document symbols are Kind/name, inlay hints give pool sizes', () => {
    const text = `${EIP}  address: 10.0.0.0/30\n---\n${EIP.replace('name: a', 'name: b')}  address: 2001:db8::/66\n`;
    const s = new OpenElbLanguageService();
    assert.deepEqual(s.symbols(URI, text).map((x) => x.name), ['Eip/a', 'Eip/b']);
    const hints = s.inlayHints(URI, text, { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } });
    assert.deepEqual(hints.map((h) => h.label), ['4 IPs', '2^62 IPs']);
  });
});

describe('quick fixes produce the intended text', () => {
  const fix = (src: string, title: RegExp) => {
    const s = new OpenElbLanguageService();
    const actions = s.codeActions(URI, src, { start: { line: 0, character: 0 }, end: { line: 999, character: 0 } });
    const a = actions.find((x) => title.test(x.title));
    assert.ok(a, `no action ${title} among ${actions.map((x) => x.title).join(' | ')}`);
    return apply(src, a.edit!.changes![URI]);
  };
  it('swaps a reversed range', () => {
    assert.match(fix(`${EIP}  address: 10.0.0.9-10.0.0.1\n`, /Swap/), /address: 10\.0\.0\.1-10\.0\.0\.9\n/);
  });
  it('adds interface under protocol with the same indentation (CRLF kept)', () => {
    const out = fix(`${EIP}  address: 10.0.0.1\n  protocol: layer2\n`.replace(/\n/g, '\r\n'), /Add interface/);
    assert.match(out, /protocol: layer2\r\n  interface: eth0\r\n/);
  });
  it('renames a typo and migrates v1alpha1 to v1alpha2', () => {
    assert.match(fix(`${EIP}  adress: 10.0.0.1\n`, /Rename 'adress'/), /\n {2}address: 10\.0\.0\.1/);
    const v1 = 'apiVersion: network.kubesphere.io/v1alpha1\nkind: BgpConf\nmetadata:\n  name: default\nspec:\n  as: 1\n  port: 179\n  routerID: 1.1.1.1\n';
    const out = fix(v1, /Migrate/);
    assert.equal(out, v1.replace('v1alpha1', 'v1alpha2').replace('port:', 'listenPort:').replace('routerID', 'routerId'));
    assert.deepEqual(new OpenElbLanguageService().validate(URI, out), []);
  });
  it('removes a status block', () => {
    const out = fix(`${EIP}  address: 10.0.0.1\nstatus:\n  usage: 1\n  poolSize: 1\n`, /Remove the status/);
    assert.equal(out, `${EIP}  address: 10.0.0.1\n`);
  });
});

describe('checkObject (the runtime uses the same rules)', () => {
  it('reports rule ids and paths for an object from the API server', () => {
    const problems = checkObject({ apiVersion: 'network.kubesphere.io/v1alpha2', kind: 'Eip', metadata: { name: 'x', resourceVersion: '1', uid: 'u' }, spec: { address: '10.0.0.9-10.0.0.1', protocol: 'layer2' }, status: { usage: 2 } });
    assert.deepEqual(problems.map((p) => `${p.code} ${p.path}`).sort(), ['eip-address-range-reversed spec.address', 'eip-interface-required spec.interface']);
    assert.deepEqual(checkObject({ apiVersion: 'network.kubesphere.io/v1alpha2', kind: 'Eip', metadata: { name: 'ok' }, spec: { address: '10.0.0.0/24' } }), []);
  });
});
