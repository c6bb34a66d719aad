// Gossip membership wired into real speakers (issue #14): `openelb speaker` in node1..3, each in
// its own network namespace, a real API server, the gossip key Secret and the speaker pods as
// `openelb deploy` leaves them (no kubelet here: the pods are objects only, which is all the
// speakers read). A layer2 Service's address must move on SIGKILL at gossip's dead verdict and
// at once on SIGTERM; a node cut off from its peers' gossip (UDP port dropped in its namespace)
// but reaching the API server must never leave the address with two answering nodes or none;
// with the gossip port blocked everywhere, failover falls back to the slow Leases. Times are
// printed, not asserted (machines are noisy); order and outcome are.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { electOwner } from '../../runtime/src/speaker/plan/election';
import { serviceBody } from '../harness/cluster/controllerEnv';
import { SpeakerProc } from '../harness/net/clusterInNetns';
import { startNetSystem, waitSpeakerLeases, type NetSystem } from '../harness/net/netSystem';
import { Topology, requireNetTools, type HostName } from '../harness/net/topology';
import { arpingMacs, nodeMetrics, until } from '../harness/net/speakerHelpers';

const NODE_NAMES = ['node1', 'node2', 'node3'] as const;
const GROUP = 'network.kubesphere.io';
const PORT = 7947;

