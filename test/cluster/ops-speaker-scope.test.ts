// Each speaker may change only its own node's part, on a real kube-apiserver with what `openelb
// deploy` installs: the speaker's own write paths (KubeWrites, SpeakerLease) under a token bound
// to a Pod on worker1 succeed, and the same token is refused (403, naming the rule) for worker2's
// Node, Lease, Eip condition and BgpPeer entry, for labels and taints of its own Node, and for
// status fields that are not its own. A token without a node is refused every write. The real
// Pod Security admission accepts the controller pod at "restricted" and the speaker only at
// "privileged".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { startCluster, type Cluster } from '../harness/cluster/cluster';
import { applyFixtures } from '../harness/cluster/fixtures';
import { tokenFor, writeKubeconfig } from './opsHelpers';
import { speakerOnNode, type BoundSpeaker } from './speakerToken';
import { deploy } from '../../runtime/src/ops/deploy';
import { buildManifests } from '../../runtime/src/ops/manifests';
import type { KubeObject } from '../../runtime/src/ops/resources';
import { loadKubeConfig } from '../../runtime/src/kube/kubeconfig';
import { restCall } from '../../runtime/src/kube/rest';
import { apiStatus } from '../../runtime/src/kube/errors';
import { KubeWrites } from '../../runtime/src/speaker/node/kubeWrites';
import { SpeakerLease } from '../../runtime/src/speaker/node/speakerLease';

const RUNTIME = { bundle: Buffer.from('bundle'), helpers: { amd64: Buffer.from('helper') } };
const GROUP = 'network.kubesphere.io';
const VERSION = 'v1alpha2';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const NS = 'openelb-system';

let cluster: Cluster;
let kc: KubeConfig;
let w1: BoundSpeaker;
let w2: BoundSpeaker;

before(async () => {
  cluster = await startCluster(mkdtempSync(join(tmpdir(), 'openelb-speaker-scope-')));
  await applyFixtures(cluster.kubeconfigPath, { crds: false });
  kc = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
  await deploy(kc, { runtime: RUNTIME });
  w1 = await speakerOnNode(kc, cluster.dir, cluster.server, 'worker1');
  w2 = await speakerOnNode(kc, cluster.dir, cluster.server, 'worker2');
  // The policy is enforced once the API server's policy informer has it: wait for a refusal.
  const core = w1.kc.makeApiClient(CoreV1Api);
  for (const until = Date.now() + 20_000; ;) {
    const refused = await core.patchNode({ name: 'worker2', body: { metadata: { annotations: { probe: 'x' } } } }, MERGE).then(() => false, () => true);
    if (refused) break;
    if (Date.now() > until) throw new Error('the node-scope policy was never enforced');
    await new Promise((r) => setTimeout(r, 200));
  }
  await kc.makeApiClient(CoreV1Api).patchNode({ name: 'worker2', body: { metadata: { annotations: { probe: null } } } }, MERGE);
});
after(async () => {
  await w1?.remove();
  await w2?.remove();
  await cluster?.stop();
});

/** Rejects with 403 and a message matching `why`. */
const refused = (p: Promise<unknown>, why: RegExp) => assert.rejects(p, (e: unknown) => {
  const status = apiStatus(e);
  assert.equal(status?.code, 403, String(e));
  assert.match(status.message, why);
  return true;
});

test('Nodes: a speaker sets its own Node\'s interfaces annotation, and nothing else of any Node', async () => {
  await new KubeWrites(w1.kc, 'worker1').setInterfacesAnnotation('eth0=192.168.0.11/24');
  const own = await kc.makeApiClient(CoreV1Api).readNode({ name: 'worker1' });
  assert.equal(own.metadata?.annotations?.['openelb.kubesphere.io/interfaces'], 'eth0=192.168.0.11/24');
  const core = w1.kc.makeApiClient(CoreV1Api);
  await refused(new KubeWrites(w1.kc, 'worker2').setInterfacesAnnotation('eth0=10.0.0.1/8'), /speaker on node 'worker1' may change only its own Node/);
  await refused(core.patchNode({ name: 'worker1', body: { metadata: { labels: { 'node-role.kubernetes.io/control-plane': '' } } } }, MERGE), /only the openelb.kubesphere.io\/interfaces annotation/);
  await refused(core.patchNode({ name: 'worker1', body: { spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } } }, MERGE), /only the openelb.kubesphere.io\/interfaces annotation/);
  await refused(core.patchNode({ name: 'worker1', body: { metadata: { annotations: { other: 'x' } } } }, MERGE), /only the openelb.kubesphere.io\/interfaces annotation/);
});

