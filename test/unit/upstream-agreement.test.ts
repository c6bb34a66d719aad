// Where upstream OpenELB admits and serves an object, the editor may advise but must not call it
// an error; where upstream gives a Service no address, the editor says so. One case per rule.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic, TextEdit } from 'vscode-languageserver-types';
import { OpenElbLanguageService } from '@openelb/core/languageService';
import { LineIndex } from '@openelb/core/model/lineIndex';

const URI = 'file:///t.yaml';
const ERROR = 1, WARNING = 2, INFORMATION = 3;

const eip = (name: string, address: string, extra = '', annotations = '') =>
  `apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: ${name}\n${annotations ? `  annotations:\n${annotations}` : ''}spec:\n  address: ${address}\n${extra}`;
const defaultAnn = (v: string) => `    eip.openelb.kubesphere.io/is-default-eip: ${v}\n`;
const bgpConf = (spec: string) => `apiVersion: network.kubesphere.io/v1alpha2\nkind: BgpConf\nmetadata:\n  name: default\nspec:\n${spec}`;
const service = (annotations: string, spec = '') =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  annotations:\n    lb.kubesphere.io/v1alpha1: openelb\n${annotations}spec:\n  type: LoadBalancer\n${spec}`;

function diags(text: string, svc = new OpenElbLanguageService(), uri = URI): Diagnostic[] {
  return svc.validate(uri, text);
}
const codes = (d: Diagnostic[]) => d.map((x) => `${x.code}:${x.severity}`).sort();
const textOf = (text: string, d: Diagnostic) => { const li = new LineIndex(text); return text.slice(li.offset(d.range.start), li.offset(d.range.end)); };
function apply(text: string, edits: TextEdit[]): string {
  const li = new LineIndex(text);
  return [...edits].sort((a, b) => li.offset(b.range.start) - li.offset(a.range.start))
    .reduce((t, e) => t.slice(0, li.offset(e.range.start)) + e.newText + t.slice(li.offset(e.range.end)), text);
}

describe('eip-default-value: only exactly "true" makes the default pool', () => {
  it('"false" is fine: no diagnostic at all', () => {
    assert.deepEqual(diags(eip('a', '10.0.0.1', '', defaultAnn('"false"'))), []);
  });
  for (const v of ['"True"', '"yes"', '"1"', '""']) {
    it(`${v} is a warning (not an error) saying the Eip will NOT be the default, with a fix to "true"`, () => {
      const text = eip('a', '10.0.0.1', '', defaultAnn(v));
      const d = diags(text);
      assert.deepEqual(codes(d), [`eip-default-value:${WARNING}`]);
      assert.equal(d[0].source, 'openelb');
      assert.equal(textOf(text, d[0]), v);
      assert.match(d[0].message, /will NOT be the default.*exact string "true"/);
      const actions = new OpenElbLanguageService().codeActions(URI, text, d[0].range);
      const toTrue = actions.find((a) => a.title === 'Change to "true"');
      assert.ok(toTrue, actions.map((a) => a.title).join(' | '));
      assert.equal(apply(text, toTrue.edit!.changes![URI]), eip('a', '10.0.0.1', '', defaultAnn('"true"')));
    });
  }
  it('eip-default-multiple counts only exact "true" (this file and the workspace)', () => {
    const text = `${eip('a', '10.0.0.1', '', defaultAnn('"true"'))}---\n${eip('b', '10.0.0.2', '', defaultAnn('"yes"'))}---\n${eip('c', '10.0.0.3', '', defaultAnn('"false"'))}`;
    const s = new OpenElbLanguageService();
    s.indexWorkspaceFile('file:///other.yaml', `${eip('d', '10.0.1.1', '', defaultAnn('"True"'))}---\n${eip('e', '10.0.1.2', '', defaultAnn('true'))}`);
    assert.deepEqual(codes(diags(text, s)), [`eip-default-value:${WARNING}`]);
  });
});

describe('bgp-port-range: BgpConf listenPort -1 means "do not listen"', () => {
  it('accepts -1 for the v1alpha2 BgpConf listenPort', () => {
    assert.deepEqual(diags(bgpConf('  as: 65000\n  listenPort: -1\n')), []);
  });
  it('other negatives name what is accepted', () => {
    const d = diags(bgpConf('  as: 65000\n  listenPort: -2\n'));
    assert.deepEqual(codes(d), [`bgp-port-range:${ERROR}`]);
    assert.match(d[0].message, /1\.\.65535, or -1 to not listen/);
  });
  it('BgpPeer transport ports stay 1..65535', () => {
    const peer = 'apiVersion: network.kubesphere.io/v1alpha2\nkind: BgpPeer\nmetadata:\n  name: p\nspec:\n  conf:\n    peerAs: 65001\n    neighborAddress: 10.0.0.254\n  transport:\n    remotePort: -1\n';
    const d = diags(peer);
    assert.deepEqual(codes(d), [`bgp-port-range:${ERROR}`]);
    assert.doesNotMatch(d[0].message, /-1 to not listen/);
  });
});

describe('bgp-as-range with asPerRack', () => {
  it('a BgpConf with asPerRack and no spec.as is valid', () => {
    assert.deepEqual(diags(bgpConf('  asPerRack:\n    leaf1: 64512\n    leaf2: 64513\n  listenPort: 17900\n')), []);
  });
  it('checks each rack AS with the same range rule, at the value', () => {
    const text = bgpConf('  asPerRack:\n    leaf1: 0\n    leaf2: 4294967296\n');
    const d = diags(text);
    assert.deepEqual(codes(d), [`bgp-as-range:${ERROR}`, `bgp-as-range:${ERROR}`]);
    assert.deepEqual(d.map((x) => textOf(text, x)).sort(), ['0', '4294967296']);
    assert.match(d[0].message, /rack 'leaf1'/);
  });
  it('without asPerRack entries a missing spec.as is still an error that mentions asPerRack', () => {
    const d = diags(bgpConf('  asPerRack: {}\n  listenPort: 17900\n'));
    assert.deepEqual(codes(d), [`bgp-as-range:${ERROR}`]);
    assert.match(d[0].message, /asPerRack.*openelb\.kubesphere\.io\/rack/);
  });
});

describe('service-requested-ip / service-ip-outside-eip: the IP annotation wins over loadBalancerIP', () => {
  const pool = eip('pool-a', '10.20.0.0/28');
  it('checks the annotation address, and marks a different loadBalancerIP as ignored (information)', () => {
    const text = `${pool}---\n${service('    eip.openelb.kubesphere.io/v1alpha2: pool-a\n    eip.openelb.kubesphere.io/v1alpha1: 10.20.0.5\n', '  loadBalancerIP: 10.99.0.1\n')}`;
    const d = diags(text);
    assert.deepEqual(codes(d), [`service-loadbalancerip-ignored:${INFORMATION}`]);
    assert.equal(textOf(text, d[0]), '10.99.0.1');
    assert.match(d[0].message, /ignored.*annotation/);
  });
  it('an annotation outside the Eip is reported even when loadBalancerIP is inside', () => {
    const text = `${pool}---\n${service('    eip.openelb.kubesphere.io/v1alpha2: pool-a\n    eip.openelb.kubesphere.io/v1alpha1: 10.99.0.1\n', '  loadBalancerIP: 10.20.0.5\n')}`;
    const d = diags(text);
    assert.deepEqual(codes(d), [`service-ip-outside-eip:${ERROR}`, `service-loadbalancerip-ignored:${INFORMATION}`]);
    assert.equal(textOf(text, d.find((x) => x.code === 'service-ip-outside-eip')!), '10.99.0.1');
  });
  it('a malformed ignored loadBalancerIP is not an error', () => {
    const text = `${pool}---\n${service('    eip.openelb.kubesphere.io/v1alpha1: 10.20.0.5\n', '  loadBalancerIP: nonsense\n')}`;
    assert.deepEqual(codes(diags(text)), [`service-loadbalancerip-ignored:${INFORMATION}`]);
  });
  it('equal values: nothing to say', () => {
    const text = `${pool}---\n${service('    eip.openelb.kubesphere.io/v1alpha1: 10.20.0.5\n', '  loadBalancerIP: 10.20.0.5\n')}`;
    assert.deepEqual(diags(text), []);
  });
});

describe('bgpconf-rack-unassigned: nodes asPerRack leaves without an AS', () => {
  const nodes = [{ name: 'n1', rack: 'leaf1' }, { name: 'n2', rack: 'leaf2' }, { name: 'n3' }, { name: 'n4', rack: 'leaf9' }];
  const withNodes = (n: { name: string; rack?: string }[]) => {
    const s = new OpenElbLanguageService();
    s.setClusterFacts({ eips: [], nodes: n, services: [] });
    return s;
  };
  const text = bgpConf('  asPerRack:\n    leaf1: 64512\n    leaf2: 0\n');
  it('names the nodes without a rack label or whose rack has no usable AS, at the asPerRack key', () => {
    const d = diags(text, withNodes(nodes)).filter((x) => x.code === 'bgpconf-rack-unassigned');
    assert.equal(d.length, 1);
    assert.equal(d[0].severity, WARNING);
    assert.equal(textOf(text, d[0]), 'asPerRack');
    assert.match(d[0].message, /^3 of 4 nodes get no AS/);
    assert.match(d[0].message, /n2 \(rack 'leaf2'\), n3 \(no rack label\), n4 \(rack 'leaf9'\)/);
    assert.doesNotMatch(d[0].message, /n1/);
  });
  it('silent when every node has a rack AS, when spec.as covers the rest, and without cluster facts', () => {
    const ok = bgpConf('  asPerRack:\n    leaf1: 64512\n    leaf2: 64513\n');
    assert.deepEqual(diags(ok, withNodes(nodes.slice(0, 2))), []);
    assert.deepEqual(diags(bgpConf('  as: 64500\n  asPerRack:\n    leaf1: 64512\n'), withNodes(nodes)), []);
    assert.deepEqual(diags(bgpConf('  asPerRack:\n    leaf1: 64512\n')), []);
  });
});

describe('service-eip-disabled', () => {
  const svc = service('    eip.openelb.kubesphere.io/v1alpha2: pool-off\n');
  it('an Eip of this file with disable: true is an error naming it', () => {
    const text = `${eip('pool-off', '10.21.0.0/28', '  disable: true\n')}---\n${svc}`;
    const d = diags(text);
    assert.deepEqual(codes(d), [`service-eip-disabled:${ERROR}`]);
    assert.equal(textOf(text, d[0]), 'pool-off');
    assert.match(d[0].message, /'pool-off'.*enable.*another/);
  });
  it('also from the workspace and the cluster, and updates when the workspace Eip is enabled', () => {
    const s = new OpenElbLanguageService();
    s.indexWorkspaceFile('file:///pools.yaml', eip('pool-off', '10.21.0.0/28', '  disable: true\n'));
    assert.deepEqual(codes(diags(svc, s)), [`service-eip-disabled:${ERROR}`]);
    s.indexWorkspaceFile('file:///pools.yaml', eip('pool-off', '10.21.0.0/28', '  disable: false\n'));
    assert.deepEqual(diags(svc, s), []);
    const c = new OpenElbLanguageService();
    c.setClusterFacts({ eips: [{ name: 'pool-off', address: '10.21.0.0/28', disable: true, isDefault: false, source: 'cluster' }], nodes: [], services: [] });
    const d = diags(svc, c);
    assert.deepEqual(codes(d), [`service-eip-disabled:${ERROR}`]);
    assert.match(d[0].message, /in the cluster/);
  });
  it('an enabled Eip: nothing', () => {
    assert.deepEqual(diags(`${eip('pool-off', '10.21.0.0/28', '  disable: false\n')}---\n${svc}`), []);
  });
});

describe('service-lb-annotation: OpenELB annotations without lb.kubesphere.io/v1alpha1', () => {
  const svc = (ann: string, type = 'LoadBalancer') =>
    `apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  annotations:\n${ann}spec:\n  type: ${type}\n`;
  it('a LoadBalancer Service gets a warning at its first OpenELB annotation, and the fix adds the annotation', () => {
    const text = svc('    eip.openelb.kubesphere.io/v1alpha2: pool\n');
    const d = diags(text).filter((x) => x.code === 'service-lb-annotation');
    assert.equal(d.length, 1);
    assert.equal(d[0].severity, WARNING);
    assert.equal(textOf(text, d[0]), 'eip.openelb.kubesphere.io/v1alpha2');
    const fix = new OpenElbLanguageService().codeActions(URI, text, d[0].range).find((a) => /Add lb\.kubesphere\.io/.test(a.title));
    assert.ok(fix);
    const fixed = apply(text, fix.edit!.changes![URI]);
    assert.equal(fixed, svc('    lb.kubesphere.io/v1alpha1: openelb\n    eip.openelb.kubesphere.io/v1alpha2: pool\n'));
    assert.deepEqual(diags(fixed).filter((x) => x.code === 'service-lb-annotation'), []);
  });
  it('silent for a ClusterIP Service and for a LoadBalancer without OpenELB annotations', () => {
    assert.deepEqual(diags(svc('    eip.openelb.kubesphere.io/v1alpha2: pool\n', 'ClusterIP')).filter((x) => x.code === 'service-lb-annotation'), []);
    assert.deepEqual(diags(svc('    metallb.universe.tf/address-pool: x\n')), []);
  });
});
