import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { electOwner } from '../../runtime/src/speaker/plan/election';
import { desiredState, eipView, serviceView } from '../../runtime/src/speaker/plan/desiredState';

const eip = (name: string, address: string, protocol: string, extra: Record<string, unknown> = {}) =>
  eipView({ metadata: { name }, spec: { address, protocol, ...extra } }, true);
const svc = (name: string, ip: string, policy = 'Cluster', endpoints: string[] = []) =>
  serviceView({ metadata: { name, namespace: 'ns', annotations: { 'lb.kubesphere.io/v1alpha1': 'openelb' } },
    spec: { type: 'LoadBalancer', externalTrafficPolicy: policy }, status: { loadBalancer: { ingress: [{ ip }] } } }, new Set(endpoints))!;
const nodes = ['n1', 'n2', 'n3'].map((name) => ({ name, ready: true }));

describe('election', () => {
  it('is deterministic, spreads addresses, and moves only the departed node\'s addresses', () => {
    const ips = Array.from({ length: 300 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    const before = ips.map((ip) => electOwner(ip, ['n1', 'n2', 'n3']));
    assert.deepEqual(before, ips.map((ip) => electOwner(ip, ['n3', 'n1', 'n2'])), 'order of candidates does not matter');
    for (const n of ['n1', 'n2', 'n3']) assert.ok(before.filter((o) => o === n).length > 60, `${n} owns a fair share`);
    const after = ips.map((ip) => electOwner(ip, ['n1', 'n3']));
    ips.forEach((_, i) => { if (before[i] !== 'n2') assert.equal(after[i], before[i]); else assert.notEqual(after[i], 'n2'); });
    assert.equal(electOwner('10.0.0.1', []), undefined);
  });
});

describe('desired state', () => {
  const eips = [eip('l2', '192.168.0.10-192.168.0.20', 'layer2', { interface: 'eth0' }), eip('b', '172.22.0.0/28', 'bgp')];
  it('exactly one live node announces each layer2 address; bgp on every node', () => {
    const services = [svc('a', '192.168.0.10'), svc('b', '192.168.0.11'), svc('c', '172.22.0.3')];
    const live = new Set(['n1', 'n2', 'n3']);
    const states = ['n1', 'n2', 'n3'].map((n) => desiredState(n, eips, services, nodes, live));
    const announced = states.flatMap((s) => s.layer2.map((a) => a.ip)).sort();
    assert.deepEqual(announced, ['192.168.0.10', '192.168.0.11']);
    for (const s of states) assert.deepEqual(s.bgp.map((b) => b.prefix), ['172.22.0.3/32']);
  });
  it('skips dead speakers and not-ready nodes; Local traffic limits next hops', () => {
    const services = [svc('a', '192.168.0.10'), svc('c', '172.22.0.3', 'Local', ['n2'])];
    const live = new Set(['n1', 'n3']);
    const notReady = nodes.map((n) => ({ ...n, ready: n.name !== 'n3' }));
    const owners = ['n1', 'n2', 'n3'].map((n) => desiredState(n, eips, services, notReady, live).layer2.length);
    assert.deepEqual(owners, [1, 0, 0], 'only n1 is both live and ready');
    assert.deepEqual(['n1', 'n2', 'n3'].map((n) => desiredState(n, eips, services, nodes, live).bgp.length), [0, 1, 0]);
  });
  it('never elects a node that reported it cannot serve the Eip', () => {
    const l2 = eipView({ metadata: { name: 'l2' }, spec: { address: '192.168.0.10-192.168.0.20', protocol: 'layer2', interface: 'eth0' },
      status: { conditions: [{ type: 'Speaker.n1', status: 'False' }, { type: 'Speaker.n2', status: 'False' }, { type: 'Speaker.n3', status: 'True' }] } }, true);
    const services = Array.from({ length: 10 }, (_, i) => svc(`s${i}`, `192.168.0.${10 + i}`));
    const live = new Set(['n1', 'n2', 'n3']);
    assert.deepEqual(['n1', 'n2', 'n3'].map((n) => desiredState(n, [l2], services, nodes, live).layer2.length), [0, 0, 10]);
  });
  it('announces nothing for invalid, unknown or non-OpenELB addresses', () => {
    const bad = [{ ...eips[0], valid: false }, eips[1]];
    assert.deepEqual(desiredState('n1', bad, [svc('a', '192.168.0.10'), svc('x', '8.8.8.8')], nodes, new Set(['n1'])).layer2, []);
    assert.equal(serviceView({ metadata: { name: 'x' }, spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } } }, new Set()), undefined);
  });
});