test('Leases: a speaker renews and deletes openelb-speaker-<its node> only', async () => {
  const logs: string[] = [];
  const lease = new SpeakerLease(w1.kc, { namespace: NS, node: 'worker1', renewMs: 200, durationMs: 800, log: (m) => logs.push(m), onChange: () => {} });
  await lease.start();
  await lease.release();
  assert.deepEqual(logs, [], 'renewed and released without a refusal');
  const coord = w1.kc.makeApiClient(CoordinationV1Api);
  const lease2 = { metadata: { name: 'openelb-speaker-worker2' }, spec: { holderIdentity: 'worker2' } };
  await refused(coord.createNamespacedLease({ namespace: NS, body: lease2 }), /may write only its own Lease openelb-speaker-<node>/);
  const live = await w2.kc.makeApiClient(CoordinationV1Api).createNamespacedLease({ namespace: NS, body: lease2 });
  await refused(coord.replaceNamespacedLease({ name: 'openelb-speaker-worker2', namespace: NS, body: { ...live, spec: { holderIdentity: 'worker1' } } }), /own Lease/);
  await refused(coord.deleteNamespacedLease({ name: 'openelb-speaker-worker2', namespace: NS }), /own Lease/);
  await refused(coord.createNamespacedLease({ namespace: NS, body: { metadata: { name: 'openelb-controller' }, spec: { holderIdentity: 'worker1' } } }), /own Lease/);
  await w2.kc.makeApiClient(CoordinationV1Api).deleteNamespacedLease({ name: 'openelb-speaker-worker2', namespace: NS });
});

test('Eip status: a speaker writes its own condition; another node\'s condition or the allocation record is refused', async () => {
  const custom = kc.makeApiClient(CustomObjectsApi);
  await custom.createClusterCustomObject({ group: GROUP, version: VERSION, plural: 'eips', body: {
    apiVersion: `${GROUP}/${VERSION}`, kind: 'Eip', metadata: { name: 'pool' }, spec: { address: '192.168.0.100-192.168.0.110', protocol: 'layer2', interface: 'eth0' },
  } });
  assert.equal(await new KubeWrites(w2.kc, 'worker2').setEipCondition('pool', true, 'serving'), true, 'no status yet: the first condition');
  assert.equal(await new KubeWrites(w1.kc, 'worker1').setEipCondition('pool', false, 'eth0 missing'), true);
  const got = await custom.getClusterCustomObject({ group: GROUP, version: VERSION, plural: 'eips', name: 'pool' }) as { status: { conditions: { type: string; status: string }[] } };
  assert.deepEqual(got.status.conditions.map((c) => `${c.type}=${c.status}`).sort(), ['Speaker.worker1=False', 'Speaker.worker2=True']);
  const s1 = w1.kc.makeApiClient(CustomObjectsApi);
  const other = { status: { conditions: got.status.conditions.map((c) => ({ ...c, status: 'False' })) } };
  await refused(s1.patchClusterCustomObjectStatus({ group: GROUP, version: VERSION, plural: 'eips', name: 'pool', body: other }, MERGE), /only its own condition Speaker.<node>/);
  await refused(s1.patchClusterCustomObjectStatus({ group: GROUP, version: VERSION, plural: 'eips', name: 'pool', body: { status: { used: { '192.168.0.100': 'default/web' } } } }, MERGE), /only its own condition/);
  await refused(new KubeWrites(w1.kc, 'worker2').setEipCondition('pool', false, 'forged'), /only its own condition/);
});

