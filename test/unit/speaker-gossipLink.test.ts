// The speaker's gossip I/O glue (runtime/src/speaker/node/gossipLink.ts, liveness.ts): who is a
// member (nodes with a speaker pod, at their InternalIP), the death declarations read from and
// written to speaker Leases (bounded in time), and the request timeout of Lease writes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { DECLARATION_TTL_MS, GossipLink, SPEAKER_POD_LABELS, speakerMembers, withTimeout } from '../../runtime/src/speaker/node/gossipLink';
import { DECLARED_DEAD_ANNOTATION, leaseDeclarations, type LeaseLike } from '../../runtime/src/speaker/node/liveness';

const nodeObj = (name: string, ips: string[]): V1Node => ({ metadata: { name }, status: { addresses: ips.map((address) => ({ type: 'InternalIP', address })) } });
const pod = (node: string, o: { labels?: Record<string, string>; phase?: string; deleting?: boolean } = {}): V1Pod => ({
  metadata: { name: `speaker-${node}`, labels: o.labels ?? SPEAKER_POD_LABELS, ...(o.deleting ? { deletionTimestamp: new Date() } : {}) },
  spec: { nodeName: node, containers: [] }, status: { phase: o.phase ?? 'Running' },
});

test('members: nodes running a speaker pod (not deleted, not finished), at their first IPv4 InternalIP', () => {
  const nodes = [nodeObj('a', ['fd00::1', '10.0.0.1']), nodeObj('b', ['fd00::2']), nodeObj('c', ['10.0.0.3']), nodeObj('d', ['10.0.0.4']), nodeObj('e', ['10.0.0.5'])];
  const pods = [pod('a'), pod('b', { phase: 'Pending' }), pod('c', { deleting: true }), pod('d', { phase: 'Failed' }),
    pod('e', { labels: { 'app.kubernetes.io/name': 'openelb', 'app.kubernetes.io/component': 'controller' } }), pod('ghost')];
  assert.deepEqual([...speakerMembers(pods, nodes)], [['a', '10.0.0.1'], ['b', 'fd00::2']]);
});

test('death declarations on speaker Leases: by the Lease\'s node, malformed entries skipped', () => {
  const lease = (n: string, v?: string): LeaseLike => ({ metadata: { name: `openelb-speaker-${n}`, annotations: v === undefined ? {} : { [DECLARED_DEAD_ANNOTATION]: v } } });
  assert.deepEqual(leaseDeclarations([lease('b', 'a@17,c@x,@3,d@5'), lease('c'), { metadata: { name: 'other', annotations: { [DECLARED_DEAD_ANNOTATION]: 'a@1' } } }]),
    [{ by: 'b', node: 'a', inc: 17 }, { by: 'b', node: 'd', inc: 5 }]);
});

test('declarations to write: new ones ask for a write at once, repeats do not, each is dropped after its time', async () => {
  const link = await GossipLink.start(new Uint8Array(32).fill(7), { namespace: 'ns', node: 'a', port: 0, log: () => undefined, onChange: () => undefined }, '127.0.0.1');
  try {
    assert.equal(link.declare([{ node: 'c', inc: 5 }], 1000), true);
    assert.equal(link.declare([{ node: 'c', inc: 5 }], 1500), false, 'already on the Lease');
    assert.equal(link.declare([{ node: 'b', inc: 9 }], 2000), true);
    assert.equal(link.declarations(2000), 'b@9,c@5');
    assert.equal(link.declarations(1000 + DECLARATION_TTL_MS + 1), 'b@9', 'c\'s declaration expired');
    assert.equal(link.declarations(2000 + DECLARATION_TTL_MS + 1), '');
  } finally {
    link.close();
  }
});

test('a request that does not answer in time is given up, saying what and how long', async () => {
  await assert.rejects(withTimeout(new Promise(() => undefined), 20, 'renewing the Lease'), /renewing the Lease: no answer in 20 ms/);
  assert.equal(await withTimeout(Promise.resolve(3), 20, 'x'), 3);
});
