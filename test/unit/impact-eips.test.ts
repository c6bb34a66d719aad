// Impact before apply (core/impact/eipImpact.ts): what an edit of Eips does to the Services that
// hold addresses in the cluster. Shrink, change, disable, delete, IPv6, shared addresses, full pools.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePool } from '@openelb/core/address/pool';
import { describeSummary, eipImpact, type ClusterUse, type DesiredEip } from '@openelb/core/impact/eipImpact';
import type { ServiceFact } from '@openelb/core/model/facts';

const eip = (name: string, address: string, disable = false): DesiredEip => ({ name, address, disable, pool: parsePool(address).pool });
const svc = (key: string, ip: string, eipName?: string): ServiceFact => {
  const [namespace, name] = key.split('/');
  return { namespace, name, ip, eip: eipName };
};
const cluster = (eips: readonly DesiredEip[], services: readonly ServiceFact[]): ClusterUse => ({ eips, services });

describe('eipImpact', () => {
  const live = cluster([eip('pool-a', '10.0.0.0/28'), eip('pool-b', '10.1.0.10-10.1.0.12')], [
    svc('default/web', '10.0.0.1'), svc('shop/api', '10.0.0.9'), svc('shop/cart', '10.0.0.12'), svc('default/db', '10.1.0.10', 'pool-b'),
  ]);

  it('unchanged Eips and new Eips have no impact', () => {
    const s = eipImpact([eip('pool-a', '10.0.0.0/28'), eip('pool-new', '10.9.0.0/24')], live);
    assert.deepEqual(s, { changes: [], services: [], addressesFreed: 0, fullPools: [] });
    assert.deepEqual(describeSummary(s), ['Impact on the cluster: no address in use leaves its pool.']);
  });

  it('shrinking a range names the Services whose address leaves it, and counts the free room left', () => {
    const s = eipImpact([eip('pool-a', '10.0.0.0/29')], live);
    assert.equal(s.changes.length, 1);
    const c = s.changes[0];
    assert.equal(c.kind, 'shrink');
    assert.deepEqual(c.lost, [{ ip: '10.0.0.9', services: ['shop/api'] }, { ip: '10.0.0.12', services: ['shop/cart'] }]);
    assert.deepEqual(c.kept, [{ ip: '10.0.0.1', services: ['default/web'] }]);
    assert.equal(c.freeAfter, 7n);
    assert.deepEqual(s.services, ['shop/api', 'shop/cart']);
    assert.equal(s.addressesFreed, 2);
    const text = describeSummary(s);
    assert.equal(text[0], 'Impact on the cluster: 2 Services affected, 2 addresses in use freed, no pool becomes full.');
    assert.match(text[1], /shrinking Eip pool-a from 10\.0\.0\.0\/28 to 10\.0\.0\.0\/29 takes 2 addresses in use out of the pool: 10\.0\.0\.9 \(shop\/api\), 10\.0\.0\.12 \(shop\/cart\) lose them/);
    assert.match(text[1], /moves them to a free address \(7 free addresses in the pool as edited\)/);
    assert.match(text[1], /upstream OpenELB refuses changing spec\.address/);
  });

  it('changing the address elsewhere loses every holder; too little room leaves stale addresses', () => {
    const s = eipImpact([eip('pool-b', '10.2.0.1')], live);
    assert.equal(s.changes[0].kind, 'change');
    assert.deepEqual(s.changes[0].lost, [{ ip: '10.1.0.10', services: ['default/db'] }]);
    assert.equal(s.changes[0].freeAfter, 1n);
    const two = eipImpact([eip('pool-a', '10.0.0.100')], live);
    assert.equal(two.changes[0].lost.length, 3);
    assert.match(describeSummary(two)[1], /else they keep a stale address with an AssignIPFailed event \(1 free address in the pool as edited\)/);
  });

  it('a pool whose free addresses hit 0 given current use is reported full', () => {
    const s = eipImpact([eip('pool-b', '10.1.0.10-10.1.0.10')], cluster(live.eips, [...live.services, svc('default/x', '10.1.0.11', 'pool-b')]));
    assert.equal(s.changes[0].becomesFull, true);
    assert.deepEqual(s.fullPools, ['pool-b']);
    assert.deepEqual(s.services, ['default/x']);
    assert.match(describeSummary(s)[0], /1 pool becomes full \(pool-b\)/);
    // Shrinking to exactly the addresses in use frees none but fills the pool: still reported.
    const exact = eipImpact([eip('pool-a', '10.0.0.1')], cluster(live.eips, [svc('default/web', '10.0.0.1')]));
    assert.deepEqual(exact.fullPools, ['pool-a']);
    assert.equal(exact.addressesFreed, 0);
  });

  it('disabling a pool in use: holders keep their addresses; an unused one is no impact', () => {
    const s = eipImpact([eip('pool-a', '10.0.0.0/28', true)], live);
    assert.equal(s.changes[0].kind, 'disable');
    assert.deepEqual(s.changes[0].lost, []);
    assert.equal(s.addressesFreed, 0);
    assert.deepEqual(s.services, ['default/web', 'shop/api', 'shop/cart']);
    assert.match(describeSummary(s)[1], /disabling Eip pool-a allocates nothing new from it; the 3 Services holding its 3 addresses in use keep them, still announced/);
    assert.deepEqual(eipImpact([eip('pool-a', '10.0.0.0/28', true)], cluster(live.eips, [])).changes, []);
    // Already disabled in the cluster: nothing changes.
    assert.deepEqual(eipImpact([eip('pool-a', '10.0.0.0/28', true)], cluster([eip('pool-a', '10.0.0.0/28', true)], live.services)).changes, []);
  });

  it('deleting an Eip in use frees every address it holds', () => {
    const s = eipImpact([], live, ['pool-a', 'pool-gone']);
    assert.equal(s.changes.length, 1);
    assert.equal(s.changes[0].kind, 'delete');
    assert.equal(s.addressesFreed, 3);
    assert.match(describeSummary(s)[1], /deleting Eip pool-a \(10\.0\.0\.0\/28\) frees 3 addresses in use: .* lose them .*upstream OpenELB allows the delete and leaves them a stale address/);
  });

  it('IPv6 pools, compressed and expanded spellings alike', () => {
    const v6 = cluster([eip('v6', '2001:db8::/120')], [svc('default/a', '2001:db8::5'), svc('default/b', '2001:0db8:0000::00ff')]);
    const s = eipImpact([eip('v6', '2001:db8::/124')], v6);
    assert.deepEqual(s.changes[0].lost, [{ ip: '2001:db8::ff', services: ['default/b'] }]);
    assert.equal(s.changes[0].freeAfter, 15n);
    // An IPv4 Service address never counts in an IPv6 pool.
    assert.deepEqual(eipImpact([eip('v6', '2001:db8::/124')], cluster(v6.eips, [svc('default/c', '0.0.0.255')])).changes, []);
  });

  it('a shared address counts once, with every Service that holds it', () => {
    const shared = cluster([eip('pool-a', '10.0.0.0/30')], [svc('shop/a', '10.0.0.3'), svc('shop/b', '10.0.0.3'), svc('shop/c', '10.0.0.1')]);
    const s = eipImpact([eip('pool-a', '10.0.0.0/31')], shared);
    assert.deepEqual(s.changes[0].lost, [{ ip: '10.0.0.3', services: ['shop/a', 'shop/b'] }]);
    assert.equal(s.addressesFreed, 1);
    assert.deepEqual(s.services, ['shop/a', 'shop/b']);
  });

  it('a Service naming another Eip that also holds its address (overlapping pools) is counted there', () => {
    const overlap = cluster([eip('pool-a', '10.0.0.0/28'), eip('pool-c', '10.0.0.8/29')], [svc('shop/api', '10.0.0.9', 'pool-c'), svc('shop/x', '10.0.0.10')]);
    const s = eipImpact([eip('pool-a', '10.0.0.0/29')], overlap);
    assert.deepEqual(s.changes[0].lost, [{ ip: '10.0.0.10', services: ['shop/x'] }]);
  });

  it('invalid addresses (edited or in the cluster) and Services without an address are left to other rules', () => {
    assert.deepEqual(eipImpact([eip('pool-a', '10.0.0.300')], live).changes, []);
    assert.deepEqual(eipImpact([eip('bad', '10.0.0.1')], cluster([eip('bad', 'x')], live.services)).changes, []);
    assert.deepEqual(eipImpact([eip('pool-b', '10.5.0.1')], cluster(live.eips, [{ namespace: 'a', name: 'b', eip: 'pool-b' }])).changes, []);
  });
});
