// The controller against a real API server: each OpenELB allocation rule, releases, pool
// exhaustion, invalid Eips, and what it writes (Service status, finalizer, Eip status, events).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import type { ControllerHandle } from '../../runtime/src/controller/runController';
import {
  createEip, createService, eventReasons, getEip, ingressIp, settled, setupEnv, startController, waitFor, waitForIp, type Env,
} from '../harness/cluster/controllerEnv';

let env: Env;
let ctl: ControllerHandle;

before(async () => {
  env = await setupEnv(['team', 'labelled', 'plain', 'six', 'full', 'moves']);
  const ns = await env.core.readNamespace({ name: 'labelled' });
  ns.metadata!.labels = { ...ns.metadata!.labels, env: 'prod' };
  await env.core.replaceNamespace({ name: 'labelled', body: ns });
  await createEip(env, 'default-pool', { address: '192.168.100.10-192.168.100.19' }, { isDefault: true });
  await createEip(env, 'team-low', { address: '10.10.0.1', namespaces: ['team'], priority: 1 });
  await createEip(env, 'team-high', { address: '10.10.1.0/30', namespaces: ['team'], priority: 5 });
  await createEip(env, 'by-label', { address: '10.20.0.0/29', namespaceSelector: { env: 'prod' } });
  await createEip(env, 'named', { address: '172.16.5.0/24' });
  await createEip(env, 'off', { address: '172.16.6.0/24', disable: true });
  await createEip(env, 'broken', { address: '172.16.7.0/24', protocol: 'layer2' }); // layer2 without interface
  await createEip(env, 'v6', { address: '2001:db8:1::/96', namespaces: ['six'] });
  await createEip(env, 'tiny', { address: '10.30.0.0/31', namespaces: ['full'] });
  ctl = await startController(env, 'ctl-a', { metricsPort: 0, metricsHost: '127.0.0.1' });
  await waitFor('leadership', async () => ctl.isLeader());
});

after(async () => {
  await ctl?.stop();
  await env?.cluster.stop();
});

test('default Eip: lowest free address, status, finalizer, label and events', async () => {
  await createService(env, 'plain', 'a');
  await createService(env, 'plain', 'b');
  assert.equal(await waitForIp(env, 'plain', 'a'), '192.168.100.10');
  assert.equal(await waitForIp(env, 'plain', 'b'), '192.168.100.11');
  const svc = await env.core.readNamespacedService({ namespace: 'plain', name: 'a' });
  assert.ok(svc.metadata?.finalizers?.includes('finalizer.lb.kubesphere.io/v1alpha1'));
  assert.equal(svc.metadata?.labels?.['eip.openelb.kubesphere.io/v1alpha2'], 'default-pool');
  const eip = await waitFor('Eip status', async () => {
    const e = await getEip(env, 'default-pool');
    return e.status?.usage === 2 ? e : undefined;
  });
  assert.deepEqual(
    { ...eip.status, conditions: undefined, journalGen: undefined },
    { poolSize: 10, firstIP: '192.168.100.10', lastIP: '192.168.100.19', v4: true, usage: 2, occupied: false, ready: true,
      used: { '192.168.100.10': 'plain/a', '192.168.100.11': 'plain/b' }, conditions: undefined, journalGen: undefined },
  );
  // status.used took the claims in from the allocation journal (runtime/src/controller/journal.ts)
  assert.ok(Number.isInteger(eip.status?.journalGen) && (eip.status?.journalGen as number) >= 1);
  const events = await waitFor('AssignIP event', async () => {
    const ev = await eventReasons(env, 'plain', 'Service', 'a');
    return ev.length ? ev : undefined;
  });
  assert.deepEqual(events[0], { reason: 'AssignIP', type: 'Normal', message: 'success to assign ip: 192.168.100.10' });
});

test('Services without the annotation or of another type are left alone', async () => {
  await createService(env, 'plain', 'not-ours', { openelb: false });
  await createService(env, 'plain', 'cluster-ip', { type: 'ClusterIP' });
  await createService(env, 'plain', 'marker'); // processed after the two above
  await waitForIp(env, 'plain', 'marker');
  await settled([ctl]);
  assert.equal(await ingressIp(env, 'plain', 'not-ours'), undefined);
  const s = await env.core.readNamespacedService({ namespace: 'plain', name: 'cluster-ip' });
  assert.equal(s.metadata?.finalizers, undefined);
});

