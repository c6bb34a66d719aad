// Stability and concurrency: a restart changes no allocation (not even a write), a wiped Eip
// status is rebuilt from the Services, leader election hands over, and two controllers that
// both allocate at once never give one address to two Services. A controller killed before
// it brought status.used up to date loses nothing: the journal has it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoordinationV1Api, type V1Service } from '@kubernetes/client-node';
import type { ControllerHandle } from '../../runtime/src/controller/runController';
import { restCall } from '../../runtime/src/kube/rest';
import {
  createEip, createService, createServices, getEip, GROUP, settled, setupEnv, startController, waitFor, type Env,
} from '../harness/cluster/controllerEnv';

let env: Env;
/** Every controller started here, stopped in after() even when a test fails midway. */
const running: ControllerHandle[] = [];
async function start(identity: string, extra: Parameters<typeof startController>[2] = {}): Promise<ControllerHandle> {
  const h = await startController(env, identity, extra);
  running.push(h);
  return h;
}

before(async () => {
  env = await setupEnv(['bulk', 'race', 'handover', 'crash']);
});
after(async () => {
  for (const h of running) await h.stop().catch(() => undefined);
  await env?.cluster.stop();
});

async function ipsOf(ns: string): Promise<Map<string, { ip?: string; rv?: string }>> {
  const list = await env.core.listNamespacedService({ namespace: ns });
  return new Map(list.items.map((s: V1Service) => [s.metadata!.name!, { ip: s.status?.loadBalancer?.ingress?.[0]?.ip, rv: s.metadata?.resourceVersion }]));
}

async function allAllocated(ns: string, n: number): Promise<Map<string, { ip?: string; rv?: string }>> {
  return waitFor(`${n} Services in ${ns} with an address`, async () => {
    const m = await ipsOf(ns);
    return [...m.values()].filter((v) => v.ip).length === n ? m : undefined;
  }, 90_000);
}

test('200 Services: a controller restart changes nothing, a wiped Eip status is rebuilt', async () => {
  await createEip(env, 'bulk-pool', { address: '10.50.0.0/16', namespaces: ['bulk'] });
  let ctl = await start('first');
  const names = Array.from({ length: 200 }, (_, i) => `s${i}`);
  for (let i = 0; i < names.length; i += 20) {
    await Promise.all(names.slice(i, i + 20).map((n) => createService(env, 'bulk', n)));
  }
  const before1 = await allAllocated('bulk', 200);
  await waitFor('Eip usage 200', async () => (await getEip(env, 'bulk-pool')).status?.usage === 200);
  await settled([ctl]);
  await ctl.stop();
  const ips = [...before1.values()].map((v) => v.ip);
  assert.equal(new Set(ips).size, 200, 'no duplicate address');
  const eipBefore = await getEip(env, 'bulk-pool');

  ctl = await start('second');
  await waitFor('leadership', async () => ctl.isLeader());
  await settled([ctl]);
  const after1 = await ipsOf('bulk');
  // Same addresses, and not even a write: every resourceVersion is unchanged.
  assert.deepEqual(after1, before1);
  assert.equal((await getEip(env, 'bulk-pool')).metadata?.resourceVersion, eipBefore.metadata?.resourceVersion);
  await ctl.stop();

  // Lose the record in the Eip (as if its status were wiped): the Services' status is adopted back.
  const e = await getEip(env, 'bulk-pool');
  await env.custom.replaceClusterCustomObjectStatus({ group: GROUP, version: 'v1alpha2', plural: 'eips', name: 'bulk-pool', body: { ...e, status: {} } });
  ctl = await start('third');
  await waitFor('usage rebuilt', async () => (await getEip(env, 'bulk-pool')).status?.usage === 200, 60_000);
  await settled([ctl]);
  const after2 = await ipsOf('bulk');
  for (const [name, v] of before1) assert.equal(after2.get(name)?.ip, v.ip, `${name} kept its address`);
  await ctl.stop();
});

test('leader election: only the Lease holder allocates, and a standby takes over', async () => {
  await createEip(env, 'handover-pool', { address: '10.60.0.0/24', namespaces: ['handover'] });
  const a = await start('replica-a');
  await waitFor('a leads', async () => a.isLeader());
  const b = await start('replica-b');
  await createService(env, 'handover', 'h1');
  await allAllocated('handover', 1);
  assert.equal(b.isLeader(), false);
  const lease = await env.kc.makeApiClient(CoordinationV1Api)
    .readNamespacedLease({ name: 'openelb-controller', namespace: 'openelb-system' });
  assert.equal(lease.spec?.holderIdentity, 'replica-a');
  await a.stop();
  await waitFor('b leads', async () => b.isLeader(), 15_000);
  await createService(env, 'handover', 'h2');
  const m = await allAllocated('handover', 2);
  assert.deepEqual([...m.values()].map((v) => v.ip).sort(), ['10.60.0.0', '10.60.0.1']);
  await b.stop();
});

