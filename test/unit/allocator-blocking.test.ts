// Only blocking findings refuse an Eip (server/core/src/rules/blocking.ts); advice never does.
// Overlap between Eips is decided across all of them: the older keeps serving (allocator/overlap.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatIp } from '@openelb/core/address/ip';
import { overlappingPairs, parsePool } from '@openelb/core/address/pool';
import { checkObject, objectErrors } from '@openelb/core/checkObject';
import { BLOCKING_RULES, blockingColumn, isBlocking } from '@openelb/core/rules/blocking';
import { RULES } from '@openelb/core/rules/index';
import {
  Allocations, overlapRefusals, planService, poolStateFromEip, serviceRequest,
  type EipObject, type ServiceObject,
} from '../../runtime/src/allocator';
import { desiredEipStatus } from '../../runtime/src/controller/eipStatus';

const ALL_IDS = [...RULES.flatMap((r) => r.ids), 'yaml-syntax', 'yaml-duplicate-key', 'yaml-unparsed'];
const POOL = 'eip.openelb.kubesphere.io/v1alpha2';

function eip(name: string, address: string, o: { spec?: EipObject['spec']; annotations?: Record<string, string>; created?: string; used?: Record<string, string> } = {}): EipObject {
  return {
    apiVersion: 'network.kubesphere.io/v1alpha2', kind: 'Eip',
    metadata: { name, annotations: o.annotations, ...(o.created ? { creationTimestamp: o.created } : {}) },
    spec: { address, ...o.spec },
    status: o.used ? { used: o.used } : {},
  };
}

function svc(ns: string, name: string, annotations: Record<string, string> = {}): ServiceObject {
  return {
    metadata: { namespace: ns, name, annotations: { 'lb.kubesphere.io/v1alpha1': 'openelb', ...annotations } },
    spec: { type: 'LoadBalancer', ipFamilies: ['IPv4'] },
    status: {},
  };
}

function world(...eips: EipObject[]): Allocations {
  const a = new Allocations();
  for (const e of eips) a.setPool(poolStateFromEip(e));
  return a;
}

/** Plans and records like the controller; "eip ip" or the failure. */
function allocate(a: Allocations, s: ServiceObject): string {
  const req = serviceRequest(s);
  const p = planService(req, a);
  if (p.action === 'assign') {
    a.assign(p.eip, p.ip, req.key);
    return `${p.eip} ${formatIp(4, p.ip)}`;
  }
  return p.action === 'fail' ? `fail: ${p.message}` : p.action;
}

test('every rule id is classified; the blocking ids are exactly the unsafe ones', () => {
  for (const id of BLOCKING_RULES) assert.ok(ALL_IDS.includes(id), `${id} is not a rule id`);
  assert.deepEqual([...BLOCKING_RULES].sort(), [
    'eip-address-mixed-family', 'eip-address-prefix', 'eip-address-range-reversed', 'eip-address-syntax', 'eip-address-too-large',
    'eip-interface-can-reach', 'eip-interface-name', 'eip-interface-required', 'eip-overlap', 'yaml-syntax', 'yaml-unparsed',
  ]);
  for (const id of ['eip-default-value', 'eip-default-multiple', 'eip-address-host-bits', 'eip-interface-missing', 'eip-layer2-subnet',
    'schema-unknown-field', 'schema-version-field', 'schema-range', 'k8s-annotation-type', 'bgp-port-range', 'service-protocol']) {
    assert.equal(isBlocking(id, 'spec.address'), false, id);
  }
  // Schema findings block only on the fields that make the pool: spec.address and spec.protocol.
  assert.equal(isBlocking('schema-enum', 'spec.protocol'), true);
  assert.equal(isBlocking('schema-type', 'spec.address'), true);
  assert.equal(isBlocking('schema-required', 'spec.address'), true);
  assert.equal(isBlocking('schema-type', 'spec.priority'), false);
  assert.equal(isBlocking('schema-enum', 'spec.protocolx'), false);
});

test('checkObject splits: advice is not an objectError (the speaker announces such an Eip)', () => {
  const obj = { ...eip('e', '10.0.0.5/30', { annotations: { 'eip.openelb.kubesphere.io/is-default-eip': 'True' } }), kind: 'Eip' };
  const codes = checkObject(obj).map((p) => p.code).sort();
  assert.deepEqual(codes, ['eip-address-host-bits', 'eip-default-value']);
  assert.deepEqual(objectErrors(obj), []);
  assert.deepEqual(objectErrors({ ...eip('e', '10.0.0.0/24', { spec: { protocol: 'layer2' } }), kind: 'Eip' }).map((p) => p.code), ['eip-interface-required']);
  assert.deepEqual(objectErrors({ ...eip('e', '10.0.0.0/24', { spec: { protocol: 'arp' } }), kind: 'Eip' }).map((p) => p.code), ['schema-enum']);
});

