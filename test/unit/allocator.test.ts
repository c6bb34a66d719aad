// Allocation rules of OpenELB v0.6, decided by the pure allocator (no cluster involved).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIp, parseIp } from '@openelb/core/address/ip';
import {
  Allocations, planService, poolStateFromEip, serviceRequest, statusFields,
  type EipObject, type Plan, type ServiceObject, type ServiceRequest,
} from '../../runtime/src/allocator';

function eip(name: string, address: string, extra: { spec?: EipObject['spec']; annotations?: Record<string, string>; used?: Record<string, string> } = {}): EipObject {
  return {
    apiVersion: 'network.kubesphere.io/v1alpha2', kind: 'Eip',
    metadata: { name, annotations: extra.annotations },
    spec: { address, ...extra.spec },
    status: extra.used ? { used: extra.used } : {},
  };
}
const DEFAULT = { 'eip.openelb.kubesphere.io/is-default-eip': 'true' };

function svc(ns: string, name: string, o: { annotations?: Record<string, string>; type?: string; lbIp?: string; families?: string[]; statusIp?: string } = {}): ServiceObject {
  return {
    metadata: { namespace: ns, name, annotations: { 'lb.kubesphere.io/v1alpha1': 'openelb', ...o.annotations } },
    spec: { type: o.type ?? 'LoadBalancer', loadBalancerIP: o.lbIp, ipFamilies: o.families ?? ['IPv4'] },
    status: o.statusIp ? { loadBalancer: { ingress: [{ ip: o.statusIp }] } } : {},
  };
}

function world(...eips: EipObject[]): Allocations {
  const a = new Allocations();
  for (const e of eips) a.setPool(poolStateFromEip(e));
  return a;
}

/** Every Service planned in a world, as the controller's informer has them (sharing compares them). */
const seen = new WeakMap<Allocations, Map<string, ServiceRequest>>();

/** Plans and, like the controller, records an assignment; returns "eip ip" or the failure. */
function allocate(a: Allocations, s: ServiceObject, nsLabels?: Record<string, string>): string {
  const req = serviceRequest(s);
  const known = seen.get(a) ?? new Map<string, ServiceRequest>();
  seen.set(a, known.set(req.key, req));
  const p: Plan = planService(req, a, nsLabels, (k) => known.get(k));
  if (p.action === 'assign') {
    a.assign(p.eip, p.ip, req.key);
    return `${p.eip} ${formatIp(a.pools.get(p.eip)!.pool!.family, p.ip)}`;
  }
  if (p.action === 'keep') return `${p.eip} ${formatIp(a.pools.get(p.eip)!.pool!.family, p.ip)} (kept)`;
  if (p.action === 'fail') return `fail: ${p.message}`;
  return p.action;
}

test('default Eip gives the lowest free address, in order', () => {
  const a = world(eip('def', '192.168.0.100-192.168.0.102', { annotations: DEFAULT }), eip('other', '10.0.0.0/24'));
  assert.equal(allocate(a, svc('ns', 'a')), 'def 192.168.0.100');
  assert.equal(allocate(a, svc('ns', 'b')), 'def 192.168.0.101');
  a.release('ns/a');
  assert.equal(allocate(a, svc('ns', 'c')), 'def 192.168.0.100');
  assert.equal(allocate(a, svc('ns', 'd')), 'def 192.168.0.102');
  assert.match(allocate(a, svc('ns', 'e')), /^fail: Eip def is full/);
});

test('only LoadBalancer Services with the openelb annotation get an address', () => {
  const a = world(eip('def', '192.168.0.100/30', { annotations: DEFAULT }));
  assert.equal(allocate(a, svc('ns', 'np', { type: 'NodePort' })), 'none');
  const noAnn = svc('ns', 'x');
  delete noAnn.metadata!.annotations!['lb.kubesphere.io/v1alpha1'];
  assert.equal(allocate(a, noAnn), 'none');
  assert.equal(allocate(a, svc('ns', 'y', { annotations: { 'lb.kubesphere.io/v1alpha1': 'metallb' } })), 'none');
  assert.equal(allocate(a, svc('ns', 'ok')), 'def 192.168.0.100');
  // Turning it into a ClusterIP Service releases the address.
  const p = planService(serviceRequest(svc('ns', 'ok', { type: 'ClusterIP' })), a);
  assert.equal(p.action, 'release');
});

