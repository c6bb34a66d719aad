// `openelb status [--watch]` against a real kube-apiserver: pools with usage from Eip status,
// the Services holding each IP with their ingress, and the watch re-rendering on a change.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { startCluster, type Cluster } from '../harness/cluster/cluster';
import { applyFixtures } from '../harness/cluster/fixtures';
import { BUNDLE, requireBundle, runCli } from './opsHelpers';
import { loadKubeConfig } from '../../runtime/src/kube/kubeconfig';
import { formatStatus, readStatus } from '../../runtime/src/ops/status';

let cluster: Cluster;
let kc: KubeConfig;
const group = 'network.kubesphere.io';
const version = 'v1alpha2';

async function setIngress(name: string, ip: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const svc = await core.readNamespacedService({ name, namespace: 'default' });
  await core.replaceNamespacedServiceStatus({ name, namespace: 'default', body: { ...svc, status: { loadBalancer: { ingress: [{ ip }] } } } });
}

before(async () => {
  requireBundle();
  cluster = await startCluster(mkdtempSync(join(tmpdir(), 'openelb-ops-status-')));
  await applyFixtures(cluster.kubeconfigPath);
  kc = loadKubeConfig({ kubeconfig: cluster.kubeconfigPath });
  const custom = kc.makeApiClient(CustomObjectsApi);
  for (const [name, address, protocol] of [['eip-a', '192.168.0.100-192.168.0.109', 'layer2'], ['eip-b', '10.0.0.0/30', 'bgp']]) {
    await custom.createClusterCustomObject({ group, version, plural: 'eips', body: { apiVersion: `${group}/${version}`, kind: 'Eip', metadata: { name }, spec: { address, protocol } } });
  }
  const cur = await custom.getClusterCustomObject({ group, version, plural: 'eips', name: 'eip-a' }) as Record<string, unknown>;
  await custom.replaceClusterCustomObjectStatus({ group, version, plural: 'eips', name: 'eip-a', body: { ...cur, status: { usage: 1, poolSize: 10, ready: true, v4: true, used: { '192.168.0.100': 'default/web' } } } });
  const core = kc.makeApiClient(CoreV1Api);
  for (const name of ['web', 'api']) {
    await core.createNamespacedService({ namespace: 'default', body: { metadata: { name }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } } });
  }
  await setIngress('web', '192.168.0.100');
});
after(async () => { await cluster?.stop(); });

test('readStatus: pools, usage, and which Service holds which IP', async () => {
  const s = await readStatus(kc);
  assert.deepEqual(s.pools.map((p) => [p.name, p.protocol, p.usage, String(p.poolSize)]), [['eip-a', 'layer2', 1, '10'], ['eip-b', 'bgp', 0, '4']]);
  assert.deepEqual(s.pools[0].allocated, [{ ip: '192.168.0.100', services: ['default/web'], ingress: ['192.168.0.100'] }]);
  assert.deepEqual(s.pending, ['default/api']);
  const text = formatStatus(s);
  assert.match(text, /^eip-a +192\.168\.0\.100-192\.168\.0\.109 +layer2 +1\/10 +ok$/m);
  assert.match(text, /^ {2}192\.168\.0\.100 +default\/web +192\.168\.0\.100$/m);
  const cli = runCli(['status', '--kubeconfig', cluster.kubeconfigPath]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal(cli.stdout, text);
});

test('status --watch re-prints when a Service gets its IP (watch driven)', async () => {
  const child = spawn(process.execPath, [BUNDLE, 'status', '--watch', '--kubeconfig', cluster.kubeconfigPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  const waitOut = async (re: RegExp, ms = 15_000): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!re.test(out)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re} in:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    await waitOut(/Services without an IP from a pool: default\/api/);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const cur = await custom.getClusterCustomObject({ group, version, plural: 'eips', name: 'eip-a' }) as { status: Record<string, unknown> };
    await custom.replaceClusterCustomObjectStatus({ group, version, plural: 'eips', name: 'eip-a', body: { ...cur, status: { ...cur.status, usage: 2, used: { '192.168.0.100': 'default/web', '192.168.0.101': 'default/api' } } } });
    await setIngress('api', '192.168.0.101');
    await waitOut(/^ {2}192\.168\.0\.101 +default\/api +192\.168\.0\.101$/m);
    assert.match(out, /eip-a .* 2\/10 /);
  } finally {
    child.kill('SIGTERM');
  }
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  assert.equal(code, 0, 'exits cleanly on SIGTERM');
});
