import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Allocations, planBatch, poolStateFromEip, serviceRequest, type EipObject } from '../../runtime/src/allocator';
const eip = (name: string, address: string, used: Record<string, string> = {}, ann?: Record<string, string>): EipObject => ({ apiVersion: 'network.kubesphere.io/v1alpha2', kind: 'Eip', metadata: { name, annotations: ann }, spec: { address }, status: { used } });
const svc = (ns: string, name: string, o: { pool?: string; ip?: string; type?: string } = {}) => serviceRequest({
  metadata: { namespace: ns, name, annotations: { 'lb.kubesphere.io/v1alpha1': 'openelb', ...(o.pool ? { 'eip.openelb.kubesphere.io/v1alpha2': o.pool } : {}), ...(o.ip ? { 'eip.openelb.kubesphere.io/v1alpha1': o.ip } : {}) } },
  spec: { type: o.type ?? 'LoadBalancer' },
});
test('batch: distinct addresses, originals untouched, releases, moves, gone', () => {
  const a = new Allocations();
  a.setPool(poolStateFromEip(eip('p', '10.0.0.0/30', { '10.0.0.1': 'x/old', '10.0.0.3': 'x/gone' }, { 'eip.openelb.kubesphere.io/is-default-eip': 'true' })));
  a.setPool(poolStateFromEip(eip('q', '10.1.0.0/30')));
  const plan = planBatch([
    { key: 'x/a', request: svc('x', 'a') },
    { key: 'x/b', request: svc('x', 'b') },
    { key: 'x/old', request: svc('x', 'old', { pool: 'q' }) },
    { key: 'x/gone' },
    { key: 'x/c', request: svc('x', 'c') },
  ], a);
  const d = Object.fromEntries([...plan.decisions].map(([k, v]) => [k, v.action === 'assign' ? `${v.eip}:${v.ip}` : v.action]));
  assert.deepEqual(d, { 'x/a': 'p:167772160', 'x/b': 'p:167772162', 'x/old': 'q:167837696', 'x/gone': 'gone', 'x/c': 'p:167772163' });
  assert.deepEqual([...plan.carriers.get('p')!].sort(), ['x/a', 'x/b', 'x/c', 'x/gone']);
  assert.deepEqual(plan.carriers.get('q'), ['x/old']);
  // the addresses whose holders changed, per Eip (what the journal records)
  assert.deepEqual([...plan.touched.get('p')!].sort(), [167772160n, 167772162n, 167772163n]);
  assert.deepEqual([...plan.touched.get('q')!], [167837696n]);
  // the moving Service still holds its old address in p until the move is written
  assert.deepEqual(plan.changed.get('p')!.holders.get(167772161n), ['x/old']);
  // the original state is untouched
  assert.equal(a.pools.get('p')!.used.size, 2);
  assert.equal(a.allocationOf('x/a'), undefined);
});

test('updatePool: re-indexing only the touched addresses gives the same index as a full setPool', () => {
  const mk = () => {
    const a = new Allocations();
    a.setPool(poolStateFromEip(eip('p', '10.0.0.0/28', { '10.0.0.1': 'x/old', '10.0.0.2': 'x/s1;x/s2', '10.0.0.3': 'x/gone' }, { 'eip.openelb.kubesphere.io/is-default-eip': 'true' })));
    a.setPool(poolStateFromEip(eip('q', '10.1.0.0/30')));
    return a;
  };
  const items = [
    { key: 'x/a', request: svc('x', 'a') },
    { key: 'x/old', request: svc('x', 'old', { pool: 'q' }) },
    { key: 'x/s2', request: svc('x', 's2', { type: 'ClusterIP' }) },
    { key: 'x/gone' },
  ];
  const full = mk();
  const incr = mk();
  const planFull = planBatch(items, full);
  const planIncr = planBatch(items, incr);
  for (const [, state] of planFull.changed) full.setPool(state);
  for (const [eip, state] of planIncr.changed) incr.updatePool(state, planIncr.touched.get(eip)!);
  for (const key of ['x/a', 'x/old', 'x/s1', 'x/s2', 'x/gone']) {
    assert.deepEqual(incr.allocationsOf(key), full.allocationsOf(key), key);
  }
  assert.deepEqual(incr.allocationsOf('x/s1'), [{ eip: 'p', ip: 167772162n }]);
  assert.deepEqual(incr.allocationsOf('x/s2'), []);
});
