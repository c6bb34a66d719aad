// `openelb deploy` / `undeploy` against a real kube-apiserver: server-side apply of every object,
// CRDs Established, idempotence, dry-run storing nothing, the packet helpers in the runtime
// ConfigMap, least-privilege RBAC of the controller and the speaker (checked with real tokens of
// their ServiceAccounts), and the CLI bundle deploying itself.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import {
  ApiextensionsV1Api, AppsV1Api, AuthorizationV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api, type KubeConfig,
} from '@kubernetes/client-node';
import { startCluster, type Cluster } from '../harness/cluster/cluster';
import { applyFixtures } from '../harness/cluster/fixtures';
import { BUNDLE, requireBundle, runCli, tokenFor, writeKubeconfig } from './opsHelpers';
import { speakerOnNode } from './speakerToken';
import { deploy, undeploy, type Change } from '../../runtime/src/ops/deploy';
import { kubeCall } from '../../runtime/src/ops/opsError';
import { loadKubeConfig } from '../../runtime/src/kube/kubeconfig';
import { statusCode } from '../../runtime/src/kube/errors';
import { restCall } from '../../runtime/src/kube/rest';
import { runController } from '../../runtime/src/controller/runController';
import { SpeakerLease } from '../../runtime/src/speaker/node/speakerLease';
import { CONFIGMAP_LIMIT } from '../../runtime/src/ops/runtimeFiles';

let cluster: Cluster;
let kc: KubeConfig;
const CRDS = ['eips.network.kubesphere.io', 'bgpconfs.network.kubesphere.io', 'bgppeers.network.kubesphere.io'];
const actions = (cs: Change[]): Set<string> => new Set(cs.map((c) => c.action));

before(async () => {
  requireBundle();
  cluster = await startCluster(mkdtempSync(join(tmpdir(), 'openelb-ops-deploy-')));
  // No CRDs from the fixtures: deploy installs them.
  await applyFixtures(cluster.kubeconfigPath, { crds: false });
  kc = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
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
  assert.equal(c?.image, 'node:24-bookworm-slim');
  // node -e BOOTSTRAP (the digest check, from the pod spec) /opt/openelb/openelb.js controller …
  assert.deepEqual([c?.command?.[0], c?.command?.[1], ...(c?.command?.slice(3, 5) ?? [])], ['node', '-e', '/opt/openelb/openelb.js', 'controller']);
  assert.equal(c?.livenessProbe?.httpGet?.path, '/healthz');
  assert.equal(dep.metadata?.labels?.['app.kubernetes.io/name'], 'openelb');

  const ds = await apps.readNamespacedDaemonSet({ name: 'openelb-speaker', namespace: 'openelb-system' });
  const s = ds.spec?.template.spec;
  assert.equal(s?.hostNetwork, true);
  assert.deepEqual(s?.containers[0].command?.slice(3), ['/opt/openelb/openelb.js', 'speaker', '--node', '$(NODE_NAME)', '--gossip-port', '7947']);
  // No vip Eip yet and no --vip: no NET_ADMIN.
  assert.deepEqual({ ...s?.containers[0].securityContext?.capabilities }, { add: ['NET_RAW'], drop: ['ALL'] });
  assert.notEqual(s?.containers[0].securityContext?.privileged, true);

  // The ConfigMap holds the loader and the compressed bundle, byte for byte dist/openelb.js.
  const cm = await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: 'openelb-runtime', namespace: 'openelb-system' });
  assert.match(cm.data?.['openelb.js'] ?? '', /brotliDecompressSync/);
  const packed = Buffer.from(cm.binaryData?.['openelb.js.br'] ?? '', 'base64');
  assert.ok(brotliDecompressSync(packed).equals(readFileSync(BUNDLE)), 'the shipped bundle is dist/openelb.js');
  // And one static helper per architecture built, byte for byte dist/openelb-packet-helper-<arch>.
  for (const arch of ['amd64', 'arm64']) {
    const built = join(dirname(BUNDLE), `openelb-packet-helper-${arch}`);
    const shipped = cm.binaryData?.[`openelb-packet-helper-${arch}.br`];
    if (arch === 'amd64') assert.ok(existsSync(built), `${built} is built`);
    assert.equal(shipped !== undefined, existsSync(built), `${arch} helper shipped iff built`);
    if (shipped) assert.ok(brotliDecompressSync(Buffer.from(shipped, 'base64')).equals(readFileSync(built)), `${arch} helper is ${built}`);
  }
  const size = Object.values(cm.binaryData ?? {}).reduce((n, b64) => n + Buffer.from(b64, 'base64').length, 0)
    + Object.values(cm.data ?? {}).reduce((n, text) => n + Buffer.byteLength(text), 0);
  console.log(`runtime ConfigMap: ${size} bytes (${Object.keys({ ...cm.data, ...cm.binaryData }).join(', ')}); limit ${CONFIGMAP_LIMIT}`);
  assert.ok(size < CONFIGMAP_LIMIT, `${size} bytes`);

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
  assert.equal(dep.spec?.template.spec?.containers[0].image, 'node:24-bookworm-slim', 'dry-run stored nothing');
});