test('the controller keeps watching across an API server restart', async () => {
  await createEip(env, 'survive-pool', { address: '10.80.0.0/24', namespaces: ['survive'] });
  await env.core.createNamespace({ body: { metadata: { name: 'survive' } } });
  const ctl = await start('survivor', { leaseName: 'survive' });
  await waitFor('leadership', async () => ctl.isLeader());
  await createService(env, 'survive', 'before');
  await allAllocated('survive', 1);
  await env.cluster.restartApiServer();
  await createService(env, 'survive', 'after');
  const m = await allAllocated('survive', 2);
  assert.deepEqual([...m.values()].map((v) => v.ip).sort(), ['10.80.0.0', '10.80.0.1']);
  await ctl.stop();
});

test('two controllers allocating at once never hand out one address twice', async () => {
  await createEip(env, 'race-pool', { address: '10.70.0.0/24', namespaces: ['race'] });
  // Different Lease names: both lead, so only the Eip's resourceVersion keeps them apart.
  const a = await start('racer-a', { leaseName: 'race-a' });
  const b = await start('racer-b', { leaseName: 'race-b' });
  await waitFor('both lead', async () => a.isLeader() && b.isLeader());
  await Promise.all(Array.from({ length: 60 }, (_, i) => createService(env, 'race', `r${i}`)));
  const m = await allAllocated('race', 60);
  await settled([a, b]);
  const ips = [...m.values()].map((v) => v.ip!);
  assert.equal(new Set(ips).size, 60, `duplicates: ${ips.filter((ip, i) => ips.indexOf(ip) !== i).join(', ')}`);
  const used = (await getEip(env, 'race-pool')).status?.used as Record<string, string>;
  assert.equal(Object.keys(used).length, 60);
  for (const [name, v] of m) assert.equal(used[v.ip!], `race/${name}`, `${name} recorded at its address`);
  await a.stop();
  await b.stop();
});

test('a controller killed mid-burst, before status.used shows its last claims: the next one keeps every address', async () => {
  await createEip(env, 'crash-pool', { address: '10.72.0.0/23', namespaces: ['crash'] });
  // The real CLI as its own process, so it can die without any shutdown work (SIGKILL).
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../runtime/src/cli/openelb.ts'),
    'controller', '--kubeconfig', env.cluster.kubeconfigPath], { stdio: 'ignore' });
  const N = 300;
  let pending = 0;
  try {
    await waitFor('the controller process leads', async () => {
      const l = await env.kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: 'openelb-controller', namespace: 'openelb-system' }).catch(() => undefined);
      return l?.spec?.holderIdentity?.endsWith(`_${child.pid}`);
    }, 60_000, 100);
    const creating = createServices(env, 'crash', Array.from({ length: N }, (_, i) => `k${i}`));
    // Killed while it allocates: status.used is mirrored every 250 ms, so the last claims are
    // only in the journal.
    await waitFor('100 addresses shown', async () => [...(await ipsOf('crash')).values()].filter((v) => v.ip).length >= 100, 60_000, 20);
    child.kill('SIGKILL');
    await creating;
    const journal = await restCall(env.kc, 'GET', '/api/v1/namespaces/openelb-system/configmaps/openelb-journal') as { data?: Record<string, string> };
    const entry = JSON.parse(journal.data?.['crash-pool'] ?? '{"set":{}}') as { set: Record<string, string> };
    const used = (await getEip(env, 'crash-pool')).status?.used as Record<string, string> | undefined ?? {};
    pending = Object.entries(entry.set).filter(([ip, holders]) => used[ip] !== holders).length;
  } finally {
    child.kill('SIGKILL');
  }
  const before1 = await ipsOf('crash');
  assert.ok(pending > 0, 'the journal held claims status.used did not show yet (the case under test)');

  const ctl = await start('after-crash');
  await waitFor('leadership', async () => ctl.isLeader(), 30_000);
  const after1 = await allAllocated('crash', N);
  await settled([ctl]);
  for (const [name, v] of before1) if (v.ip) assert.equal(after1.get(name)?.ip, v.ip, `${name} kept its address`);
  const ips = [...after1.values()].map((v) => v.ip);
  assert.equal(new Set(ips).size, N, 'no address twice');
  // status.used is brought up to date from the journal, and the journal's entries are trimmed.
  const used = (await getEip(env, 'crash-pool')).status?.used as Record<string, string>;
  assert.deepEqual(used, Object.fromEntries([...after1].map(([name, v]) => [v.ip!, `crash/${name}`])));
  const left = await restCall(env.kc, 'GET', '/api/v1/namespaces/openelb-system/configmaps/openelb-journal') as { data?: Record<string, string> };
  assert.equal(left.data?.['crash-pool'], undefined, 'nothing left to mirror');
  await ctl.stop();
});