test('pool annotation, requested-IP annotation and spec.loadBalancerIP', async () => {
  await createService(env, 'team', 'named', { annotations: { 'eip.openelb.kubesphere.io/v1alpha2': 'named' } });
  await createService(env, 'plain', 'ann-ip', { annotations: { 'eip.openelb.kubesphere.io/v1alpha1': '172.16.5.77' }, loadBalancerIP: '172.16.5.88' });
  await createService(env, 'plain', 'spec-ip', { loadBalancerIP: '192.168.100.15' });
  assert.equal(await waitForIp(env, 'team', 'named'), '172.16.5.0');
  assert.equal(await waitForIp(env, 'plain', 'ann-ip'), '172.16.5.77');
  assert.equal(await waitForIp(env, 'plain', 'spec-ip'), '192.168.100.15');
});

test('namespace pools: by name with priority and non-full first, by label selector', async () => {
  await createService(env, 'team', 't1');
  assert.equal(await waitForIp(env, 'team', 't1'), '10.10.0.1');
  await createService(env, 'team', 't2'); // team-low (one address) is full now
  assert.equal(await waitForIp(env, 'team', 't2'), '10.10.1.0');
  await createService(env, 'labelled', 'l1');
  assert.equal(await waitForIp(env, 'labelled', 'l1'), '10.20.0.0');
});

test('IPv6 Services get an address from an IPv6 pool', async () => {
  await createService(env, 'six', 'v6', { ipv6: true });
  assert.equal(await waitForIp(env, 'six', 'v6'), '2001:db8:1::');
  // An IPv4 Service in the same namespace does not take the IPv6 pool.
  await createService(env, 'six', 'v4');
  assert.match(await waitForIp(env, 'six', 'v4'), /^192\.168\.100\./);
});

test('disabled and invalid Eips are never allocated from; invalid ones say why', async () => {
  await createService(env, 'plain', 'want-off', { annotations: { 'eip.openelb.kubesphere.io/v1alpha2': 'off' } });
  await createService(env, 'plain', 'want-broken', { annotations: { 'eip.openelb.kubesphere.io/v1alpha2': 'broken' } });
  const ev1 = await waitFor('AssignIPFailed for off', async () => (await eventReasons(env, 'plain', 'Service', 'want-off')).find((e) => e.reason === 'AssignIPFailed'));
  assert.match(ev1.message, /Eip off is disabled/);
  const ev2 = await waitFor('AssignIPFailed for broken', async () => (await eventReasons(env, 'plain', 'Service', 'want-broken')).find((e) => e.reason === 'AssignIPFailed'));
  assert.match(ev2.message, /Eip broken is invalid/);
  assert.equal(await ingressIp(env, 'plain', 'want-off'), undefined);
  const broken = await waitFor('Valid=False condition', async () => {
    const e = await getEip(env, 'broken');
    const c = (e.status?.conditions as { type: string; status: string; message: string }[] | undefined)?.find((x) => x.type === 'Valid');
    return c?.status === 'False' ? c : undefined;
  });
  assert.match(broken.message, /interface/);
  const warn = await waitFor('Eip warning event', async () => (await eventReasons(env, 'default', 'Eip', 'broken')).find((e) => e.type === 'Warning'));
  assert.match(warn.message, /not used for allocation/);
});

test('pool exhaustion fails with an event, and a release lets the waiting Service in', async () => {
  await createService(env, 'full', 'f1');
  await createService(env, 'full', 'f2');
  const ip1 = await waitForIp(env, 'full', 'f1');
  const ip2 = await waitForIp(env, 'full', 'f2');
  assert.deepEqual([ip1, ip2].sort(), ['10.30.0.0', '10.30.0.1']);
  // The namespace's pool is full; a Service that insists on it must wait.
  await createService(env, 'full', 'f3', { annotations: { 'eip.openelb.kubesphere.io/v1alpha2': 'tiny' } });
  const ev = await waitFor('AssignIPFailed', async () => (await eventReasons(env, 'full', 'Service', 'f3')).find((e) => e.reason === 'AssignIPFailed'));
  assert.match(ev.message, /Eip tiny is full/);
  await env.core.deleteNamespacedService({ namespace: 'full', name: 'f1' });
  assert.equal(await waitForIp(env, 'full', 'f3'), ip1);
});

