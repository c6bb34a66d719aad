// `openelb lint --cluster` against a real kube-apiserver: the Eips and the addresses their
// status.used records are read, an edit that takes addresses in use out of a pool is flagged on
// its line, and the impact summary is printed. Also the exact refusal a server-side apply of an
// unknown field gets (HTTP 500, no causes), which Apply Current File points at the field.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { startCluster, type Cluster } from '../harness/cluster/cluster';
import { applyFixtures } from '../harness/cluster/fixtures';
import { loadKubeConfig } from '../../runtime/src/kube/kubeconfig';
import { restCall, RestError } from '../../runtime/src/kube/rest';
import { lint } from '../../server/src/cli/lint';
import { problemsOf } from '../../client/src/commands/applyErrors';

let cluster: Cluster;
let kc: KubeConfig;
let dir: string;
const group = 'network.kubesphere.io';
const version = 'v1alpha2';

const eipYaml = (name: string, address: string, extra = ''): string =>
  `apiVersion: ${group}/${version}\nkind: Eip\nmetadata:\n  name: ${name}\nspec:\n  address: ${address}\n  protocol: bgp\n${extra}`;

async function createEip(name: string, address: string, used: Record<string, string>): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  await custom.createClusterCustomObject({ group, version, plural: 'eips', body: { apiVersion: `${group}/${version}`, kind: 'Eip', metadata: { name }, spec: { address, protocol: 'bgp' } } });
  const cur = await custom.getClusterCustomObject({ group, version, plural: 'eips', name }) as Record<string, unknown>;
  await custom.replaceClusterCustomObjectStatus({ group, version, plural: 'eips', name, body: { ...cur, status: { usage: Object.keys(used).length, used } } });
}

async function runLint(args: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await lint(args, (s) => stdout.push(...s.split('\n')), (s) => stderr.push(s));
  return { code, stdout, stderr };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'openelb-lint-cluster-'));
  cluster = await startCluster(join(dir, 'cluster'));
  await applyFixtures(cluster.kubeconfigPath);
  kc = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
  await createEip('pool-a', '10.20.0.0/28', { '10.20.0.1': 'default/web', '10.20.0.9': 'shop/api;shop/cart' });
  await createEip('pool-b', '10.30.0.1-10.30.0.2', { '10.30.0.1': 'default/db' });
});
after(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('lint --cluster flags a shrunk pool on its line and prints the impact summary', async () => {
  const file = join(dir, 'pools.yaml');
  writeFileSync(file, `${eipYaml('pool-a', '10.20.0.0/29')}---\n${eipYaml('pool-b', '10.30.0.1')}`);
  const r = await runLint(['--cluster', '--kubeconfig', cluster.kubeconfigPath, file]);
  assert.equal(r.code, 0, r.stderr.join('\n'));
  const rows = r.stdout.filter((l) => l.includes(' eip-removes-used-addresses '));
  assert.equal(rows.length, 1, r.stdout.join('\n'));
  assert.match(rows[0], /pools\.yaml:6:12 warning eip-removes-used-addresses Shrinking Eip pool-a from 10\.20\.0\.0\/28 to 10\.20\.0\.0\/29 takes 1 address in use out of the pool: 10\.20\.0\.9 \(shop\/api, shop\/cart\) lose them/);
  const summary = r.stdout.slice(r.stdout.findIndex((l) => l.startsWith('Impact on the cluster')));
  assert.equal(summary[0], 'Impact on the cluster: 2 Services affected, 1 address in use freed, 1 pool becomes full (pool-b).');
  assert.match(summary[1], /^- shrinking Eip pool-a/);
  assert.match(summary[2], /^- shrinking Eip pool-b from 10\.30\.0\.1-10\.30\.0\.2 to 10\.30\.0\.1 leaves no free address given current use; the pool as edited is full/);
});

test('lint --cluster --format json carries the impact; an unreachable cluster is exit 1 with the reason', async () => {
  const file = join(dir, 'disable.yaml');
  writeFileSync(file, eipYaml('pool-a', '10.20.0.0/28', '  disable: true\n'));
  const r = await runLint(['--cluster', `--kubeconfig=${cluster.kubeconfigPath}`, '--format', 'json', file]);
  assert.equal(r.code, 0, r.stderr.join('\n'));
  const json = JSON.parse(r.stdout.join('\n')) as { problems: { code: string; line: number }[]; impact: { services: string[]; addressesFreed: number; changes: { kind: string }[] } };
  assert.deepEqual(json.problems.map((p) => [p.code, p.line]), [['eip-removes-used-addresses', 8]]);
  assert.deepEqual(json.impact.services, ['default/web', 'shop/api', 'shop/cart']);
  assert.equal(json.impact.addressesFreed, 0);
  assert.deepEqual(json.impact.changes.map((c) => c.kind), ['disable']);

  const bad = join(dir, 'bad-kubeconfig');
  writeFileSync(bad, 'apiVersion: v1\nkind: Config\nclusters: [{name: x, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: x, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: x, user: x}}]\ncurrent-context: x\n');
  const down = await runLint(['--cluster', '--kubeconfig', bad, file]);
  assert.equal(down.code, 1);
  assert.match(down.stderr.join('\n'), /^openelb lint: cannot read the cluster: /);
});

test('server-side apply of an unknown field: HTTP 500 without causes, the field path in the message', async () => {
  const body = { apiVersion: `${group}/${version}`, kind: 'Eip', metadata: { name: 'pool-c' }, spec: { address: '10.40.0.0/30', interfce: 'eth0' } };
  const refused = await restCall(kc, 'PATCH', `/apis/${group}/${version}/eips/pool-c`, {
    body, contentType: 'application/apply-patch+yaml', query: { fieldManager: 'openelb', force: 'true', dryRun: 'All' },
  }).then(() => undefined, (e: unknown) => e);
  assert.ok(refused instanceof RestError, `refused: ${String(refused)}`);
  assert.equal(refused.code, 500);
  assert.match(refused.body, /\.spec\.interfce: field not declared in schema/);
  assert.deepEqual(problemsOf(refused.body, refused.message), [{ field: 'spec.interfce', message: 'spec.interfce: field not declared in schema' }]);
});
