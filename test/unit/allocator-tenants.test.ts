// Tenants (issue #13): a held address is shared only with consent, and an Eip may restrict itself
// to the namespaces it binds. Pure allocator decisions, no cluster involved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIp } from '@openelb/core/address/ip';
import {
  Allocations, planBatch, planService, poolStateFromEip, serviceRequest,
  type EipObject, type ServiceObject, type ServiceRequest,
} from '../../runtime/src/allocator';

const SHARE = 'eip.openelb.kubesphere.io/allow-shared-ip';
const RESTRICT = 'eip.openelb.kubesphere.io/restrict-to-namespaces';
const POOL = 'eip.openelb.kubesphere.io/v1alpha2';

function eip(name: string, address: string, o: { spec?: EipObject['spec']; annotations?: Record<string, string> } = {}): EipObject {
  return { apiVersion: 'network.kubesphere.io/v1alpha2', kind: 'Eip', metadata: { name, annotations: o.annotations }, spec: { address, ...o.spec }, status: {} };
}

interface SvcOpts {
  ip?: string;
  ports?: (number | [number, string])[];
  key?: string;
  local?: Record<string, string>;
  annotations?: Record<string, string>;
}

function svc(ns: string, name: string, o: SvcOpts = {}): ServiceObject {
  const annotations: Record<string, string> = { 'lb.kubesphere.io/v1alpha1': 'openelb', ...o.annotations };
  if (o.key) annotations[SHARE] = o.key;
  const ports = (o.ports ?? [80]).map((p) => (Array.isArray(p) ? { port: p[0], protocol: p[1] } : { port: p }));
  return {
    metadata: { namespace: ns, name, annotations },
    spec: {
      type: 'LoadBalancer', loadBalancerIP: o.ip, ports,
      ...(o.local ? { externalTrafficPolicy: 'Local', selector: o.local } : { externalTrafficPolicy: 'Cluster', selector: { app: name } }),
    },
  };
}

/** A controller's view: the Eips and every Service it has planned (its informer). */
class World {
  readonly a = new Allocations();
  private readonly known = new Map<string, ServiceRequest>();
  constructor(...eips: EipObject[]) { for (const e of eips) this.a.setPool(poolStateFromEip(e)); }
  /** Plans the Service, records an assignment; "eip ip", or "fail: why". */
  allocate(s: ServiceObject, nsLabels?: Record<string, string>): string {
    const req = serviceRequest(s);
    this.known.set(req.key, req);
    const p = planService(req, this.a, nsLabels, (k) => this.known.get(k));
    if (p.action === 'assign') {
      this.a.assign(p.eip, p.ip, req.key);
      return `${p.eip} ${formatIp(4, p.ip)}`;
    }
    return p.action === 'fail' ? `fail: ${p.message}` : p.action;
  }
}

const pools = (): World => new World(eip('pub', '10.0.0.0/24'));

test('within one namespace a held address is shared when the ports differ', () => {
  const w = pools();
  assert.equal(w.allocate(svc('team', 'http', { ip: '10.0.0.5', ports: [80] })), 'pub 10.0.0.5');
  assert.equal(w.allocate(svc('team', 'https', { ip: '10.0.0.5', ports: [443] })), 'pub 10.0.0.5');
  // The same port number over another protocol is another port.
  assert.equal(w.allocate(svc('team', 'dns', { ip: '10.0.0.5', ports: [[53, 'UDP']] })), 'pub 10.0.0.5');
  assert.equal(w.allocate(svc('team', 'dns-tcp', { ip: '10.0.0.5', ports: [[53, 'TCP']] })), 'pub 10.0.0.5');
});

test('a port already used on the address (same port and protocol) is refused, naming the holder and the port', () => {
  const w = pools();
  assert.equal(w.allocate(svc('team', 'a', { ip: '10.0.0.5', ports: [80, 8080] })), 'pub 10.0.0.5');
  const r = w.allocate(svc('team', 'b', { ip: '10.0.0.5', ports: [443, 8080] }));
  assert.match(r, /^fail: 10\.0\.0\.5 is held by team\/a and cannot be shared: both use port 8080\/TCP/);
  // A port without a protocol is TCP (the API server's default).
  assert.match(w.allocate(svc('team', 'c', { ip: '10.0.0.5', ports: [[80, 'TCP']] })), /both use port 80\/TCP/);
});