test('release on delete, type change and annotation removal; finalizer goes away', async () => {
  await createService(env, 'moves', 'd');
  await createService(env, 'moves', 't');
  await createService(env, 'moves', 'n');
  const ipD = await waitForIp(env, 'moves', 'd');
  const ipT = await waitForIp(env, 'moves', 't');
  const ipN = await waitForIp(env, 'moves', 'n');
  await env.core.deleteNamespacedService({ namespace: 'moves', name: 'd' });
  await waitFor('Service d gone', async () => env.core.readNamespacedService({ namespace: 'moves', name: 'd' }).then(() => false, () => true));
  const t = await env.core.readNamespacedService({ namespace: 'moves', name: 't' });
  await env.core.replaceNamespacedService({ namespace: 'moves', name: 't', body: { ...t, spec: { ...t.spec, type: 'ClusterIP', allocateLoadBalancerNodePorts: undefined } } });
  const n = await env.core.readNamespacedService({ namespace: 'moves', name: 'n' });
  delete n.metadata!.annotations!['lb.kubesphere.io/v1alpha1'];
  await env.core.replaceNamespacedService({ namespace: 'moves', name: 'n', body: n });
  await waitFor('addresses released in the Eip', async () => {
    const used = (await getEip(env, 'default-pool')).status?.used as Record<string, string> | undefined ?? {};
    return ![ipD, ipT, ipN].some((ip) => ip in used);
  });
  for (const name of ['t', 'n']) {
    const s = await waitFor(`${name} cleaned`, async () => {
      const x = await env.core.readNamespacedService({ namespace: 'moves', name });
      return x.metadata?.finalizers?.length ? undefined : x;
    });
    assert.equal(s.status?.loadBalancer?.ingress?.length ?? 0, 0);
    assert.equal(s.metadata?.labels?.['eip.openelb.kubesphere.io/v1alpha2'], undefined);
    // Events are posted after the writes (and held while there is allocation work): wait for it.
    await waitFor(`ReleaseIP event on ${name}`, async () => (await eventReasons(env, 'moves', 'Service', name)).some((e) => e.reason === 'ReleaseIP'));
  }
});

test('an allocated Service does not move when preferences change', async () => {
  await createService(env, 'moves', 'stay');
  const ip = await waitForIp(env, 'moves', 'stay');
  await createEip(env, 'moves-pool', { address: '10.40.0.0/24', namespaces: ['moves'], priority: -5 });
  await createService(env, 'moves', 'new');
  assert.equal(await waitForIp(env, 'moves', 'new'), '10.40.0.0');
  await settled([ctl]);
  assert.equal(await ingressIp(env, 'moves', 'stay'), ip);
});

test('deleting an Eip moves its Services to the pool that now applies', async () => {
  await createEip(env, 'gone-pool', { address: '10.90.0.0/30', namespaces: ['gone'] });
  await env.core.createNamespace({ body: { metadata: { name: 'gone' } } });
  await createService(env, 'gone', 'g');
  assert.equal(await waitForIp(env, 'gone', 'g'), '10.90.0.0');
  await env.custom.deleteClusterCustomObject({ group: 'network.kubesphere.io', version: 'v1alpha2', plural: 'eips', name: 'gone-pool' });
  const ip = await waitFor('a new address', async () => {
    const x = await ingressIp(env, 'gone', 'g');
    return x && x !== '10.90.0.0' ? x : undefined;
  });
  assert.match(ip, /^192\.168\.100\./);
});

test('/metrics and /healthz', async () => {
  const fetchText = (path: string): Promise<[number, string]> => new Promise((res, rej) => {
    get({ host: '127.0.0.1', port: ctl.metricsPort, path }, (r) => {
      let b = '';
      r.on('data', (d: Buffer) => { b += d.toString(); });
      r.on('end', () => res([r.statusCode ?? 0, b]));
    }).on('error', rej);
  });
  assert.deepEqual(await fetchText('/healthz'), [200, 'ok\n']);
  const [code, text] = await fetchText('/metrics');
  assert.equal(code, 200);
  assert.match(text, /^openelb_eip_pool_size\{eip="default-pool"\} 10$/m);
  assert.match(text, /^openelb_eip_pool_size\{eip="v6"\} 4294967296$/m);
  assert.match(text, /^openelb_eip_valid\{eip="broken"\} 0$/m);
  assert.match(text, /^openelb_allocations_total [1-9]\d*$/m);
  assert.match(text, /^openelb_allocation_failures_total [1-9]\d*$/m);
  assert.match(text, /^openelb_controller_leader 1$/m);
  // Settled: every committed change is in status.used, nothing waits in the journal.
  await settled([ctl]);
  assert.match(await fetchText('/metrics').then(([, t]) => t), /^openelb_eip_journal_entries\{eip="default-pool"\} 0$/m);
});