test('an Eip with only advice allocates exactly as upstream would (as the same Eip without the advice)', () => {
  // is-default-eip "True": upstream's default test is == "true", so the pool is simply not the default;
  // host bits set: upstream parses the CIDR to its network. Both Eips serve namespace ns.
  const advised = eip('p', '10.0.0.5/30', { spec: { namespaces: ['ns'] }, annotations: { 'eip.openelb.kubesphere.io/is-default-eip': 'True' } });
  const clean = eip('p', '10.0.0.4/30', { spec: { namespaces: ['ns'] } });
  const a = world(advised);
  const b = world(clean);
  assert.equal(a.pools.get('p')!.problems.length, 0);
  assert.ok(a.pools.get('p')!.advice.length === 2);
  const services = [svc('ns', 'a'), svc('ns', 'b'), svc('other', 'c', { [POOL]: 'p' }), svc('ns', 'd'), svc('ns', 'e'), svc('other', 'f')];
  const got = services.map((s) => allocate(a, s));
  assert.deepEqual(got, services.map((s) => allocate(b, s)));
  assert.deepEqual(got.slice(0, 4), ['p 10.0.0.4', 'p 10.0.0.5', 'p 10.0.0.6', 'p 10.0.0.7']);
  assert.match(got[4], /^fail: Eip p is full/);
  assert.match(got[5], /^fail: no Eip serves namespace other/); // "True" is not the default, as upstream
  const cond = desiredEipStatus(advised, a.pools.get('p')!).conditions!.find((c) => c.type === 'Valid')!;
  assert.deepEqual([cond.status, cond.reason], ['True', 'Advice']);
  assert.match(cond.message, /is-default-eip/);
});

test('overlap: the older Eip (creationTimestamp, then name) serves, the newer ones are refused naming it', () => {
  const p = (t: string) => parsePool(t).pool;
  const r = overlapRefusals([
    { name: 'new', pool: p('10.0.0.128/25'), created: Date.parse('2026-01-02T00:00:00Z') },
    { name: 'old', pool: p('10.0.0.0/24'), created: Date.parse('2026-01-01T00:00:00Z') },
    { name: 'b-tie', pool: p('10.0.1.0-10.0.1.9'), created: 5 },
    { name: 'a-tie', pool: p('10.0.1.9'), created: 5 },
    { name: 'unknown-age', pool: p('10.0.0.200'), created: undefined },
    { name: 'apart', pool: p('10.0.2.0/24'), created: 1 },
    { name: 'v6', pool: p('::a00:0/120'), created: 9 },
    { name: 'broken', pool: undefined, created: 0 },
  ]);
  assert.deepEqual([...r.keys()].sort(), ['b-tie', 'new', 'unknown-age']);
  assert.deepEqual(r.get('new')!.others, ['old']);
  assert.match(r.get('new')!.message, /older Eip old \(10\.0\.0\.0 to 10\.0\.0\.255, shared: 10\.0\.0\.128-10\.0\.0\.255 \(128 addresses\)\)/);
  assert.deepEqual(r.get('b-tie')!.others, ['a-tie']);
  assert.deepEqual(r.get('unknown-age')!.others, ['old', 'new']);
  assert.deepEqual(overlappingPairs([p('10.0.0.0/24'), undefined, p('10.0.0.255'), p('10.0.1.0')]), [[0, 2]]);
});

test('overlap: the newer pool is refused and no address is held twice, even by its earlier holders', () => {
  // "late" held 10.0.0.0 before "early" existed in its range (e.g. its spec was widened): it keeps its
  // Service, and "early" never hands that address out again.
  const a = world(
    eip('early', '10.0.0.0/29', { spec: { namespaces: ['ns'] }, created: '2026-01-01T00:00:00Z' }),
    eip('late', '10.0.0.0-10.0.0.1', { spec: { namespaces: ['other'] }, created: '2026-02-01T00:00:00Z', used: { '10.0.0.0': 'other/held' } }),
  );
  assert.match(allocate(a, svc('other', 'x')), /^fail: no Eip serves namespace other/);
  assert.match(allocate(a, svc('ns', 'y', { [POOL]: 'late' })), /^fail: Eip late is refused: spec.address overlaps the older Eip early/);
  assert.equal(allocate(a, svc('ns', 'a')), 'early 10.0.0.1');
  assert.equal(allocate(a, svc('ns', 'b')), 'early 10.0.0.2');
  const cond = desiredEipStatus(eip('late', '10.0.0.0-10.0.0.1'), a.pools.get('late')!, a.refusal('late')).conditions![0];
  assert.deepEqual([cond.status, cond.reason], ['False', 'Overlap']);
  assert.match(cond.message, /Eip early/);
  // Deleting the older Eip frees the newer one.
  a.removePool('early');
  assert.equal(a.refusal('late'), undefined);
  assert.equal(allocate(a, svc('other', 'z')), 'late 10.0.0.1');
});

test("ARCHITECTURE.md's rule table shows each id's blocking column as rules/blocking.ts decides it", () => {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'ARCHITECTURE.md'), 'utf8');
  const rows = [...doc.matchAll(/^\| `([a-z0-9-]+)` \|[^\n]*?\| ([^|\n]+?) \|$/gm)]
    .filter((m) => ALL_IDS.includes(m[1])).map((m) => [m[1], m[2]]);
  for (const [id, shown] of rows) assert.equal(shown, blockingColumn(id), id);
  for (const id of BLOCKING_RULES) assert.ok(rows.some(([r, shown]) => r === id && shown === 'yes'), `${id} is shown as blocking`);
});
