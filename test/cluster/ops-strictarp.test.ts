// `openelb strictarp` against a real kube-apiserver with kubeadm's kube-proxy ConfigMap and
// DaemonSet: the one-line plan, the byte-exact write, the rollout-restart annotation,
// idempotence, iptables mode, a missing ConfigMap, and RBAC refusals with a real SA token.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { startCluster, type Cluster } from '../harness/cluster/cluster';
import { applyFixtures, kubeProxyConfig, kubeProxyConfigMap } from '../harness/cluster/fixtures';
import { runCli, requireBundle, tokenFor, writeKubeconfig } from './opsHelpers';
import { applyStrictArp, planStrictArp } from '../../runtime/src/ops/strictArp';
import { setStrictArp } from '../../runtime/src/ops/strictArpText';
import { unifiedDiff } from '../../runtime/src/ops/unifiedDiff';
import { loadKubeConfig } from '../../runtime/src/kube/kubeconfig';

let cluster: Cluster;
let kc: KubeConfig;
const ref = { name: 'kube-proxy', namespace: 'kube-system' };

before(async () => {
  requireBundle();
  cluster = await startCluster(mkdtempSync(join(tmpdir(), 'openelb-ops-arp-')));
  await applyFixtures(cluster.kubeconfigPath, { kubeProxyMode: 'ipvs', strictARP: false });
  kc = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
});
after(async () => { await cluster?.stop(); });

const readCm = () => kc.makeApiClient(CoreV1Api).readNamespacedConfigMap(ref);
const readDs = () => kc.makeApiClient(AppsV1Api).readNamespacedDaemonSet(ref);
const restartedAt = async () => (await readDs()).spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'];

test('text edit: only the strictARP line changes; absent key or section is inserted in place', () => {
  const before = kubeProxyConfig('ipvs', false);
  const after = setStrictArp(before);
  assert.equal(after, before.replace('  strictARP: false\n', '  strictARP: true\n'));
  // comments, quoting and odd indentation survive
  const odd = '# kube-proxy\nmode: "ipvs"   # chosen\nipvs:\n    scheduler: "rr"\n    strictARP: false  # was off\n    syncPeriod: 30s\n';
  assert.equal(setStrictArp(odd), odd.replace('strictARP: false  #', 'strictARP: true  #'));
  const noKey = before.replace('  strictARP: false\n', '');
  assert.equal(setStrictArp(noKey), after, 'inserted where kubeadm sorts it');
  assert.equal(setStrictArp('mode: ipvs\n'), 'ipvs:\n  strictARP: true\nmode: ipvs\n');
  assert.equal(setStrictArp('mode: ipvs\nipvs: {}\n'), 'mode: ipvs\nipvs:\n  strictARP: true\n');
});

test('plan shows a one-line diff; apply writes exactly that line and rollout-restarts kube-proxy', async () => {
  const cmBefore = await readCm();
  const plan = await planStrictArp(kc);
  assert.equal(plan.problem, undefined);
  assert.equal(plan.mode, 'ipvs');
  assert.equal(plan.strictARP, false);
  assert.equal(plan.changed, true);
  const diff = unifiedDiff(plan.before, plan.after);
  assert.deepEqual(diff.split('\n').filter((l) => /^[-+][^-+]/.test(l)), ['-  strictARP: false', '+  strictARP: true']);
  assert.equal(await restartedAt(), undefined);

  const res = await applyStrictArp(kc, plan);
  assert.equal(res.written, true);
  assert.match(res.restartedAt ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'RFC 3339 like kubectl');

  const cmAfter = await readCm();
  assert.equal(cmAfter.data?.['config.conf'], cmBefore.data?.['config.conf']?.replace('  strictARP: false\n', '  strictARP: true\n'));
  assert.equal(cmAfter.data?.['kubeconfig.conf'], cmBefore.data?.['kubeconfig.conf'], 'other keys untouched');
  assert.deepEqual(cmAfter.metadata?.labels, cmBefore.metadata?.labels);
  assert.equal(await restartedAt(), res.restartedAt);
});

test('a second run does nothing: no write, no restart; --check passes', async () => {
  const rv = (await readCm()).metadata?.resourceVersion;
  const dsRv = (await readDs()).metadata?.resourceVersion;
  const plan = await planStrictArp(kc);
  assert.equal(plan.changed, false);
  assert.equal(plan.strictARP, true);
  assert.deepEqual(await applyStrictArp(kc, plan), { written: false });
  assert.equal((await readCm()).metadata?.resourceVersion, rv);
  assert.equal((await readDs()).metadata?.resourceVersion, dsRv);
  const cli = runCli(['strictarp', '--check', '--kubeconfig', cluster.kubeconfigPath]);
  assert.equal(cli.code, 0, cli.stderr);
});