describe('openelb speaker with gossip membership, in network namespaces', () => {
  let topo: Topology;
  let sys: NetSystem | undefined;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  const speakers = new Map<string, SpeakerProc>();
  const times: string[] = [];
  let vip = '';

  const mac = (node: string) => topo.hosts[node as HostName].mac;
  const speakerLog = () => [...speakers.values()].map((s) => `--- ${s.node}:\n${s.output.slice(-4000)}`).join('\n');
  const start = (n: string) => speakers.set(n, SpeakerProc.start(topo.hosts[n as HostName].ns, n, sys!.cluster.kubeconfigInNs));
  /** Who answers ARP for the address now: every MAC that replied to two requests (up to 2 s;
   * two nodes answering show at the first request). arping exits 1 when fewer replies came. */
  const answering = () => [...new Set(arpingMacs(spawnSync('ip', ['netns', 'exec', topo.hosts.client.ns, 'arping', '-c', '2', '-w', '2', '-I', 'eth0', vip],
    { encoding: 'utf8' }).stdout))];
  const gossipHealthy = (n: string) => /openelb_gossip_healthy\{node="[^"]+"\} 1/.test(nodeMetrics(topo.hosts[n as HostName].ns));
  const allAlive = (n: string) => {
    const m = nodeMetrics(topo.hosts[n as HostName].ns);
    return /openelb_gossip_healthy\{node="[^"]+"\} 1/.test(m) && /openelb_gossip_members\{node="[^"]+",state="alive"\} 2/.test(m)
      && /openelb_gossip_doubt\{node="[^"]+"\} 0/.test(m);
  };
  const waitAllAlive = (what: string) => until(`${what}: every speaker's gossip holds the two others alive, out of doubt`,
    async () => NODE_NAMES.every((n) => speakers.get(n)?.running && allAlive(n)) || undefined, 30_000, speakerLog, 200);
  const block = (n: string, on: boolean) => {
    for (const chain of ['INPUT', 'OUTPUT']) {
      const dir = chain === 'INPUT' ? '--dport' : '--sport';
      topo.exec(n as HostName, 'iptables', [on ? '-I' : '-D', chain, '-p', 'udp', dir, String(PORT), '-j', 'DROP']);
    }
  };
  /** Waits until the client's neighbour entry for the address is `node`'s MAC: the ms taken. */
  const movedTo = async (node: string, t0: number, ms = 10_000) => {
    await until(`client neighbour entry → ${node}`, async () => topo.neighbourMac('client', vip) === mac(node) || undefined, ms, speakerLog, 20);
    return Date.now() - t0;
  };

  before(async () => {
    requireNetTools(['ip', 'arping', 'iptables']);
    topo = Topology.create();
    sys = await startNetSystem(topo.prefix, 'speaker-gossip');
    ({ core, custom } = sys);
    // What `openelb deploy` creates: the key Secret and (through the DaemonSet) one speaker pod a node.
    await core.createNamespacedSecret({ namespace: 'openelb-system', body: { metadata: { name: 'openelb-speaker-gossip' }, data: { key: randomBytes(32).toString('base64') } } });
    // No controller-manager here: the ServiceAccount the pods name is created by hand.
    await core.createNamespacedServiceAccount({ namespace: 'openelb-system', body: { metadata: { name: 'openelb-speaker' } } });
    for (const n of NODE_NAMES) {
      await core.createNamespacedPod({ namespace: 'openelb-system', body: {
        metadata: { name: `openelb-speaker-${n}`, labels: { 'app.kubernetes.io/name': 'openelb', 'app.kubernetes.io/component': 'speaker' } },
        spec: { nodeName: n, serviceAccountName: 'openelb-speaker', automountServiceAccountToken: false, containers: [{ name: 'speaker', image: 'unused' }] },
      } });
    }
    await custom.createClusterCustomObject({ group: GROUP, version: 'v1alpha2', plural: 'eips',
      body: { apiVersion: `${GROUP}/v1alpha2`, kind: 'Eip', metadata: { name: 'lan' }, spec: { address: '172.31.255.100-172.31.255.110', protocol: 'layer2', interface: 'eth0' } } });
    for (const n of NODE_NAMES) start(n);
    await waitSpeakerLeases(sys, NODE_NAMES, speakerLog);
    await waitAllAlive('start');
    await core.createNamespacedService({ namespace: 'test', body: serviceBody('test', 'web', { annotations: { 'eip.openelb.kubesphere.io/v1alpha2': 'lan' } }) });
    vip = await until('an address on Service test/web', async () =>
      (await core.readNamespacedService({ namespace: 'test', name: 'web' })).status?.loadBalancer?.ingress?.[0]?.ip, 60_000, () => sys!.logs.join('\n'));
  });

  after(async () => {
    if (times.length) console.log(`speaker membership, measured:\n  ${times.join('\n  ')}`);
    if (sys) await sys.stop(speakers.values(), () => topo.teardown());
    else topo?.teardown();
  });

  test('gossip is on: Leases renewed every 10 s, annotated healthy; the owner answers', async () => {
    for (const n of NODE_NAMES) assert.match(speakers.get(n)!.output, /gossip membership on UDP 7947/, n);
    const owner = electOwner(vip, [...NODE_NAMES])!;
    assert.deepEqual(await until('one node answers ARP', async () => { const a = answering(); return a.length ? a : undefined; }, 15_000, speakerLog), [mac(owner)]);
    const lease = await sys!.kc.makeApiClient((await import('@kubernetes/client-node')).CoordinationV1Api).readNamespacedLease({ namespace: 'openelb-system', name: `openelb-speaker-${owner}` });
    assert.equal(lease.metadata?.annotations?.['openelb.kubesphere.io/gossip'], 'healthy');
    assert.equal(lease.metadata?.annotations?.['openelb.kubesphere.io/lease-duration-ms'], '30000');
  });

  test('SIGKILL of the owner: the next owner answers at the dead verdict; SIGTERM: at once', async () => {
    topo.tryExec('client', 'ping', ['-c', '1', '-W', '1', vip]);
    const first = electOwner(vip, [...NODE_NAMES])!;
    assert.equal(topo.neighbourMac('client', vip), mac(first));
    const second = electOwner(vip, NODE_NAMES.filter((n) => n !== first))!;
    let t0 = Date.now();
    await speakers.get(first)!.kill('SIGKILL');
    const crash = await movedTo(second, t0);
    // The log line may reach us after the ARP did (another process's pipe).
    await until(`${second} logging ${first} gone`, async () => new RegExp(`${first} counted gone \\(membership\\)`).test(speakers.get(second)!.output) || undefined, 5000, speakerLog);
    times.push(`SIGKILL of the owner → next owner's gratuitous ARP at the client: ${crash} ms (3 nodes)`);

    // Back to three (a new life of the killed speaker), then a clean stop of the owner.
    start(first);
    await waitAllAlive('after the restart');
    await movedTo(first, Date.now());
    t0 = Date.now();
    await speakers.get(first)!.kill('SIGTERM');
    const graceful = await movedTo(second, t0);
    times.push(`SIGTERM of the owner → next owner's gratuitous ARP at the client: ${graceful} ms`);
    start(first);
    await waitAllAlive('after the second restart');
    await movedTo(first, Date.now());
  });

  test('the owner cut off from its peers\' gossip (not from the API server): one node answers, never two, never none', async () => {
    const owner = electOwner(vip, [...NODE_NAMES])!;
    const others = NODE_NAMES.filter((n) => n !== owner);
    const doubts = (n: string) => speakers.get(n)!.output.split('in doubt (').length;
    const doubtsBefore = others.map(doubts);
    const t0 = Date.now();
    block(owner, true);
    const seen: { at: number; macs: string[] }[] = [];
    try {
      await until(`${owner} out of gossip (unhealthy)`, async () => !gossipHealthy(owner) || undefined, 10_000, speakerLog, 200);
      // Through doubt and its decision: sample who answers for a while.
      while (Date.now() - t0 < 8000) seen.push({ at: Date.now() - t0, macs: answering() });
    } finally {
      block(owner, false);
    }
    const two = seen.filter((s) => s.macs.length > 1);
    const none = seen.filter((s) => s.macs.length === 0);
    times.push(`owner's gossip cut: ${seen.length} ARP samples over 8 s, answered by ${[...new Set(seen.flatMap((s) => s.macs))].length} node(s); `
      + `two answering in ${two.length}, none in ${none.length}`);
    assert.deepEqual(two, [], 'never two nodes answering');
    assert.deepEqual(none, [], 'never nobody answering');
    // With three nodes one peer lost is half the others: both went into doubt, saw the cut-off
    // node's Lease change (it is alive) and kept it live: no takeover, no declaration needed.
    others.forEach((n, i) => assert.ok(doubts(n) > doubtsBefore[i], `${n} went into doubt`));
    await waitAllAlive('after the cut healed');
  });

  test('gossip port blocked on every node: Lease mode, a SIGKILL fails over when the Lease lapses (slower)', async () => {
    const owner = electOwner(vip, [...NODE_NAMES])!;
    const next = electOwner(vip, NODE_NAMES.filter((n) => n !== owner))!;
    for (const n of NODE_NAMES) block(n, true);
    try {
      await until('every speaker in doubt, some peers alive by their Leases', async () =>
        NODE_NAMES.every((n) => /Lease mode for them/.test(speakers.get(n)!.output)) || undefined, 20_000, speakerLog, 200);
      assert.deepEqual(answering(), [mac(owner)], 'still one owner each');
      const t0 = Date.now();
      await speakers.get(owner)!.kill('SIGKILL');
      const slow = await movedTo(next, t0, 60_000);
      times.push(`gossip port blocked everywhere, SIGKILL of the owner → next owner: ${slow} ms (Lease duration 30 s + up to one 10 s renewal)`);
    } finally {
      for (const n of NODE_NAMES) block(n, false);
    }
  });
});
