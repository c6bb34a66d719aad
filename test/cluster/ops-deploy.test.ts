// `openelb deploy` / `undeploy` against a real kube-apiserver: server-side apply of every object,
// CRDs Established, idempotence, dry-run storing nothing, least-privilege RBAC of the controller
// (checked with a real token of its ServiceAccount), and the CLI bundle deploying itself.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import {
  ApiextensionsV1Api, AppsV1Api, CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api, type KubeConfig,
} from '@kubernetes/client-node';
import { startCluster, type Cluster } from './cluster';
import { applyFixtures } from './fixtures';
import { BUNDLE, requireBundle, runCli, tokenFor, writeKubeconfig } from './opsHelpers';
import { deploy, undeploy, type Change } from '../../runtime/src/ops/deploy';
import { kubeCall, loadOpsKubeConfig } from '../../runtime/src/ops/kubeconfig';
import { statusCode } from '../../runtime/src/kube/client';
import { runController } from '../../runtime/src/controller/runController';

let cluster: Cluster;
let kc: KubeConfig;
const CRDS = ['eips.network.kubesphere.io', 'bgpconfs.network.kubesphere.io', 'bgppeers.network.kubesphere.io'];
const actions = (cs: Change[]): Set<string> => new Set(cs.map((c) => c.action));

before(async () => {
  requireBundle();
  cluster = await startCluster(mkdtempSync(join(tmpdir(), 'openelb-ops-deploy-')));
  // No CRDs from the fixtures: deploy installs them.
  await applyFixtures(cluster.kubeconfigPath, { crds: false });
  kc = loadOpsKubeConfig({ kubeconfig: cluster.kubeconfigPath });
});
after(async () => { await cluster?.stop(); });

const notFound = async (p: Promise<unknown>): Promise<boolean> => p.then(() => false, (e: unknown) => statusCode(e) === 404);

test('dry-run on an empty cluster reports every object as create and stores nothing', async () => {
  const { changes } = await deploy(kc, { dryRun: true });
  assert.ok(changes.length >= 17, `expected all objects, got ${changes.length}`);
  assert.deepEqual(actions(changes), new Set(['create']));
  assert.equal(await notFound(kc.makeApiClient(CoreV1Api).readNamespace({ name: 'openelb-system' })), true);
  assert.equal(await notFound(kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: CRDS[0] })), true);
});

test('deploy creates everything, CRDs Established, least-privilege RBAC, runtime in the ConfigMap', async () => {
  const seen: Change[] = [];
  const { changes } = await deploy(kc, { onProgress: (c) => seen.push(c) });
  assert.deepEqual(seen, changes);
  assert.deepEqual(actions(changes), new Set(['create']));
  assert.deepEqual(changes.slice(0, 3).map((c) => c.kind), Array(3).fill('CustomResourceDefinition'), 'CRDs are applied first');

  const ext = kc.makeApiClient(ApiextensionsV1Api);
  for (const name of CRDS) {
    const crd = await ext.readCustomResourceDefinition({ name });
    assert.ok(crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'), `${name} Established`);
    assert.equal(crd.metadata?.labels?.['app.kubernetes.io/managed-by'], 'openelb-toolkit');
    assert.ok(crd.metadata?.managedFields?.some((f) => f.manager === 'openelb' && f.operation === 'Apply'), 'server-side applied by openelb');
  }
  // The served schema kept keys the typed client would have dropped (enum).
  const eipCrd = await ext.readCustomResourceDefinition({ name: CRDS[0] });
  const v2 = eipCrd.spec.versions.find((v) => v.name === 'v1alpha2');
  assert.deepEqual(v2?.schema?.openAPIV3Schema?.properties?.spec?.properties?.protocol?._enum, ['bgp', 'layer2', 'vip']);

  const apps = kc.makeApiClient(AppsV1Api);
  const dep = await apps.readNamespacedDeployment({ name: 'openelb-controller', namespace: 'openelb-system' });
  const c = dep.spec?.template.spec?.containers[0];
  assert.equal(c?.image, 'node:20-bookworm-slim');
  assert.deepEqual(c?.command?.slice(0, 3), ['node', '/opt/openelb/openelb.js', 'controller']);
  assert.equal(c?.livenessProbe?.httpGet?.path, '/healthz');
  assert.equal(dep.metadata?.labels?.['app.kubernetes.io/name'], 'openelb');

  const ds = await apps.readNamespacedDaemonSet({ name: 'openelb-speaker', namespace: 'openelb-system' });
  const s = ds.spec?.template.spec;
  assert.equal(s?.hostNetwork, true);
  assert.deepEqual(s?.containers[0].command, ['node', '/opt/openelb/openelb.js', 'speaker', '--node', '$(NODE_NAME)']);
  assert.deepEqual({ ...s?.containers[0].securityContext?.capabilities }, { add: ['NET_RAW', 'NET_ADMIN'], drop: ['ALL'] });
  assert.notEqual(s?.containers[0].securityContext?.privileged, true);

  // The ConfigMap holds the loader and the compressed bundle, byte for byte dist/openelb.js.
  const cm = await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: 'openelb-runtime', namespace: 'openelb-system' });
  assert.match(cm.data?.['openelb.js'] ?? '', /brotliDecompressSync/);
  const packed = Buffer.from(cm.binaryData?.['openelb.js.br'] ?? '', 'base64');
  assert.ok(brotliDecompressSync(packed).equals(readFileSync(BUNDLE)), 'the shipped bundle is dist/openelb.js');

  // No rule of ours mentions secrets or wildcards.
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  for (const name of ['openelb-controller', 'openelb-speaker']) {
    const role = await rbac.readClusterRole({ name });
    const all = JSON.stringify(role.rules);
    assert.doesNotMatch(all, /secrets|"\*"/, `${name} rules: ${all}`);
  }
});