test('CLI: --check fails and shows the diff while off; a stale plan is re-read after a conflicting write', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  await core.replaceNamespacedConfigMap({ ...ref, body: kubeProxyConfigMap('ipvs', false) });
  const check = runCli(['strictarp', '--check', '--kubeconfig', cluster.kubeconfigPath]);
  assert.equal(check.code, 1);
  assert.match(check.stdout, /^-  strictARP: false$/m);
  assert.match(check.stdout, /^\+  strictARP: true$/m);
  assert.match(check.stderr, /strictARP is off/);

  // Someone edits config.conf after our plan: the apply re-reads and keeps their edit.
  const plan = await planStrictArp(kc);
  const cm = await readCm();
  const theirs = cm.data!['config.conf'].replace('scheduler: ""', 'scheduler: "rr"');
  await core.replaceNamespacedConfigMap({ ...ref, body: { ...cm, data: { ...cm.data, 'config.conf': theirs } } });
  await applyStrictArp(kc, plan);
  assert.equal((await readCm()).data?.['config.conf'], theirs.replace('strictARP: false', 'strictARP: true'));
});

test('iptables mode: nothing to do, nothing written', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  await core.replaceNamespacedConfigMap({ ...ref, body: kubeProxyConfigMap('iptables', false) });
  const rv = (await readCm()).metadata?.resourceVersion;
  const plan = await planStrictArp(kc);
  assert.equal(plan.changed, false);
  assert.equal(plan.problemKind, 'not-ipvs');
  assert.match(plan.problem ?? '', /strictARP only matters in ipvs mode; nothing to do/);
  assert.deepEqual(await applyStrictArp(kc, plan), { written: false });
  assert.equal((await readCm()).metadata?.resourceVersion, rv);
  const cli = runCli(['strictarp', '--kubeconfig', cluster.kubeconfigPath]);
  assert.equal(cli.code, 0);
  assert.match(cli.stdout, /nothing to do/);
});

test('RBAC: a ServiceAccount without rights gets a clear refusal naming verb and resource', async () => {
  const token = await tokenFor(kc, 'default', 'nobody', true);
  const path = writeKubeconfig(cluster.dir, 'nobody.kubeconfig', cluster.server, token);
  const plan = await planStrictArp(loadKubeConfig({ kubeconfig: path }));
  assert.equal(plan.problemKind, 'refused');
  assert.match(plan.problem ?? '', /RBAC refused .* get configmaps kube-system\/kube-proxy \(HTTP 403 Forbidden\)/);
  assert.match(plan.problem ?? '', /system:serviceaccount:default:nobody/);
  const cli = runCli(['status', '--kubeconfig', path]);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /RBAC refused .* list eips\.network\.kubesphere\.io/);
  assert.ok(!cli.stderr.includes(token) && !plan.problem?.includes(token), 'the token is never printed');
});

test('missing ConfigMap: says where it would be and why', async () => {
  await kc.makeApiClient(CoreV1Api).deleteNamespacedConfigMap(ref);
  const plan = await planStrictArp(kc);
  assert.equal(plan.problemKind, 'missing');
  assert.match(plan.problem ?? '', /ConfigMap kube-system\/kube-proxy not found.*kubeadm/s);
  const cli = runCli(['strictarp', '--kubeconfig', cluster.kubeconfigPath]);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /not found/);
});

test('kubeconfig errors: unknown context, unreachable server, KUBECONFIG lists merge like kubectl', async () => {
  const bad = runCli(['status', '--kubeconfig', cluster.kubeconfigPath, '--context', 'nope']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown context "nope" \(the kubeconfig has: test\)/);

  const dead = writeKubeconfig(cluster.dir, 'dead.kubeconfig', 'https://127.0.0.1:1', 'x');
  const down = runCli(['status', '--kubeconfig', dead]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /cannot reach the API server at https:\/\/127\.0\.0\.1:1: ECONNREFUSED/);

  // First file wins for its current-context; the second only adds names (here: a dead "test"
  // cluster that must not shadow the first file's).
  const merged = runCli(['status'], { KUBECONFIG: `${join(cluster.dir, 'missing')}:${cluster.kubeconfigPath}:${dead}` });
  assert.equal(merged.code, 0, merged.stderr);
  assert.match(merged.stdout, /No Eip pools/);
});
