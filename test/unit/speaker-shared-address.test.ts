// An address shared by several Services (issue #13): the layer2/vip election must pick a node
// where every sharer is reachable. With externalTrafficPolicy Local, kube-proxy drops a
// Service's traffic on nodes without its endpoints, so the owner must have endpoints of every
// Local sharer (Cluster sharers are served from any node).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { desiredState, eipView, serviceView } from '../../runtime/src/speaker/plan/desiredState';

const l2 = eipView({ metadata: { name: 'l2' }, spec: { address: '192.168.0.0/24', protocol: 'layer2', interface: 'eth0' } }, true);
const svc = (name: string, ip: string, policy: string, endpoints: string[]) =>
  serviceView({ metadata: { name, namespace: 'ns', annotations: { 'lb.kubesphere.io/v1alpha1': 'openelb' } },
    spec: { type: 'LoadBalancer', externalTrafficPolicy: policy }, status: { loadBalancer: { ingress: [{ ip }] } } }, new Set(endpoints))!;
const names = ['n1', 'n2', 'n3'];
const nodes = names.map((name) => ({ name, ready: true }));
const live = new Set(names);
const ips = Array.from({ length: 24 }, (_, i) => `192.168.0.${10 + i}`);

/** The node each address is elected on, seen from every node (exactly one announces it). */
function owners(services: ReturnType<typeof svc>[]): string[] {
  const states = names.map((n) => desiredState(n, [l2], services, nodes, live));
  return ips.map((ip) => {
    const announcing = names.filter((_, i) => states[i].layer2.some((a) => a.ip === ip));
    assert.equal(announcing.length, 1, `${ip} announced by ${announcing.join(', ') || 'nobody'}`);
    return announcing[0];
  });
}

test('two Local Services sharing an address: the owner has endpoints of both', () => {
  const services = ips.flatMap((ip, i) => [svc(`tcp${i}`, ip, 'Local', ['n1', 'n2']), svc(`udp${i}`, ip, 'Local', ['n2', 'n3'])]);
  assert.deepEqual(owners(services), ips.map(() => 'n2'));
});

test('a Local and a Cluster Service sharing an address: the owner has the Local one\'s endpoints', () => {
  const services = ips.flatMap((ip, i) => [svc(`cluster${i}`, ip, 'Cluster', []), svc(`local${i}`, ip, 'Local', ['n3'])]);
  assert.deepEqual(owners(services), ips.map(() => 'n3'));
});

test('no node serves every Local sharer: one serving some of them; none serving any: any node', () => {
  const some = ips.flatMap((ip, i) => [svc(`a${i}`, ip, 'Local', ['n1']), svc(`b${i}`, ip, 'Local', ['n3'])]);
  for (const o of owners(some)) assert.ok(o === 'n1' || o === 'n3', o);
  const none = ips.map((ip, i) => svc(`c${i}`, ip, 'Local', []));
  assert.ok(new Set(owners(none)).size > 1, 'spread over every node');
});
