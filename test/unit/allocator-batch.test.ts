import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Allocations, clonePoolState, planBatch, poolStateFromEip, serviceRequest, setHolders, unhold, type BatchPlan, type EipObject, type PoolState,
} from '../../runtime/src/allocator';
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
  // the addresses whose holders changed, per Eip, with their holders now (what the journal records)
  const changes = plan.overlay.changes();
  assert.deepEqual([...changes.get('p')!].sort(), [[167772160n, ['x/a']], [167772162n, ['x/b']], [167772163n, ['x/c']]]);
  assert.deepEqual([...changes.get('q')!], [[167837696n, ['x/old']]]);
  // the moving Service still holds its old address in p until the move is written
  assert.deepEqual(plan.changed.get('p')!.holders.get(167772161n), ['x/old']);
  // the committed state is untouched until the batch is applied
  assert.equal(a.pools.get('p')!.used.size, 2);
  assert.equal(a.allocationOf('x/a'), undefined);
  a.apply(plan.overlay);
  assert.deepEqual([...a.pools.get('p')!.used], [167772160n, 167772161n, 167772162n, 167772163n]);
  assert.deepEqual(a.allocationsOf('x/old'), [{ eip: 'p', ip: 167772161n }, { eip: 'q', ip: 167837696n }], 'a move holds both until the old Eip is left');
});

/** The committed pool `name` with the batch's changes, as a fresh copy (the reference). */
function materialized(a: Allocations, plan: BatchPlan, name: string): PoolState {
  const s = clonePoolState(a.pools.get(name)!);
  for (const [ip, keys] of plan.overlay.changes().get(name) ?? []) setHolders(s, ip, keys);
  return s;
}

test('apply: re-indexing only the changed addresses gives the same index as a full setPool', () => {
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
  for (const name of planFull.changed.keys()) full.setPool(materialized(full, planFull, name));
  incr.apply(planIncr.overlay);
  for (const key of ['x/a', 'x/old', 'x/s1', 'x/s2', 'x/gone']) {
    assert.deepEqual(incr.allocationsOf(key), full.allocationsOf(key), key);
  }
  assert.deepEqual(incr.allocationsOf('x/s1'), [{ eip: 'p', ip: 167772162n }]);
  assert.deepEqual(incr.allocationsOf('x/s2'), []);
});

test('overlays: 300 random batches, applied or dropped, plan exactly as fresh copies of the pools would', () => {
  // A seeded generator, so a failure can be replayed.
  let seed = 42;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const mk = () => {
    const a = new Allocations();
    a.setPool(poolStateFromEip(eip('p', '10.0.0.0/28', {}, { 'eip.openelb.kubesphere.io/is-default-eip': 'true' })));
    a.setPool(poolStateFromEip(eip('q', '10.1.0.0/29')));
    return a;
  };
  const real = mk(); // batches applied (apply) or dropped
  const ref = mk(); // every pool replaced by a fresh copy after each batch
  const dump = (a: Allocations) => [...a.pools.values()].sort((x, y) => (x.name < y.name ? -1 : 1)).map((s) => [s.name, [...s.holders].sort((x, y) => (x[0] < y[0] ? -1 : 1)), [...s.used]]);
  const keys = Array.from({ length: 24 }, (_, i) => `x/k${i}`);
  for (let step = 0; step < 300; step++) {
    const picked = new Set(Array.from({ length: 1 + rnd(4) }, () => keys[rnd(keys.length)]));
    const items = [...picked].map((key) => {
      const name = key.slice(2);
      const kind = rnd(5);
      if (kind === 0) return { key }; // deleted
      if (kind === 1) return { key, request: svc('x', name, { type: 'ClusterIP' }) }; // release
      if (kind === 2) return { key, request: svc('x', name, { pool: 'q' }) };
      if (kind === 3) return { key, request: svc('x', name, { ip: `10.0.0.${rnd(16)}` }) };
      return { key, request: svc('x', name) };
    });
    const pr = planBatch(items, real);
    const pf = planBatch(items, ref);
    assert.deepEqual([...pr.decisions], [...pf.decisions], `step ${step}: same decisions`);
    const commit = rnd(10) < 7;
    // The overlay is what the planner saw: the same as the committed pools with its changes.
    for (const [name, view] of pr.changed) {
      const ref2 = materialized(real, pr, name);
      assert.deepEqual([...view.used], [...ref2.used], `step ${step}: ${name} used`);
      assert.equal(view.used.size, ref2.used.size);
      for (let i = 0; i < 4; i++) {
        const from = ref2.pool!.first + BigInt(rnd(16));
        assert.equal(view.used.lowestFree(from, ref2.pool!.last), ref2.used.lowestFree(from, ref2.pool!.last), `step ${step}: lowest free from ${from}`);
      }
    }
    if (commit) {
      for (const name of pf.changed.keys()) ref.setPool(materialized(ref, pf, name));
      real.apply(pr.overlay);
      // As the controller does once a move is committed: the Service leaves its old Eip.
      for (const [key, d] of pr.decisions) {
        if (d.action !== 'assign') continue;
        for (const old of real.allocationsOf(key).filter((a) => a.eip !== d.eip)) {
          const leave = real.overlay();
          leave.unholdAll(old.eip, key);
          real.apply(leave);
          const sf = clonePoolState(ref.pools.get(old.eip)!);
          unhold(sf, key);
          ref.setPool(sf);
        }
      }
    }
    for (const s of [...ref.pools.values()]) ref.setPool(clonePoolState(s));
    assert.deepEqual(dump(real), dump(ref), `step ${step}: same pools`);
    // (the order of a Service's two places during a move is not part of the contract)
    const places = (a: Allocations, key: string) => a.allocationsOf(key).map((x) => `${x.eip}:${x.ip}`).sort();
    for (const key of keys) assert.deepEqual(places(real, key), places(ref, key), `step ${step}: ${key} indexed alike`);
  }
});