test('a second deploy changes nothing; dry-run of another image reports updates without storing them', async () => {
  const rv = async () => (await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: 'openelb-runtime', namespace: 'openelb-system' })).metadata?.resourceVersion;
  const rvBefore = await rv();
  const { changes } = await deploy(kc);
  assert.deepEqual(changes.filter((c) => c.action !== 'unchanged'), [], 'all unchanged');
  assert.equal(await rv(), rvBefore, 'nothing was written');
  const dry = await deploy(kc, { dryRun: true, image: 'node:22-bookworm-slim' });
  assert.deepEqual(dry.changes.filter((c) => c.action === 'update').map((c) => c.kind).sort(), ['DaemonSet', 'Deployment']);
  const dep = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'openelb-controller', namespace: 'openelb-system' });
  assert.equal(dep.spec?.template.spec?.containers[0].image, 'node:20-bookworm-slim', 'dry-run stored nothing');
});

test('the controller ServiceAccount can list services and eips, and is refused secrets and deployments', async () => {
  const token = await tokenFor(kc, 'openelb-system', 'openelb-controller');
  const sakc = loadOpsKubeConfig({ kubeconfig: writeKubeconfig(cluster.dir, 'controller.kubeconfig', cluster.server, token) });
  const core = sakc.makeApiClient(CoreV1Api);
  assert.ok(Array.isArray((await core.listServiceForAllNamespaces()).items));
  const eips = await sakc.makeApiClient(CustomObjectsApi).listClusterCustomObject({ group: 'network.kubesphere.io', version: 'v1alpha2', plural: 'eips' });
  assert.ok(Array.isArray((eips as { items: unknown[] }).items));
  await assert.rejects(kubeCall(sakc, 'list', 'secrets in kube-system', () => core.listNamespacedSecret({ namespace: 'kube-system' })),
    (e: Error) => /RBAC refused.*list secrets in kube-system.*403/s.test(e.message) && !e.message.includes(token));
  await assert.rejects(sakc.makeApiClient(AppsV1Api).listDeploymentForAllNamespaces(), (e: unknown) => statusCode(e) === 403);
  await assert.rejects(core.listSecretForAllNamespaces(), (e: unknown) => statusCode(e) === 403);
});