test('the pool annotation wins over namespace bindings and the default', () => {
  const a = world(
    eip('def', '192.168.0.0/24', { annotations: DEFAULT }),
    eip('ns-pool', '192.168.1.0/24', { spec: { namespaces: ['team'] } }),
    eip('named', '192.168.2.10-192.168.2.20'),
  );
  assert.equal(allocate(a, svc('team', 'a', { annotations: { 'eip.openelb.kubesphere.io/v1alpha2': 'named' } })), 'named 192.168.2.10');
  assert.equal(allocate(a, svc('team', 'b')), 'ns-pool 192.168.1.0');
  assert.equal(allocate(a, svc('elsewhere', 'c')), 'def 192.168.0.0');
  assert.match(allocate(a, svc('team', 'd', { annotations: { 'eip.openelb.kubesphere.io/v1alpha2': 'missing' } })), /fail: Eip missing does not exist/);
});

test('a requested address comes from the annotation, else spec.loadBalancerIP, and may be shared', () => {
  const a = world(eip('def', '192.168.0.0/24', { annotations: DEFAULT }), eip('p2', '10.1.0.0/16'));
  assert.equal(allocate(a, svc('ns', 'a', { lbIp: '10.1.2.3' })), 'p2 10.1.2.3');
  assert.equal(allocate(a, svc('ns', 'b', { lbIp: '10.1.0.9', annotations: { 'eip.openelb.kubesphere.io/v1alpha1': '192.168.0.77' } })), 'def 192.168.0.77');
  // Two Services asking for the same address share it (different ports), as in OpenELB.
  assert.equal(allocate(a, svc('ns', 'c', { lbIp: '10.1.2.3' })), 'p2 10.1.2.3');
  assert.equal(statusFields(a.pools.get('p2')!)!.used!['10.1.2.3'], 'ns/a;ns/c');
  assert.match(allocate(a, svc('ns', 'd', { lbIp: '172.16.0.1' })), /fail: no available eip was found containing the ip/);
  assert.match(allocate(a, svc('ns', 'e', { lbIp: 'bogus' })), /fail: the requested address 'bogus'/);
  // Pool and address together: the address must be inside the named pool.
  assert.match(allocate(a, svc('ns', 'f', { annotations: { 'eip.openelb.kubesphere.io/v1alpha2': 'def', 'eip.openelb.kubesphere.io/v1alpha1': '10.1.0.5' } })), /does not contain 10\.1\.0\.5/);
});

test('namespace pools: by name or label selector, non-full first, then lowest priority', () => {
  const a = world(
    eip('def', '192.168.0.0/24', { annotations: DEFAULT }),
    eip('low', '10.0.0.1', { spec: { namespaces: ['prod'], priority: 1 } }),
    eip('high', '10.0.1.0/30', { spec: { namespaceSelector: { env: 'prod' }, priority: 5 } }),
  );
  const labels = { env: 'prod', 'kubernetes.io/metadata.name': 'prod' };
  assert.equal(allocate(a, svc('prod', 'a'), labels), 'low 10.0.0.1');
  // "low" is now full: the non-full pool goes first even with a worse priority.
  assert.equal(allocate(a, svc('prod', 'b'), labels), 'high 10.0.1.0');
  // Labels decide for the selector: another namespace with env=prod uses "high" too.
  assert.equal(allocate(a, svc('other', 'c'), { env: 'prod' }), 'high 10.0.1.1');
  assert.equal(allocate(a, svc('other', 'd'), { env: 'dev' }), 'def 192.168.0.0');
});

test('disabled and invalid Eips are never allocated from', () => {
  const a = world(
    eip('off', '10.0.0.0/24', { spec: { namespaces: ['ns'], disable: true } }),
    eip('bad', '10.0.1.0/24', { spec: { namespaces: ['ns'], protocol: 'layer2' } }), // layer2 needs an interface
    eip('def', '192.168.0.0/24', { annotations: DEFAULT }),
  );
  assert.ok(a.pools.get('bad')!.problems.length > 0);
  assert.equal(allocate(a, svc('ns', 'a')), 'def 192.168.0.0');
  assert.match(allocate(a, svc('ns', 'b', { lbIp: '10.0.0.5' })), /fail: Eip off is disabled/);
  assert.match(allocate(a, svc('ns', 'c', { annotations: { 'eip.openelb.kubesphere.io/v1alpha2': 'bad' } })), /fail: Eip bad is invalid: spec.interface/);
  const noDefault = world(eip('def', 'nonsense', { annotations: DEFAULT }));
  assert.match(allocate(noDefault, svc('ns', 'x')), /fail: no Eip serves namespace ns/);
});

