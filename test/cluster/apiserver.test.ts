// Smoke test of the cluster harness: a real etcd + kube-apiserver, the kubeadm-like fixtures
// and the OpenELB CRDs, read back through @kubernetes/client-node as a user's tool would.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, AuthenticationV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startCluster, type Cluster } from '../harness/cluster/cluster';
import { applyFixtures, DEFAULT_NODES } from '../harness/cluster/fixtures';
import { loadKubeConfig, statusCode } from '../../runtime/src/kube/client';

let cluster: Cluster;

before(async () => {
  cluster = await startCluster(mkdtempSync(join(tmpdir(), 'openelb-apiserver-')));
  await applyFixtures(cluster.kubeconfigPath, { namespaces: ['openelb-system'] });
});
after(async () => { await cluster?.stop(); });

test('nodes carry their InternalIP addresses', async () => {
  const core = loadKubeConfig(cluster.kubeconfigPath).makeApiClient(CoreV1Api);
  const nodes = await core.listNode();
  const got = nodes.items.map((n) => [n.metadata?.name, n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address]);
  assert.deepEqual(got.sort(), DEFAULT_NODES.map((n) => [n.name, n.ip]).sort());
});

test('kube-proxy ConfigMap and DaemonSet look like kubeadm wrote them', async () => {
  const kc = loadKubeConfig(cluster.kubeconfigPath);
  const cm = await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: 'kube-proxy', namespace: 'kube-system' });
  const conf = cm.data?.['config.conf'] ?? '';
  assert.match(conf, /^kind: KubeProxyConfiguration$/m);
  assert.match(conf, /^mode: ipvs$/m);
  assert.match(conf, /^ {2}strictARP: false$/m);
  assert.ok(cm.data?.['kubeconfig.conf']?.includes('kind: Config'));
  const ds = await kc.makeApiClient(AppsV1Api).readNamespacedDaemonSet({ name: 'kube-proxy', namespace: 'kube-system' });
  assert.equal(ds.spec?.template.spec?.volumes?.[0].configMap?.name, 'kube-proxy');
});

test('Eip CRD validates, stores v1alpha2 and serves v1alpha1', async () => {
  const custom = loadKubeConfig(cluster.kubeconfigPath).makeApiClient(CustomObjectsApi);
  const group = 'network.kubesphere.io';
  await custom.createClusterCustomObject({
    group, version: 'v1alpha2', plural: 'eips',
    body: { apiVersion: `${group}/v1alpha2`, kind: 'Eip', metadata: { name: 'smoke' }, spec: { address: '192.168.0.100-192.168.0.110' } },
  });
  const v1 = await custom.getClusterCustomObject({ group, version: 'v1alpha1', plural: 'eips', name: 'smoke' }) as { spec: { address: string } };
  assert.equal(v1.spec.address, '192.168.0.100-192.168.0.110');
  // The status subresource exists on v1alpha2: status written there is kept.
  const cur = await custom.getClusterCustomObject({ group, version: 'v1alpha2', plural: 'eips', name: 'smoke' }) as Record<string, unknown>;
  await custom.replaceClusterCustomObjectStatus({ group, version: 'v1alpha2', plural: 'eips', name: 'smoke', body: { ...cur, status: { poolSize: 11, v4: true } } });
  const after2 = await custom.getClusterCustomObject({ group, version: 'v1alpha2', plural: 'eips', name: 'smoke' }) as { status?: { poolSize?: number } };
  assert.equal(after2.status?.poolSize, 11);
  // The schema is enforced: a missing spec.address is refused by the API server itself.
  await assert.rejects(
    custom.createClusterCustomObject({ group, version: 'v1alpha2', plural: 'eips', body: { apiVersion: `${group}/v1alpha2`, kind: 'Eip', metadata: { name: 'bad' }, spec: {} } }),
    (e: unknown) => statusCode(e) === 422,
  );
});

test('TokenRequest works and the API server survives a restart', async () => {
  const kc = loadKubeConfig(cluster.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace: 'openelb-system', body: { metadata: { name: 'probe' } } });
  const tr = await core.createNamespacedServiceAccountToken({ name: 'probe', namespace: 'openelb-system', body: { spec: { audiences: [] } } });
  assert.ok((tr.status?.token ?? '').split('.').length === 3, 'a JWT');
  await cluster.restartApiServer();
  const review = await kc.makeApiClient(AuthenticationV1Api).createTokenReview({ body: { spec: { token: tr.status?.token ?? '' } } });
  assert.equal(review.status?.user?.username, 'system:serviceaccount:openelb-system:probe');
});
