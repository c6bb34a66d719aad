// `openelb undeploy` against a real kube-apiserver: it refuses while Services hold OpenELB
// addresses or its finalizer, releases them when told (after which deleting them completes),
// and deletes in an order that lets the runtime's pods stop while their RBAC still exists:
// workloads, wait for the pods, Services released, then ConfigMap, RBAC, accounts, namespace.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { startCluster, type Cluster } from '../harness/cluster/cluster';
import { applyFixtures } from '../harness/cluster/fixtures';
import { requireBundle, runCli } from './opsHelpers';
import { deploy, undeploy } from '../../runtime/src/ops/deploy';
import { HeldServicesError } from '../../runtime/src/ops/heldServices';
import { waitPodsGone } from '../../runtime/src/ops/podsGone';
import { loadKubeConfig } from '../../runtime/src/kube/kubeconfig';
import { statusCode } from '../../runtime/src/kube/errors';

let cluster: Cluster;
let kc: KubeConfig;
let core: CoreV1Api;
const NS = 'openelb-system';
const FINALIZER = 'finalizer.lb.kubesphere.io/v1alpha1';

before(async () => {
  requireBundle();
  cluster = await startCluster(mkdtempSync(join(tmpdir(), 'openelb-ops-undeploy-')));
  await applyFixtures(cluster.kubeconfigPath, { crds: false });
  kc = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
  core = kc.makeApiClient(CoreV1Api);
  await deploy(kc);
  // A Service as the controller leaves it: finalizer, pool label and an address in its status.
  await core.createNamespacedService({ namespace: 'default', body: {
    metadata: { name: 'held', finalizers: [FINALIZER], labels: { 'eip.openelb.kubesphere.io/v1alpha2': 'pool', keep: 'me' },
      annotations: { 'lb.kubesphere.io/v1alpha1': 'openelb' } },
    spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
  } });
  const svc = await core.readNamespacedService({ name: 'held', namespace: 'default' });
  await core.replaceNamespacedServiceStatus({ name: 'held', namespace: 'default', body: { ...svc, status: { loadBalancer: { ingress: [{ ip: '192.168.0.250' }] } } } });
});
after(async () => { await cluster?.stop(); });

/** A pod of the runtime, as the Deployment would make (this cluster has no kubelet to run it). */
async function fakeRuntimePod(name: string): Promise<void> {
  await core.createNamespacedPod({ namespace: NS, body: {
    metadata: { name, labels: { 'app.kubernetes.io/name': 'openelb', 'app.kubernetes.io/component': 'controller' } },
    spec: { serviceAccountName: 'openelb-controller', automountServiceAccountToken: false, containers: [{ name: 'c', image: 'node:24-bookworm-slim' }] },
  } });
}

test('undeploy refuses while a Service holds an OpenELB address, naming it and the flag; nothing deleted', async () => {
  await assert.rejects(undeploy(kc), (e: Error) => e instanceof HeldServicesError
    && e.services.map((s) => `${s.namespace}/${s.name}`).join() === 'default/held'
    && /default\/held \(192\.168\.0\.250\).*--release-services/s.test(e.message));
  await assert.rejects(undeploy(kc, { dryRun: true }), HeldServicesError);
  const cli = runCli(['undeploy', '--kubeconfig', cluster.kubeconfigPath]);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /openelb undeploy: 1 Service still holds.*default\/held \(192\.168\.0\.250\).*Pass --release-services/s);
  await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'openelb-controller', namespace: NS });
});

test('dry run with --release-services reports the release and changes nothing', () => {
  const r = runCli(['undeploy', '--dry-run', '--release-services', '--kubeconfig', cluster.kubeconfigPath]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^release +Service default\/held \(192\.168\.0\.250\)$/m);
  assert.match(r.stdout, /^dry run: \d+ delete, 1 release$/m);
  return core.readNamespacedService({ name: 'held', namespace: 'default' }).then((s) => {
    assert.deepEqual(s.metadata?.finalizers, [FINALIZER]);
    assert.equal(s.status?.loadBalancer?.ingress?.[0]?.ip, '192.168.0.250');
  });
});

test('the pod wait is bounded and says which pods remain', async () => {
  await fakeRuntimePod('slow');
  const notes: string[] = [];
  const left = await waitPodsGone(kc, 300, (m) => notes.push(m), 50);
  assert.deepEqual(left, ['slow']);
  assert.match(notes.join('\n'), /waiting for 1 runtime pod\(s\) to stop: slow/);
  assert.match(notes.at(-1) ?? '', /1 runtime pod\(s\) still present after 0 s: slow; continuing/);
  await core.deleteNamespacedPod({ name: 'slow', namespace: NS });
  assert.deepEqual(await waitPodsGone(kc, 1000), []);
});

test('undeploy --release-services: workloads first, waits for the pods, releases, then the rest', async () => {
  await fakeRuntimePod('controller-abc');
  const events: string[] = [];
  let podDeleted = false;
  const { changes } = await undeploy(kc, {
    releaseServices: true,
    onProgress: (c) => events.push(`${c.action} ${c.kind}`),
    onNote: (m) => {
      events.push(`note ${m}`);
      // The pod "stops" once undeploy waits for it.
      if (!podDeleted) { podDeleted = true; void core.deleteNamespacedPod({ name: 'controller-abc', namespace: NS }); }
    },
  });
  assert.deepEqual(events.slice(0, 4), [
    'delete DaemonSet', 'delete Deployment', 'note waiting for 1 runtime pod(s) to stop: controller-abc', 'release Service',
  ]);
  const rest = events.slice(4);
  assert.deepEqual(rest.map((e) => e.split(' ')[1]), ['ConfigMap', 'RoleBinding', 'Role', 'ClusterRoleBinding', 'ClusterRole',
    'RoleBinding', 'Role', 'ClusterRoleBinding', 'ClusterRole', 'ServiceAccount', 'ServiceAccount',
    'ValidatingAdmissionPolicyBinding', 'ValidatingAdmissionPolicy', 'Secret', 'Namespace']);
  assert.ok(rest.every((e) => e.startsWith('delete ')), rest.join('\n'));
  assert.deepEqual(changes.find((c) => c.action === 'release'), { kind: 'Service', name: 'held', namespace: 'default', action: 'release', detail: '192.168.0.250' });

  const svc = await core.readNamespacedService({ name: 'held', namespace: 'default' });
  assert.deepEqual(svc.metadata?.finalizers ?? [], [], 'our finalizer is gone');
  assert.deepEqual(svc.metadata?.labels, { keep: 'me' }, 'our pool label is gone, the others stay');
  assert.deepEqual(svc.status?.loadBalancer?.ingress ?? [], [], 'the address is gone');
  // Deleting the Service now completes: nothing waits on a controller that is gone.
  await core.deleteNamespacedService({ name: 'held', namespace: 'default' });
  for (const until = Date.now() + 10_000; ;) {
    const gone = await core.readNamespacedService({ name: 'held', namespace: 'default' }).then(() => false, (e: unknown) => statusCode(e) === 404);
    if (gone) break;
    if (Date.now() > until) throw new Error('default/held is still there 10 s after its deletion');
    await new Promise((r) => setTimeout(r, 100));
  }
});