test('BgpPeer and BgpConf status: a speaker writes and removes its own node\'s entry only', async () => {
  const custom = kc.makeApiClient(CustomObjectsApi);
  await custom.createClusterCustomObject({ group: GROUP, version: VERSION, plural: 'bgppeers', body: {
    apiVersion: `${GROUP}/${VERSION}`, kind: 'BgpPeer', metadata: { name: 'tor' }, spec: { conf: { peerAs: 65000, neighborAddress: '192.168.0.1' } },
  } });
  await custom.createClusterCustomObject({ group: GROUP, version: VERSION, plural: 'bgpconfs', body: {
    apiVersion: `${GROUP}/${VERSION}`, kind: 'BgpConf', metadata: { name: 'default' }, spec: { as: 65001, listenPort: 17900, routerId: '192.168.0.11' },
  } });
  const peerStatus = { peerState: { sessionState: 'ESTABLISHED' } };
  await new KubeWrites(w1.kc, 'worker1').setPeerStatus('tor', peerStatus);
  await new KubeWrites(w2.kc, 'worker2').setPeerStatus('tor', peerStatus);
  await new KubeWrites(w1.kc, 'worker1').setConfStatus('default', { as: 65001, routerId: '192.168.0.11' });
  await refused(new KubeWrites(w1.kc, 'worker2').setPeerStatus('tor', null), /only its own key of a BgpPeer status.nodesPeerStatus/);
  await refused(new KubeWrites(w1.kc, 'worker2').setConfStatus('default', { as: 1, routerId: '10.0.0.1' }), /only its own key of a BgpConf/);
  await new KubeWrites(w1.kc, 'worker1').setPeerStatus('tor', null);
  const got = await custom.getClusterCustomObject({ group: GROUP, version: VERSION, plural: 'bgppeers', name: 'tor' }) as { status: { nodesPeerStatus: Record<string, unknown> } };
  assert.deepEqual(Object.keys(got.status.nodesPeerStatus), ['worker2']);
});

test('a speaker token that names no node is refused every write, saying what it lacks', async () => {
  const token = await tokenFor(kc, NS, 'openelb-speaker');
  const loose = loadKubeConfig({ kubeconfig: writeKubeconfig(cluster.dir, 'speaker-unbound.kubeconfig', cluster.server, token) });
  const why = /names no node \(user extra authentication.kubernetes.io\/node-name\)/;
  await refused(new KubeWrites(loose, 'worker1').setInterfacesAnnotation('eth0=1.2.3.4/32'), why);
  await refused(loose.makeApiClient(CoordinationV1Api).createNamespacedLease({ namespace: NS, body: { metadata: { name: 'openelb-speaker-worker1' }, spec: {} } }), why);
  // Reading stays allowed: the policy guards writes.
  await loose.makeApiClient(CoreV1Api).listNode();
});

test('Pod Security: the controller pod is admitted at "restricted", the speaker pod only at "privileged"', async () => {
  const objects = buildManifests({ runtime: RUNTIME });
  const podOf = (kind: string, ns: string) => {
    const w = objects.find((o) => o.kind === kind) as KubeObject & { spec: { template: { metadata: object; spec: object } } };
    return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `psa-${kind.toLowerCase()}`, namespace: ns }, spec: w.spec.template.spec };
  };
  const core = kc.makeApiClient(CoreV1Api);
  const tryPod = (kind: string, ns: string) => restCall(kc, 'POST', `/api/v1/namespaces/${ns}/pods`, { body: podOf(kind, ns), query: { dryRun: 'All' } });
  for (const level of ['restricted', 'baseline']) {
    await core.createNamespace({ body: { metadata: { name: `psa-${level}`, labels: { 'pod-security.kubernetes.io/enforce': level } } } });
    // The ServiceAccounts the pods name must exist where they are created.
    for (const sa of ['openelb-controller', 'openelb-speaker']) await core.createNamespacedServiceAccount({ namespace: `psa-${level}`, body: { metadata: { name: sa } } });
  }
  await tryPod('Deployment', 'psa-restricted');
  await refused(tryPod('DaemonSet', 'psa-restricted'), /violates PodSecurity "restricted:latest": host namespaces \(hostNetwork=true\), unrestricted capabilities .*NET_RAW/);
  await refused(tryPod('DaemonSet', 'psa-baseline'), /violates PodSecurity "baseline.*host namespaces/);
  await tryPod('DaemonSet', NS);
  const ns = await core.readNamespace({ name: NS });
  assert.equal(ns.metadata?.labels?.['pod-security.kubernetes.io/enforce'], 'privileged');
});