test('deploy refuses a runtime without the amd64 packet helper, before any write', async () => {
  await assert.rejects(deploy(kc, { runtime: { bundle: readFileSync(BUNDLE), helpers: { arm64: Buffer.from('fake') } } }),
    (e: Error) => /openelb-packet-helper-amd64 is missing.*npm run build/.test(e.message));
  await assert.rejects(deploy(kc, { dryRun: true, image: 'node@sha256:1234' }), /invalid image "node@sha256:1234".*64 lowercase hex digits/);
  // Fake helper bytes are fine for the API server: a dry run accepts them.
  const dry = await deploy(kc, { dryRun: true, runtime: { bundle: readFileSync(BUNDLE), helpers: { amd64: Buffer.from('fake helper') } } });
  assert.deepEqual(dry.architectures, ['amd64']);
  assert.ok(dry.changes.some((c) => c.kind === 'ConfigMap' && c.action === 'update'));
});

test('the speaker ServiceAccount can delete its Lease in openelb-system, and nothing beyond', async () => {
  // A token bound to a Pod on worker1, as the speaker's own: the node-scope policy needs the node.
  const bound = await speakerOnNode(kc, cluster.dir, cluster.server, 'worker1');
  const sakc = bound.kc;
  const logs: string[] = [];
  const lease = new SpeakerLease(sakc, { namespace: 'openelb-system', node: 'worker1', renewMs: 200, durationMs: 800, log: (m) => logs.push(m), onChange: () => {} });
  await lease.start();
  const coord = kc.makeApiClient(CoordinationV1Api);
  await coord.readNamespacedLease({ name: 'openelb-speaker-worker1', namespace: 'openelb-system' });
  await lease.release();
  assert.deepEqual(logs, [], 'renewed and released without any refusal');
  assert.equal(await notFound(coord.readNamespacedLease({ name: 'openelb-speaker-worker1', namespace: 'openelb-system' })), true, 'Lease deleted');

  const saCoord = sakc.makeApiClient(CoordinationV1Api);
  const forbidden = (p: Promise<unknown>) => assert.rejects(p, (e: unknown) => statusCode(e) === 403);
  await coord.createNamespacedLease({ namespace: 'default', body: { metadata: { name: 'not-ours' }, spec: { holderIdentity: 'x' } } });
  await forbidden(saCoord.deleteNamespacedLease({ name: 'not-ours', namespace: 'default' }));
  await forbidden(saCoord.deleteCollectionNamespacedLease({ namespace: 'openelb-system' }));
  await forbidden(sakc.makeApiClient(CoreV1Api).deleteNamespacedConfigMap({ name: 'openelb-runtime', namespace: 'openelb-system' }));
  await forbidden(sakc.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: 'openelb-system' }));
  // The gossip key: readable by name, 32 bytes, created once (a second deploy left it as it was).
  const key = await sakc.makeApiClient(CoreV1Api).readNamespacedSecret({ name: 'openelb-speaker-gossip', namespace: 'openelb-system' });
  assert.equal(Buffer.from(key.data?.key ?? '', 'base64').length, 32);
  // The exact verbs on Leases in openelb-system, as the API server computes them for this token.
  const review = await sakc.makeApiClient(AuthorizationV1Api).createSelfSubjectRulesReview({ body: { spec: { namespace: 'openelb-system' } } });
  const verbs = new Set(review.status?.resourceRules.filter((r) => r.apiGroups?.includes('coordination.k8s.io') && r.resources?.includes('leases')).flatMap((r) => r.verbs));
  assert.deepEqual([...verbs].sort(), ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
  // The controller hands its Lease back by update: it gets no delete.
  const ctlToken = await tokenFor(kc, 'openelb-system', 'openelb-controller');
  const ctlkc = loadKubeConfig({ kubeconfig: writeKubeconfig(cluster.dir, 'controller-lease.kubeconfig', cluster.server, ctlToken) });
  const ctlReview = await ctlkc.makeApiClient(AuthorizationV1Api).createSelfSubjectRulesReview({ body: { spec: { namespace: 'openelb-system' } } });
  assert.ok(!ctlReview.status?.resourceRules.some((r) => r.resources?.includes('leases') && r.verbs.includes('delete')), 'controller: no Lease delete');
  // The probe Pod goes, so undeploy later finds only our objects in the namespace.
  await bound.remove();
});

