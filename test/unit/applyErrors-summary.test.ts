// Apply Current File's texts: the impact on running Services in the confirmation (from the
// OpenELB view's watches, the same summary as `openelb lint --cluster`), and what a cancel wrote.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cancelledMessage, impactLines } from '../../client/src/commands/applySummary';
import { emptyObjects, type ClusterSnapshot, type KObject } from '../../client/src/cluster/clusterState';

function snapshot(state: ClusterSnapshot['state'], eips: KObject[], services: KObject[]): ClusterSnapshot {
  const objects = emptyObjects();
  for (const e of eips) objects.eips.set(e.metadata!.name!, e);
  for (const s of services) objects.services.set(`${s.metadata!.namespace}/${s.metadata!.name}`, s);
  return { state, context: 'lab', objects };
}
const lbService = (namespace: string, name: string, ip: string): KObject => ({
  metadata: { namespace, name, annotations: { 'lb.kubesphere.io/v1alpha1': 'openelb' } },
  spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip }] } },
});
const EIP: KObject = { metadata: { name: 'pool-a' }, spec: { address: '10.0.0.0/29', protocol: 'bgp' } };
const FILE = 'apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: pool-a\nspec:\n  address: 10.0.0.0/30\n';

describe('Apply Current File texts', () => {
  it('the confirmation names the Services losing their address and the addresses freed', () => {
    const lines = impactLines('file:///pools.yaml', FILE, snapshot('connected', [EIP], [lbService('shop', 'api', '10.0.0.6'), lbService('shop', 'web', '10.0.0.1')]));
    assert.equal(lines[0], 'Impact on the cluster: 1 Service affected, 1 address in use freed, no pool becomes full.');
    assert.match(lines[1], /^- shrinking Eip pool-a from 10\.0\.0\.0\/29 to 10\.0\.0\.0\/30 takes 1 address in use out of the pool: 10\.0\.0\.6 \(shop\/api\) lose them/);
  });

  it('says when no address in use leaves its pool, and when the impact is unknown', () => {
    assert.deepEqual(impactLines('file:///pools.yaml', FILE, snapshot('connected', [EIP], [lbService('shop', 'web', '10.0.0.1')])),
      ['Impact on the cluster: no address in use leaves its pool.']);
    assert.deepEqual(impactLines('file:///pools.yaml', FILE, { ...snapshot('unreachable', [], []), detail: 'connect ECONNREFUSED' }),
      ['Impact on running Services unknown: the OpenELB view is not connected (unreachable: connect ECONNREFUSED).']);
  });

  it('a cancel says what was written, what may have been, and what was not sent', () => {
    const names = ['Eip/a', 'Eip/b', 'Service/c'];
    assert.equal(cancelledMessage(names, 0, false), 'OpenELB: apply cancelled; nothing was applied; not sent: Eip/a, Eip/b, Service/c.');
    assert.equal(cancelledMessage(names, 1, true), 'OpenELB: apply cancelled; applied Eip/a; Eip/b was sent and may have been applied (check it with kubectl get); not sent: Service/c.');
    assert.equal(cancelledMessage(names, 2, true), 'OpenELB: apply cancelled; applied Eip/a, Eip/b; Service/c was sent and may have been applied (check it with kubectl get).');
  });
});