test('the real controller runs under its ServiceAccount without any RBAC refusal', async () => {
  const token = await tokenFor(kc, 'openelb-system', 'openelb-controller');
  const logs: string[] = [];
  const ctl = await runController({
    kubeconfig: writeKubeconfig(cluster.dir, 'controller2.kubeconfig', cluster.server, token),
    identity: 'ops-test', retryPeriodMs: 200, log: (m) => logs.push(m),
  });
  try {
    const deadline = Date.now() + 20_000;
    while (!ctl.isLeader()) {
      if (Date.now() > deadline) throw new Error(`never became leader (lease in openelb-system):\n${logs.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const group = 'network.kubesphere.io';
    await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({ group, version: 'v1alpha2', plural: 'eips', body: {
      apiVersion: `${group}/v1alpha2`, kind: 'Eip', metadata: { name: 'rbac-pool' }, spec: { address: '192.168.0.200-192.168.0.210', protocol: 'layer2', interface: 'eth0' },
    } });
    await kc.makeApiClient(CoreV1Api).createNamespacedService({ namespace: 'default', body: {
      metadata: { name: 'rbac-web', annotations: { 'lb.kubesphere.io/v1alpha1': 'openelb', 'eip.openelb.kubesphere.io/v1alpha2': 'rbac-pool' } },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    } });
    // Wait until the controller has handled the Service (finalizer set, or it logged about it).
    const core = kc.makeApiClient(CoreV1Api);
    for (const until = Date.now() + 15_000; ;) {
      const svc = await core.readNamespacedService({ name: 'rbac-web', namespace: 'default' });
      if (svc.metadata?.finalizers?.length || logs.some((l) => l.includes('rbac-web'))) break;
      if (Date.now() > until) throw new Error(`the controller never handled default/rbac-web:\n${logs.join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await ctl.idle();
  } finally {
    await ctl.stop();
  }
  assert.deepEqual(logs.filter((l) => /forbidden|HTTP 403/i.test(l)), [], 'no RBAC refusal');
});

test('the bundle deploys itself: `node dist/openelb.js deploy --dry-run` and usage errors', () => {
  const r = runCli(['deploy', '--dry-run', '--kubeconfig', cluster.kubeconfigPath]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^unchanged +ConfigMap openelb-system\/openelb-runtime$/m);
  assert.match(r.stdout, /^dry run: \d+ unchanged$/m);
  const bad = runCli(['deploy', '--bogus']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown option --bogus/);
  const missing = runCli(['deploy', '--kubeconfig', join(cluster.dir, 'nope')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /kubeconfig file not found: .*nope/);
});

test('undeploy: dry-run deletes nothing; then everything but the CRDs goes; --include-crds removes those', async () => {
  const dry = await undeploy(kc, { dryRun: true });
  assert.ok(dry.changes.every((c) => c.action === 'delete'), JSON.stringify(dry.changes));
  await kc.makeApiClient(AppsV1Api).readNamespacedDaemonSet({ name: 'openelb-speaker', namespace: 'openelb-system' });

  const { changes } = await undeploy(kc);
  assert.ok(!changes.some((c) => c.kind === 'CustomResourceDefinition'), 'CRDs kept');
  assert.equal(await notFound(kc.makeApiClient(AppsV1Api).readNamespacedDaemonSet({ name: 'openelb-speaker', namespace: 'openelb-system' })), true);
  assert.equal(await notFound(kc.makeApiClient(RbacAuthorizationV1Api).readClusterRole({ name: 'openelb-controller' })), true);
  // Without a controller-manager the namespace stays Terminating; it must at least be marked.
  const ns = await kc.makeApiClient(CoreV1Api).readNamespace({ name: 'openelb-system' }).catch(() => undefined);
  assert.ok(!ns || ns.metadata?.deletionTimestamp, 'namespace deleted or terminating');
  await kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: CRDS[0] });

  const withCrds = await undeploy(kc, { includeCrds: true });
  assert.deepEqual(withCrds.changes.filter((c) => c.action === 'delete').map((c) => c.name).sort(), [...CRDS].sort());
  const gone = await kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: CRDS[0] }).catch(() => undefined);
  assert.ok(!gone || gone.metadata?.deletionTimestamp, 'CRD deleted');
});