test('the controller ServiceAccount can list services and eips, and is refused secrets and deployments', async () => {
  const token = await tokenFor(kc, 'openelb-system', 'openelb-controller');
  const sakc = loadKubeConfig({ kubeconfig: writeKubeconfig(cluster.dir, 'controller.kubeconfig', cluster.server, token) });
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
  // Its Role let it hand the Lease back on stop (an update; it has no delete).
  const lease = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: 'openelb-controller', namespace: 'openelb-system' });
  assert.equal(lease.spec?.holderIdentity, '', 'Lease released');
});

test('the bundle deploys itself: `node dist/openelb.js deploy --dry-run` and usage errors', () => {
  const r = runCli(['deploy', '--dry-run', '--kubeconfig', cluster.kubeconfigPath]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^unchanged +ConfigMap openelb-system\/openelb-runtime$/m);
  assert.match(r.stdout, /^dry run: \d+ unchanged$/m);
  assert.match(r.stdout, /^packet helper shipped for: amd64(, arm64)?$/m);
  const badImage = runCli(['deploy', '--dry-run', '--image', 'Node:24', '--kubeconfig', cluster.kubeconfigPath]);
  assert.equal(badImage.code, 2);
  assert.match(badImage.stderr, /--image Node:24: repository path component "Node" must be lowercase/);
  const bad = runCli(['deploy', '--bogus']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown option --bogus/);
  const missing = runCli(['deploy', '--kubeconfig', join(cluster.dir, 'nope')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /kubeconfig file not found: .*nope/);
});

test('undeploy: dry-run deletes nothing; then everything but the CRDs goes; --include-crds removes those', async () => {
  // default/rbac-web got an address from the controller above: undeploy must be told to release it.
  await assert.rejects(undeploy(kc, { dryRun: true }), /default\/rbac-web \(192\.168\.0\.2\d\d\).*--release-services/s);
  const dry = await undeploy(kc, { dryRun: true, releaseServices: true });
  assert.deepEqual(dry.changes.filter((c) => c.action === 'release').map((c) => `${c.namespace}/${c.name}`), ['default/rbac-web']);
  assert.ok(dry.changes.every((c) => c.action === 'delete' || c.action === 'release'), JSON.stringify(dry.changes));
  await kc.makeApiClient(AppsV1Api).readNamespacedDaemonSet({ name: 'openelb-speaker', namespace: 'openelb-system' });

  const { changes } = await undeploy(kc, { releaseServices: true });
  assert.ok(!changes.some((c) => c.kind === 'CustomResourceDefinition'), 'CRDs kept');
  assert.equal(await notFound(kc.makeApiClient(AppsV1Api).readNamespacedDaemonSet({ name: 'openelb-speaker', namespace: 'openelb-system' })), true);
  assert.equal(await notFound(kc.makeApiClient(RbacAuthorizationV1Api).readClusterRole({ name: 'openelb-controller' })), true);
  assert.ok(changes.some((c) => c.kind === 'Secret' && c.name === 'openelb-speaker-gossip' && c.action === 'delete'), 'the gossip key Secret deleted');
  for (const plural of ['validatingadmissionpolicies', 'validatingadmissionpolicybindings']) {
    assert.equal(await notFound(restCall(kc, 'GET', `/apis/admissionregistration.k8s.io/v1/${plural}/openelb-speaker-own-node`)), true, `${plural} deleted`);
  }
  // Without a controller-manager the namespace stays Terminating; it must at least be marked.
  const ns = await kc.makeApiClient(CoreV1Api).readNamespace({ name: 'openelb-system' }).catch(() => undefined);
  assert.ok(!ns || ns.metadata?.deletionTimestamp, 'namespace deleted or terminating');
  await kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: CRDS[0] });

  const withCrds = await undeploy(kc, { includeCrds: true });
  assert.deepEqual(withCrds.changes.filter((c) => c.action === 'delete').map((c) => c.name).sort(), [...CRDS].sort());
  const gone = await kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: CRDS[0] }).catch(() => undefined);
  assert.ok(!gone || gone.metadata?.deletionTimestamp, 'CRD deleted');
});
