// Adopting upstream OpenELB's records: an Eip whose status upstream's IPAM wrote, and Services
// showing the addresses upstream gave them. Nothing moves, nothing is handed out twice, and the
// status is rewritten in our form (the same fields plus our Valid condition).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIp, parseIp } from '@openelb/core/address/ip';
import { Allocations, planBatch, poolStateFromEip, serviceRequest, type BatchItem, type EipObject } from '../../runtime/src/allocator';
import { desiredEipStatus } from '../../runtime/src/controller/eipStatus';
import { POOL, SERVICES, upstreamEip, upstreamEipStatus, upstreamService } from '../cluster/takeoverFixtures';

const ip = (t: string): bigint => parseIp(t)!.value;
const text = (v: bigint): string => formatIp(4, v);

function adoptedEip(): EipObject {
  return { ...(upstreamEip() as EipObject), status: upstreamEipStatus() as EipObject['status'] };
}

/** The Services of the fixture as the controller's informer sees them (with their ingress). */
function items(extra: BatchItem[] = []): BatchItem[] {
  const live = SERVICES.filter((s) => s.name !== 'leaving').map((s): BatchItem => {
    const svc = upstreamService(s);
    if (s.ip) svc.status = { loadBalancer: { ingress: [{ ip: s.ip }] } };
    return { key: `${s.ns}/${s.name}`, request: serviceRequest(svc) };
  });
  return [...extra, ...live];
}

const fresh = (name: string): BatchItem => ({ key: `default/${name}`, request: serviceRequest(upstreamService({ ns: 'default', name })) });

test('upstream status.used is read as the record: shared addresses, every holder, nothing outside the pool', () => {
  const eip = adoptedEip();
  eip.status!.used = { ...POOL.used, '10.9.9.9': 'default/elsewhere', '192.168.0.108': 'no-slash' };
  const s = poolStateFromEip(eip);
  assert.deepEqual([...s.used].map(text), ['192.168.0.100', '192.168.0.101', '192.168.0.105', '192.168.0.106', '192.168.0.107']);
  assert.deepEqual(s.holders.get(ip('192.168.0.105')), ['default/shared-a', 'default/shared-b']);
  assert.equal(s.isDefault, true);
});

test('every Service keeps its address; one shown but unrecorded is adopted before a new Service is served', () => {
  const allocs = new Allocations();
  allocs.setPool(poolStateFromEip(adoptedEip()));
  // A new Service queued before the others, in the same batch: it must not get 192.168.0.102,
  // which default/lost shows although status.used lost it.
  const plan = planBatch(items([fresh('aaa-new')]), allocs);
  const got = Object.fromEntries([...plan.decisions].map(([k, d]) => [k, 'ip' in d ? `${d.action} ${text(d.ip)}` : d.action]));
  assert.deepEqual(got, {
    'default/aaa-new': 'assign 192.168.0.103',
    'default/web': 'keep 192.168.0.100',
    'shop/api': 'keep 192.168.0.101',
    'default/shared-a': 'keep 192.168.0.105',
    'default/shared-b': 'keep 192.168.0.105',
    'default/lost': 'assign 192.168.0.102',
    'default/a-pending': 'assign 192.168.0.104',
  });
  const lost = plan.decisions.get('default/lost')!;
  assert.equal(lost.action === 'assign' && lost.reason, 'adopted');
  // The record after the batch: one holder per address, except the requested shared one.
  const after = plan.changed.get(POOL.name)!;
  const holders = Object.fromEntries([...after.holders].map(([a, keys]) => [text(a), keys.join(';')]));
  assert.equal(holders['192.168.0.102'], 'default/lost');
  assert.equal(holders['192.168.0.103'], 'default/aaa-new');
  assert.equal(holders['192.168.0.105'], 'default/shared-a;default/shared-b');
});

test('a Service deleted meanwhile gives its address back; one being deleted releases it', () => {
  const allocs = new Allocations();
  allocs.setPool(poolStateFromEip(adoptedEip()));
  const leaving = upstreamService(SERVICES.find((s) => s.name === 'leaving')!);
  leaving.metadata!.deletionTimestamp = new Date();
  const plan = planBatch([{ key: 'default/gone' }, { key: 'default/leaving', request: serviceRequest(leaving) }, fresh('next')], allocs);
  assert.equal(plan.decisions.get('default/gone')!.action, 'gone');
  assert.equal(plan.decisions.get('default/leaving')!.action, 'release');
  // The freed addresses are free again, lowest first, and the others stay held.
  const next = plan.decisions.get('default/next')!;
  assert.equal('ip' in next && text(next.ip), '192.168.0.102');
  assert.deepEqual([...plan.changed.get(POOL.name)!.used].map(text), ['192.168.0.100', '192.168.0.101', '192.168.0.102', '192.168.0.105']);
});

test('new Services alone are planned in the order they came', () => {
  const allocs = new Allocations();
  allocs.setPool(poolStateFromEip(adoptedEip()));
  const news = ['n1', 'n2', 'n3'].map(fresh);
  const plan = planBatch(news, allocs);
  assert.deepEqual([...plan.decisions.values()].map((d) => 'ip' in d && text(d.ip)), ['192.168.0.102', '192.168.0.103', '192.168.0.104']);
});

test('upstream status is rewritten in our form: same fields and counts, plus the Valid condition', () => {
  const eip = adoptedEip();
  const state = poolStateFromEip(eip);
  const out = desiredEipStatus(eip, state, undefined, new Date('2026-01-01T00:00:00Z'));
  const { conditions, ...fields } = out;
  assert.deepEqual(fields, { ...upstreamEipStatus(), used: POOL.used });
  assert.deepEqual(conditions?.map((c) => `${c.type}=${c.status} ${c.reason}`), ['Valid=True Valid']);
});