test('across namespaces: refused without a key, refused with different keys, shared with the same key', () => {
  const w = pools();
  assert.equal(w.allocate(svc('team-a', 'web', { ip: '10.0.0.5', ports: [80], key: 'edge' })), 'pub 10.0.0.5');
  const noKey = w.allocate(svc('team-b', 'thief', { ip: '10.0.0.5', ports: [443] }));
  assert.match(noKey, /^fail: 10\.0\.0\.5 is held by team-a\/web and cannot be shared: it is in namespace team-a; .*allow-shared-ip with the same value \(this Service has none, the holder 'edge'\)/);
  assert.match(w.allocate(svc('team-b', 'other', { ip: '10.0.0.5', ports: [443], key: 'core' })), /this Service has 'core', the holder 'edge'/);
  assert.equal(w.allocate(svc('team-b', 'api', { ip: '10.0.0.5', ports: [443], key: 'edge' })), 'pub 10.0.0.5');
  // The key is consent to share, not to clash: the ports still may not.
  assert.match(w.allocate(svc('team-c', 'dup', { ip: '10.0.0.5', ports: [80], key: 'edge' })), /both use port 80\/TCP/);
  // A holder without the key refuses a second namespace even if the requester has one.
  assert.equal(w.allocate(svc('team-a', 'plain', { ip: '10.0.0.9', ports: [80] })), 'pub 10.0.0.9');
  assert.match(w.allocate(svc('team-b', 'keyed', { ip: '10.0.0.9', ports: [443], key: 'edge' })), /this Service has 'edge', the holder none/);
});

test('every holder must consent: the same namespace as one and no key with the other is refused', () => {
  const w = pools();
  assert.equal(w.allocate(svc('a', 'one', { ip: '10.0.0.5', ports: [80], key: 'k' })), 'pub 10.0.0.5');
  assert.equal(w.allocate(svc('b', 'two', { ip: '10.0.0.5', ports: [81], key: 'k' })), 'pub 10.0.0.5');
  assert.match(w.allocate(svc('a', 'three', { ip: '10.0.0.5', ports: [82] })), /held by b\/two and cannot be shared: it is in namespace b/);
});

test('externalTrafficPolicy Local: all sharers Local with the same non-empty selector (MetalLB\'s backend key)', () => {
  const w = pools();
  assert.equal(w.allocate(svc('team', 'tcp', { ip: '10.0.0.5', ports: [53], local: { app: 'dns', tier: 'edge' } })), 'pub 10.0.0.5');
  // The same pods (selector order does not matter): shared.
  assert.equal(w.allocate(svc('team', 'udp', { ip: '10.0.0.5', ports: [[53, 'UDP']], local: { tier: 'edge', app: 'dns' } })), 'pub 10.0.0.5');
  assert.match(w.allocate(svc('team', 'web', { ip: '10.0.0.5', ports: [80], local: { app: 'web' } })),
    /must select the same pods \(identical spec\.selector\); this one selects \{app=web\}, the holder \{app=dns,tier=edge\}/);
  assert.match(w.allocate(svc('team', 'cluster', { ip: '10.0.0.5', ports: [81] })), /this Service has externalTrafficPolicy Cluster and the holder Local/);
  // Cluster holders, a Local newcomer: refused the same way.
  assert.equal(w.allocate(svc('team', 'c1', { ip: '10.0.0.6', ports: [80] })), 'pub 10.0.0.6');
  assert.match(w.allocate(svc('team', 'l1', { ip: '10.0.0.6', ports: [81], local: { app: 'c1' } })), /this Service has externalTrafficPolicy Local and the holder Cluster/);
  // Local without a selector: its endpoints cannot be compared.
  assert.equal(w.allocate(svc('team', 'n1', { ip: '10.0.0.7', ports: [80], local: {} })), 'pub 10.0.0.7');
  assert.match(w.allocate(svc('team', 'n2', { ip: '10.0.0.7', ports: [81], local: {} })), /a Service without spec\.selector cannot share/);
  // Cluster Services share whatever they select.
  assert.equal(w.allocate(svc('team', 'c2', { ip: '10.0.0.6', ports: [82] })), 'pub 10.0.0.6');
});

test('a holder the controller cannot see is not shared with', () => {
  const a = new Allocations();
  a.setPool(poolStateFromEip({ ...eip('pub', '10.0.0.0/24'), status: { used: { '10.0.0.5': 'gone/ghost' } } }));
  const p = planService(serviceRequest(svc('team', 'x', { ip: '10.0.0.5' })), a, undefined, () => undefined);
  assert.equal(p.action, 'fail');
  assert.match((p as { message: string }).message, /held by gone\/ghost, a Service the controller cannot see/);
});