test('the pool family must match spec.ipFamilies', () => {
  const a = world(
    eip('v4', '192.168.0.0/24', { annotations: DEFAULT }),
    eip('v6', '2001:db8::/120', { spec: { namespaces: ['six'] } }),
  );
  assert.equal(allocate(a, svc('six', 'a', { families: ['IPv6'] })), 'v6 2001:db8::');
  // An IPv4 Service in that namespace skips the IPv6 pool and falls back to the default.
  assert.equal(allocate(a, svc('six', 'b', { families: ['IPv4'] })), 'v4 192.168.0.0');
  assert.match(allocate(a, svc('ns', 'c', { families: ['IPv6'] })), /^fail: no Eip serves namespace ns \(IPv6\)/);
  assert.match(allocate(a, svc('ns', 'd', { families: ['IPv4'], annotations: { 'eip.openelb.kubesphere.io/v1alpha2': 'v6' } })), /is IPv6 but the Service's ipFamilies are IPv4/);
});

test('an allocated Service keeps its address when preferences change', () => {
  const a = world(eip('def', '192.168.0.0/24', { annotations: DEFAULT }));
  assert.equal(allocate(a, svc('team', 'a')), 'def 192.168.0.0');
  // A new namespace pool with top priority and a new default do not move it.
  a.setPool(poolStateFromEip(eip('team-pool', '10.0.0.0/24', { spec: { namespaces: ['team'], priority: -10 } })));
  a.setPool(poolStateFromEip(eip('def', '192.168.0.0/24', { used: { '192.168.0.0': 'team/a' } })));
  a.setPool(poolStateFromEip(eip('def2', '172.16.0.0/24', { annotations: DEFAULT })));
  assert.equal(allocate(a, svc('team', 'a')), 'def 192.168.0.0 (kept)');
  // Disabling its pool does not take the address away either.
  a.setPool(poolStateFromEip(eip('def', '192.168.0.0/24', { spec: { disable: true }, used: { '192.168.0.0': 'team/a' } })));
  assert.equal(allocate(a, svc('team', 'a')), 'def 192.168.0.0 (kept)');
  // An explicit new request does move it.
  const p = planService(serviceRequest(svc('team', 'a', { lbIp: '10.0.0.7' })), a);
  assert.deepEqual(p, { action: 'assign', eip: 'team-pool', ip: parseIp('10.0.0.7')!.value, shared: false, reason: 'requested-ip', previous: { eip: 'def', ip: parseIp('192.168.0.0')!.value } });
});

test('an address shown in the Service status is adopted when no Eip records it', () => {
  const a = world(eip('def', '192.168.0.0/24', { annotations: DEFAULT }), eip('p', '10.0.0.0/24'));
  assert.equal(allocate(a, svc('ns', 'a', { statusIp: '10.0.0.42' })), 'p 10.0.0.42');
  // Already held by another Service: not adopted, a fresh address is chosen.
  assert.equal(allocate(a, svc('ns', 'b', { statusIp: '10.0.0.42' })), 'def 192.168.0.0');
});

test('a /8 and an IPv6 /96 pool are handled without listing addresses', () => {
  const a = world(
    eip('big', '10.0.0.0/8', { annotations: DEFAULT, used: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [formatIp(4, (10n << 24n) + BigInt(i)), `old/s${i}`])) }),
    eip('v6', '2001:db8::/96', { spec: { namespaces: ['six'] } }),
  );
  assert.equal(statusFields(a.pools.get('big')!)!.poolSize, 16777216);
  assert.equal(statusFields(a.pools.get('big')!)!.usage, 3000);
  assert.equal(allocate(a, svc('ns', 'a')), 'big 10.0.11.184');
  const six = statusFields(a.pools.get('v6')!)!;
  assert.deepEqual([six.poolSize, six.firstIP, six.lastIP, six.v4], [4294967296, '2001:db8::', '2001:db8::ffff:ffff', false]);
  assert.equal(allocate(a, svc('six', 'a', { families: ['IPv6'] })), 'v6 2001:db8::');
  assert.equal(allocate(a, svc('six', 'b', { families: ['IPv6'], lbIp: '2001:db8::ffff:fffe' })), 'v6 2001:db8::ffff:fffe');
  assert.equal(allocate(a, svc('six', 'c', { families: ['IPv6'] })), 'v6 2001:db8::1');
});

test('status fields follow OpenELB: used map, usage, occupied', () => {
  const a = world(eip('one', '192.168.9.9', { annotations: DEFAULT }));
  assert.equal(allocate(a, svc('ns', 'a')), 'one 192.168.9.9');
  assert.deepEqual(statusFields(a.pools.get('one')!), {
    poolSize: 1, firstIP: '192.168.9.9', lastIP: '192.168.9.9', v4: true,
    used: { '192.168.9.9': 'ns/a' }, usage: 1, occupied: true, ready: true,
  });
  // Entries outside the pool or without a namespace are dropped when read back.
  const s = poolStateFromEip(eip('x', '10.0.0.0/30', { used: { '10.0.0.1': 'ns/a', '10.9.9.9': 'ns/b', '10.0.0.2': 'junk' } }));
  assert.deepEqual(statusFields(s)!.used, { '10.0.0.1': 'ns/a' });
});
