// Taking over a cluster that ran upstream OpenELB (v0.5.1, plus v0.6.0's speaker), against a real
// kube-apiserver: deploy refuses while upstream's webhooks and workloads remain and names them;
// --remove-upstream removes them (Service creates work again) and deploy takes over the CRDs
// and the RBAC of our names; our controller adopts upstream's records without moving an address;
// status and `kubectl get eip` agree; undeploy deletes only ours and lists what it leaves.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig, V1Service } from '@kubernetes/client-node';
import { startCluster, type Cluster } from '../harness/cluster/cluster';
import { applyFixtures } from '../harness/cluster/fixtures';
import { requireBundle, tokenFor, writeKubeconfig } from './opsHelpers';
import { installUpstream, create } from './takeoverSetup';
import { GROUP, LEFTOVER_KEYS, NS, POOL, SERVICES } from './takeoverFixtures';
import { deploy, undeploy, type Change, type DeployResult } from '../../runtime/src/ops/deploy';
import { UpstreamError } from '../../runtime/src/ops/takeover';
import { keyOf, type UpstreamObject } from '../../runtime/src/ops/upstream';
import { deployCommand, formatUpstream } from '../../runtime/src/cli/deploy';
import { undeployCommand } from '../../runtime/src/cli/undeploy';
import { loadKubeConfig } from '../../runtime/src/kube/kubeconfig';
import { formatStatus, readStatus } from '../../runtime/src/ops/status';
import { runController, type ControllerHandle } from '../../runtime/src/controller/runController';
import { restCall } from '../../runtime/src/kube/rest';
import { statusCode } from '../../runtime/src/kube/errors';
import type { RuntimeFiles } from '../../runtime/src/ops/runtimeFiles';
import { poll } from '../harness/support/poll';
import { buildCrd } from '@openelb/core/api/crds';

let cluster: Cluster;
let kc: KubeConfig;
let ctl: ControllerHandle | undefined;
const logs: string[] = [];
// The runtime's content does not matter here (nothing runs the pods): a stand-in with the helper deploy insists on.
const runtime: RuntimeFiles = { bundle: Buffer.from('// stand-in bundle'), helpers: { amd64: Buffer.from('stand-in helper') } };
const EIPS = `/apis/${GROUP}/v1alpha2/eips`;
const WEBHOOKS = '/apis/admissionregistration.k8s.io/v1';

before(async () => {
  requireBundle(); // the CLI commands ship dist/openelb.js
  cluster = await startCluster(mkdtempSync(join(tmpdir(), 'openelb-takeover-')));
  await applyFixtures(cluster.kubeconfigPath, { crds: false, namespaces: ['shop'] });
  kc = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
  await installUpstream(kc);
});
after(async () => {
  await ctl?.stop();
  await cluster?.stop();
});

const get = (path: string): Promise<unknown> => restCall(kc, 'GET', path);
const gone = (path: string): Promise<boolean> => get(path).then(() => false, (e: unknown) => statusCode(e) === 404);
const service = (ns: string, name: string): Promise<V1Service> => get(`/api/v1/namespaces/${ns}/services/${name}`) as Promise<V1Service>;
const ingress = async (ns: string, name: string): Promise<string | undefined> => (await service(ns, name)).status?.loadBalancer?.ingress?.[0]?.ip;
const lines = (cs: Change[]): string[] => cs.map((c) => `${c.action} ${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}${c.detail ? ` (${c.detail})` : ''}`);
/** Runs a CLI command in this process (the sources under test, not the built bundle). */
async function command(run: typeof deployCommand, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run([...args, '--kubeconfig', cluster.kubeconfigPath], (t) => out.push(t), (t) => err.push(t));
  return { code, out: out.join('\n'), err: err.join('\n') };
}
const schemaOf = (v: object): unknown => (v as { schema: unknown }).schema;
const probe = (name: string): object => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', annotations: { 'lb.kubesphere.io/v1alpha1': 'openelb' } },
  spec: { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ port: 80 }] },
});

test('upstream\'s webhooks, left without their manager, make every Service create fail', async () => {
  await assert.rejects(create(kc, probe('probe')), /failed calling webhook "mutating\.eip\.network\.kubesphere\.io"/);
});

test('openelb status reads upstream\'s records as they are', async () => {
  const pool = (await readStatus(kc)).pools.find((p) => p.name === POOL.name)!;
  assert.equal(`${pool.usage}/${pool.poolSize}`, '5/11');
  assert.deepEqual(pool.allocated.find((a) => a.ip === '192.168.0.105')?.services, ['default/shared-a', 'default/shared-b']);
});