test('a Service showing an address someone else holds does not adopt it without consent', () => {
  const a = new Allocations();
  a.setPool(poolStateFromEip({ ...eip('pub', '10.0.0.0/24'), status: { used: { '10.0.0.5': 'team-a/web' } } }));
  const holder = serviceRequest(svc('team-a', 'web', { ip: '10.0.0.5' }));
  const stray = svc('team-b', 'stray', { ip: '10.0.0.5', ports: [443] });
  stray.status = { loadBalancer: { ingress: [{ ip: '10.0.0.5' }] } };
  const p = planService(serviceRequest(stray), a, undefined, (k) => (k === holder.key ? holder : undefined));
  assert.equal(p.action, 'fail');
});

test('in one batch the second of two clashing Services is refused, whichever namespace asks first', () => {
  const a = new Allocations();
  a.setPool(poolStateFromEip(eip('pub', '10.0.0.0/24')));
  const one = serviceRequest(svc('team-a', 'one', { ip: '10.0.0.5' }));
  const two = serviceRequest(svc('team-b', 'two', { ip: '10.0.0.5', ports: [443] }));
  const plan = planBatch([{ key: one.key, request: one }, { key: two.key, request: two }], a);
  assert.equal(plan.decisions.get(one.key)!.action, 'assign');
  const d = plan.decisions.get(two.key)!;
  assert.equal(d.action, 'fail');
  assert.match((d as { message: string }).message, /held by team-a\/one and cannot be shared: it is in namespace team-a/);
});

test('without the opt-in a namespace-bound Eip is a default only: any namespace may name it', () => {
  const w = new World(eip('team-pool', '10.1.0.0/24', { spec: { namespaces: ['team'] } }));
  assert.equal(w.allocate(svc('other', 'x', { annotations: { [POOL]: 'team-pool' } })), 'team-pool 10.1.0.0');
  assert.equal(w.allocate(svc('other', 'y', { ip: '10.1.0.9' })), 'team-pool 10.1.0.9');
});

test('restrict-to-namespaces: "true" makes the binding an access rule, by name, by address and as the default', () => {
  const restricted = { [RESTRICT]: 'true' };
  const w = new World(
    eip('team-pool', '10.1.0.0/24', { spec: { namespaces: ['team'] }, annotations: restricted }),
    eip('env-pool', '10.2.0.0/24', { spec: { namespaceSelector: { env: 'prod' } }, annotations: restricted }),
    eip('def', '10.3.0.0/24', { annotations: { ...restricted, 'eip.openelb.kubesphere.io/is-default-eip': 'true' }, spec: { namespaces: ['team'] } }),
  );
  assert.match(w.allocate(svc('other', 'x', { annotations: { [POOL]: 'team-pool' } })),
    /^fail: Eip team-pool is restricted to its namespaces \(eip\.openelb\.kubesphere\.io\/restrict-to-namespaces: "true"\) and serves only namespaces team; namespace other is not one of them$/);
  assert.match(w.allocate(svc('other', 'y', { ip: '10.1.0.9' })), /Eip team-pool is restricted .* namespace other is not one of them/);
  assert.match(w.allocate(svc('dev', 'z', { annotations: { [POOL]: 'env-pool' } }), { env: 'dev' }), /serves only namespaces labelled env=prod; namespace dev/);
  // The bound namespaces still get it, by name, by label and by binding.
  assert.equal(w.allocate(svc('team', 'a', { annotations: { [POOL]: 'team-pool' } })), 'team-pool 10.1.0.0');
  assert.equal(w.allocate(svc('prod', 'b', { annotations: { [POOL]: 'env-pool' } }), { env: 'prod' }), 'env-pool 10.2.0.0');
  // A restricted default Eip is no default for other namespaces.
  assert.match(w.allocate(svc('other', 'c')), /no Eip serves namespace other .* no usable default Eip/);
  // Only exactly "true" restricts (like is-default-eip).
  const loose = new World(eip('p', '10.4.0.0/24', { spec: { namespaces: ['team'] }, annotations: { [RESTRICT]: 'yes' } }));
  assert.equal(loose.allocate(svc('other', 'x', { annotations: { [POOL]: 'p' } })), 'p 10.4.0.0');
});