test('deploy refuses while upstream\'s webhooks and workloads remain, naming them with kubectl commands; nothing changes', async () => {
  for (const dryRun of [false, true]) {
    await assert.rejects(deploy(kc, { runtime, dryRun }), (e: Error) => e instanceof UpstreamError
      && e.message.includes('  - MutatingWebhookConfiguration openelb-admission: webhook mutating.eip.network.kubesphere.io calls Service openelb-system/openelb-admission, which has no ready endpoint: every create and update of services fails')
      && e.message.includes('  - Deployment openelb-system/openelb-manager: upstream OpenELB (image kubesphere/openelb:v0.5.1')
      && e.message.includes('  kubectl delete validatingwebhookconfiguration openelb-admission\n  kubectl -n openelb-system delete daemonset openelb-speaker\n  kubectl -n openelb-system delete deployment openelb-manager\n'));
  }
  // --force cannot apply our DaemonSet over upstream's of the same name.
  await assert.rejects(deploy(kc, { runtime, force: true }), /--force cannot deploy over DaemonSet openelb-system\/openelb-speaker/);
  const cli = await command(deployCommand, []);
  assert.equal(cli.code, 1);
  assert.match(cli.err, /^openelb deploy: upstream OpenELB is still installed:\n/);
  assert.match(cli.out, /^upstream OpenELB found:\n {2}webhook  MutatingWebhookConfiguration openelb-admission: /);
  const crd = await get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/eips.network.kubesphere.io') as { metadata: { labels?: object } };
  assert.equal(crd.metadata.labels, undefined, 'the CRD is still upstream\'s');
  assert.equal(await gone('/apis/apps/v1/namespaces/openelb-system/deployments/openelb-controller'), true);
});

test('deploy --remove-upstream --dry-run shows the removals and the applies, and changes nothing', async () => {
  const { changes } = await deploy(kc, { runtime, dryRun: true, removeUpstream: true });
  assert.deepEqual(lines(changes).slice(0, 4), [
    'delete MutatingWebhookConfiguration openelb-admission (upstream OpenELB webhook)',
    'delete ValidatingWebhookConfiguration openelb-admission (upstream OpenELB webhook)',
    'delete DaemonSet openelb-system/openelb-speaker (upstream OpenELB workload)',
    'delete Deployment openelb-system/openelb-manager (upstream OpenELB workload)',
  ]);
  assert.ok(lines(changes).includes('create DaemonSet openelb-system/openelb-speaker'));
  const cli = await command(deployCommand, ['--dry-run', '--remove-upstream']);
  assert.equal(cli.code, 0, cli.err);
  assert.match(cli.out, /^delete +MutatingWebhookConfiguration openelb-admission \(upstream OpenELB webhook\)$/m);
  assert.match(cli.out, /^ {2}kubectl -n openelb-system delete service openelb-admission$/m);
  assert.match(cli.out, /^dry run: 15 create, 4 update, 4 delete, 1 unchanged$/m);
  assert.match(cli.out, /^ {2}leftover ServiceAccount openelb-system\/openelb-speaker: upstream's; deploy applies ours over it, and it is ours from then on$/m);
  assert.doesNotMatch(cli.out, /kubectl .*delete (serviceaccount|clusterrole|clusterrolebinding) openelb-speaker/, 'no advice to delete what becomes ours');
  assert.equal(await gone(`${WEBHOOKS}/mutatingwebhookconfigurations/openelb-admission`), false);
  assert.equal(await gone('/apis/apps/v1/namespaces/openelb-system/deployments/openelb-manager'), false);
});

let found: UpstreamObject[] = [];
let deployed: DeployResult;

test('deploy --remove-upstream: webhooks and workloads gone, CRDs and RBAC of our names taken over, upstream\'s namespace and leftovers kept', async () => {
  deployed = await deploy(kc, { runtime, removeUpstream: true, onUpstream: (f) => { found = f; } });
  assert.deepEqual(found.filter((f) => f.role !== 'leftover').map(keyOf), [
    'MutatingWebhookConfiguration openelb-admission', 'ValidatingWebhookConfiguration openelb-admission',
    `DaemonSet ${NS}/openelb-speaker`, `Deployment ${NS}/openelb-manager`,
  ]);
  const leftovers = found.filter((f) => f.role === 'leftover').map(keyOf);
  for (const k of LEFTOVER_KEYS) assert.ok(leftovers.includes(k), `${k} reported among ${leftovers.join(', ')}`);
  const text = formatUpstream(found, 'upstream OpenELB found:');
  assert.match(text, /^ {2}kubectl -n openelb-system delete job openelb-admission-create$/m);
  assert.match(text, /^ {2}kubectl delete clusterrole openelb-manager-role$/m);

  const l = lines(deployed.changes);
  assert.ok(l.includes('update CustomResourceDefinition eips.network.kubesphere.io (taken over: it was not created by openelb deploy)'), l.join('\n'));
  assert.ok(l.includes('update ClusterRole openelb-speaker (taken over: it was not created by openelb deploy)'), l.join('\n'));
  assert.ok(l.includes('unchanged Namespace openelb-system (exists, not created by openelb deploy: used as it is)'), l.join('\n'));
  assert.ok(l.includes('create DaemonSet openelb-system/openelb-speaker'), l.join('\n'));
  for (const p of [`${WEBHOOKS}/mutatingwebhookconfigurations/openelb-admission`, `${WEBHOOKS}/validatingwebhookconfigurations/openelb-admission`,
    '/apis/apps/v1/namespaces/openelb-system/deployments/openelb-manager']) assert.equal(await gone(p), true, p);
  const ns = await get(`/api/v1/namespaces/${NS}`) as { metadata: { labels?: Record<string, string> } };
  assert.equal(ns.metadata.labels?.['app.kubernetes.io/managed-by'], undefined, 'upstream\'s namespace is not labelled ours');
  // The CRD is ours exactly: nothing of upstream's schema lingers beside it.
  const crd = await get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/eips.network.kubesphere.io') as { spec: { versions: object[] } };
  const ours = (buildCrd('Eip') as { spec: { versions: object[] } }).spec.versions;
  assert.deepEqual(crd.spec.versions.map(schemaOf), ours.map(schemaOf));
  // upstream's records survive the CRD update, and Service creates work again.
  const eip = await get(`${EIPS}/${POOL.name}`) as { status: { used: object } };
  assert.deepEqual(eip.status.used, POOL.used);
  await create(kc, probe('probe'));
  await restCall(kc, 'DELETE', '/api/v1/namespaces/default/services/probe');
});

test('our controller adopts upstream\'s records: every Service keeps its address, nothing is handed out twice', async () => {
  const token = await tokenFor(kc, NS, 'openelb-controller');
  ctl = await runController({
    kubeconfig: writeKubeconfig(cluster.dir, 'controller.kubeconfig', cluster.server, token),
    identity: 'takeover', leaseDurationSeconds: 4, retryPeriodMs: 200, log: (m) => logs.push(m),
  });
  await poll('the controller leads', () => ctl!.isLeader(), { timeoutMs: 20_000, everyMs: 50, context: () => logs.join('\n') });
  await poll('default/a-pending gets an address', () => ingress('default', 'a-pending'), { timeoutMs: 20_000, everyMs: 100, context: () => logs.join('\n') });
  await ctl.idle();
  for (const s of SERVICES.filter((x) => x.ip && x.name !== 'leaving')) assert.equal(await ingress(s.ns, s.name), s.ip, `${s.ns}/${s.name} kept ${s.ip}`);
  assert.equal(await ingress('default', 'a-pending'), '192.168.0.103', 'the lowest address nobody holds or shows');
  assert.equal(await gone('/api/v1/namespaces/default/services/leaving'), true, 'the Terminating Service was released and went');
  const eip = await get(`${EIPS}/${POOL.name}`) as { status: { used: Record<string, string>; usage: number; conditions?: { type: string; status: string }[] } };
  assert.deepEqual(eip.status.used, {
    '192.168.0.100': 'default/web', '192.168.0.101': 'shop/api', '192.168.0.102': 'default/lost',
    '192.168.0.103': 'default/a-pending', '192.168.0.105': 'default/shared-a;default/shared-b',
  });
  assert.equal(eip.status.usage, 5);
  assert.ok(eip.status.conditions?.some((c) => c.type === 'Valid' && c.status === 'True'), 'rewritten in our form');

  // A new Service gets a free address, none that a Service holds.
  await create(kc, probe('fresh'));
  const fresh = await poll('default/fresh gets an address', () => ingress('default', 'fresh'), { timeoutMs: 20_000, everyMs: 100 });
  assert.equal(fresh, '192.168.0.104');
  // Upstream's Eip finalizer does not keep a deleted Eip.
  await restCall(kc, 'DELETE', `${EIPS}/old-pool`);
  await poll('Eip old-pool deleted', () => gone(`${EIPS}/old-pool`), { timeoutMs: 20_000, everyMs: 100, context: () => logs.join('\n') });
  await ctl.idle();
  assert.deepEqual(logs.filter((m) => /forbidden|HTTP 403/i.test(m)), [], 'no RBAC refusal');
});

test('openelb status and `kubectl get eip` show the adopted usage', async () => {
  const text = formatStatus(await readStatus(kc));
  assert.match(text, /^eip-pool +192\.168\.0\.100-192\.168\.0\.110 +layer2 +6\/11 +ok$/m);
  assert.match(text, /^ {2}192\.168\.0\.102 +default\/lost +192\.168\.0\.102$/m);
  // What kubectl prints: the server-side table with the CRD's printer columns.
  const table = await restCall(kc, 'GET', EIPS, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' }) as {
    columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[];
  };
  assert.deepEqual(table.columnDefinitions.map((c) => c.name).slice(0, 4), ['Name', 'cidr', 'usage', 'total']);
  assert.deepEqual(table.rows.map((r) => r.cells.slice(0, 4)), [[POOL.name, POOL.address, 6, 11]]);
});

test('a second deploy needs no flag: only upstream\'s harmless leftovers remain', async () => {
  const again = await deploy(kc, { runtime });
  assert.deepEqual(again.upstream?.filter((f) => f.role !== 'leftover'), []);
  assert.deepEqual(new Set(again.changes.map((c) => c.action)), new Set(['unchanged']));
});

test('undeploy deletes only ours, keeps upstream\'s namespace and objects, and lists them', async () => {
  await ctl?.stop();
  ctl = undefined;
  const dry = await undeploy(kc, { dryRun: true, releaseServices: true });
  const cli = await command(undeployCommand, ['--dry-run', '--release-services']);
  assert.equal(cli.code, 0, cli.err);
  assert.match(cli.out, /^left in place \(not created by openelb deploy\):\n {2}leftover ClusterRole openelb-manager-role: upstream's; harmless$/m);
  assert.match(cli.out, /^ {2}kubectl -n openelb-system delete job openelb-admission-patch$/m);
  const { changes, left } = await undeploy(kc, { releaseServices: true });
  for (const r of [dry, { changes, left }]) {
    assert.deepEqual(r.left?.map(keyOf), LEFTOVER_KEYS);
    assert.ok(lines(r.changes).includes('unchanged Namespace openelb-system (kept: not created by openelb deploy)'), lines(r.changes).join('\n'));
  }
  assert.ok(lines(changes).includes(`delete ConfigMap ${NS}/openelb-journal`) && lines(changes).includes(`delete Lease ${NS}/openelb-controller`), lines(changes).join('\n'));
  for (const p of ['/apis/apps/v1/namespaces/openelb-system/daemonsets/openelb-speaker', '/apis/rbac.authorization.k8s.io/v1/clusterroles/openelb-speaker',
    `/api/v1/namespaces/${NS}/configmaps/openelb-runtime`, `/api/v1/namespaces/${NS}/configmaps/openelb-journal`]) assert.equal(await gone(p), true, p);
  for (const p of [`/api/v1/namespaces/${NS}/services/openelb-admission`, `/apis/batch/v1/namespaces/${NS}/jobs/openelb-admission-create`,
    '/apis/rbac.authorization.k8s.io/v1/clusterroles/openelb-manager-role']) assert.equal(await gone(p), false, p);
  const ns = await get(`/api/v1/namespaces/${NS}`) as { metadata: { deletionTimestamp?: string } };
  assert.equal(ns.metadata.deletionTimestamp, undefined, 'upstream\'s namespace stays');
});

test('undeploy --include-crds removes upstream\'s Eip finalizer first, so the CRDs and Eips really go', async () => {
  const { changes } = await undeploy(kc, { includeCrds: true });
  assert.ok(lines(changes).includes('release Eip eip-pool (upstream\'s finalizer removed)'), lines(changes).join('\n'));
  await poll('the Eip CRD deleted', () => gone('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/eips.network.kubesphere.io'), { timeoutMs: 30_000, everyMs: 200 });
});
