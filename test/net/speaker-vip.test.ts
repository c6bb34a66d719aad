// The speaker's vip mode end to end, in network namespaces: a real API server, the allocation
// controller, and `openelb speaker` in node1..3. The node elected for a Service address holds
// it on eth0 (through the packet helper's netlink subcommands), so the client reaches a TCP
// listener of that node on it. The address moves on SIGKILL (after the Lease) and on SIGTERM (at
// once), the client's neighbour entry following the gratuitous ARP / NA; nothing is left on any
// node after the Service goes, after a restart following a crash, or after every speaker stopped.
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { parseIp } from '@openelb/core/address/ip';
import { parsePool, poolContains } from '@openelb/core/address/pool';
import { PROTOCOL_ANNOTATION } from '@openelb/core/api/annotations';
import { electOwner } from '../../runtime/src/speaker/plan/election';
import { serviceBody } from '../harness/cluster/controllerEnv';
import { buildPacketHelper } from '../harness/net/announcerProcess';
import { REPO, SpeakerProc } from '../harness/net/clusterInNetns';
import { startNetSystem, waitSpeakerLeases, type NetSystem } from '../harness/net/netSystem';
import { Topology, requireNetTools } from '../harness/net/topology';
import { eipConditions, interfaceAddresses, tcpGreeting, until } from '../harness/net/speakerHelpers';

const NODE_NAMES = ['node1', 'node2', 'node3'] as const;
type NodeName = (typeof NODE_NAMES)[number];
const GROUP = 'network.kubesphere.io';
const POOL4 = '172.31.255.120-172.31.255.130';
const POOL6 = 'fd00:31::120-fd00:31::130';
const POOLS = [parsePool(POOL4).pool!, parsePool(POOL6).pool!];
/** Routed through the router and in no subnet of eth0: only a route lookup finds eth0 for it. */
const REMOTE = '10.77.0.1';
const PORT = 8080;

describe('openelb speaker, vip, in network namespaces', () => {
  let topo: Topology;
  let sys: NetSystem | undefined;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  const speakers = new Map<NodeName, SpeakerProc>();
  let v4 = '';
  let v6 = '';
  let unprivileged: ChildProcess | undefined;
  let unprivilegedOutput = '';

  const eip = (name: string, address: string, iface: string) => custom.createClusterCustomObject({
    group: GROUP, version: 'v1alpha2', plural: 'eips',
    body: { apiVersion: `${GROUP}/v1alpha2`, kind: 'Eip', metadata: { name }, spec: { address, protocol: 'vip', interface: iface } },
  });
  const service = (name: string, pool: string, ipv6 = false) => core.createNamespacedService({
    namespace: 'test', body: serviceBody('test', name, { annotations: { 'eip.openelb.kubesphere.io/v1alpha2': pool, [PROTOCOL_ANNOTATION]: 'vip' }, ipv6 }),
  });
  const ingress = (name: string) => until(`an address on Service test/${name}`, async () =>
    (await core.readNamespacedService({ namespace: 'test', name })).status?.loadBalancer?.ingress?.[0]?.ip, 20_000);
  const ns = (n: NodeName | 'client') => topo.hosts[n].ns;
  const mac = (n: NodeName) => topo.hosts[n].mac;
  const speakerLog = () => [...speakers.values()].map((s) => `--- ${s.node}:\n${s.output.slice(-3000)}`).join('\n') +
    (unprivileged ? `\n--- without NET_ADMIN:\n${unprivilegedOutput}` : '');
  const same = (a: string, b: string) => { const x = parseIp(a); const y = parseIp(b); return !!x && !!y && x.family === y.family && x.value === y.value; };
  /** The nodes whose eth0 holds `ip`. */
  const holders = (ip: string) => NODE_NAMES.filter((n) => interfaceAddresses(ns(n)).some((a) => same(a.local, ip)));
  /** Host addresses (/32, /128) inside a vip pool on a node's eth0. */
  const vipAddresses = (n: NodeName) => interfaceAddresses(ns(n)).filter((a) => {
    const ip = parseIp(a.local);
    return ip && a.prefixlen === (ip.family === 4 ? 32 : 128) && POOLS.some((p) => poolContains(p, ip));
  }).map((a) => a.local);
  const greeting = (ip: string) => until(`a TCP greeting from ${ip}`, async () => {
    try { return tcpGreeting(ns('client'), ip, PORT); } catch { return undefined; }
  }, 10_000, speakerLog);
  const elect = (ip: string, among: readonly NodeName[] = NODE_NAMES) => electOwner(ip, [...among]) as NodeName;
  const start = (n: NodeName) => speakers.set(n, SpeakerProc.start(ns(n), n, sys!.cluster.kubeconfigInNs));

  before(async () => {
    requireNetTools(['ip', 'ping', 'setpriv']);
    buildPacketHelper(); // the speakers run the cache build, which must have the netlink subcommands
    topo = Topology.create();
    for (const n of NODE_NAMES) {
      topo.exec(n, 'ip', ['route', 'add', '10.77.0.0/16', 'via', topo.hosts.router.v4, 'dev', 'eth0']);
      // A listener on every node: the greeting names the node whose kernel took the connection.
      topo.spawnIn(n, process.execPath, ['-e', `require('net').createServer((s) => s.end('${n}\\n')).listen({ port: ${PORT}, host: '::' })`]);
    }
    sys = await startNetSystem(topo.prefix, 'speaker-vip');
    ({ core, custom } = sys);
    await eip('vip', POOL4, `can_reach:${REMOTE}`);
    await eip('vip6', POOL6, 'eth0');
    await eip('vipbad', '10.98.0.0/28', 'eth9');
    for (const n of NODE_NAMES) start(n);
    await waitSpeakerLeases(sys, NODE_NAMES, speakerLog);
  });

  after(async () => {
    unprivileged?.kill('SIGKILL');
    if (sys) await sys.stop(speakers.values(), () => topo.teardown());
    else topo?.teardown();
  });

  test('each node reports the vip Eips: True on eth0 (can_reach through the helper\'s route lookup), False for a missing interface', async () => {
    const ok = await until('three True conditions on Eip vip', async () => {
      const c = await eipConditions(custom, 'vip');
      return NODE_NAMES.every((n) => c[`Speaker.${n}`]?.status === 'True') ? c : undefined;
    }, 20_000, speakerLog);
    assert.match(ok['Speaker.node1'].message, /^config openelb vip speaker successfully on eth0$/);
    const bad = await until('three False conditions on Eip vipbad', async () => {
      const c = await eipConditions(custom, 'vipbad');
      return NODE_NAMES.every((n) => c[`Speaker.${n}`]?.status === 'False') ? c : undefined;
    }, 20_000, speakerLog);
    assert.equal(bad['Speaker.node2'].reason, 'ConfigSpeakerFailed');
    assert.match(bad['Speaker.node2'].message, /interface eth9 does not exist/);
  });

  test('the elected node alone holds the Service address on eth0 as a /32 without prefix route; the client reaches it', async () => {
    await service('web', 'vip');
    v4 = await ingress('web');
    const owner = elect(v4);
    await until(`${v4} on ${owner} only`, async () => holders(v4).join() === owner || undefined, 15_000, speakerLog);
    const a = interfaceAddresses(ns(owner)).find((x) => x.local === v4)!;
    assert.deepEqual([a.prefixlen, a.noprefixroute], [32, true], JSON.stringify(a));
    topo.exec('client', 'ping', ['-c', '1', '-W', '2', v4]);
    assert.equal(await greeting(v4), owner);
    assert.equal(topo.neighbourMac('client', v4), mac(owner));
  });

  test('IPv6: the elected node holds the address as a /128, nodad and deprecated, with no route of its own', async () => {
    await service('web6', 'vip6', true);
    v6 = await ingress('web6');
    const owner = elect(v6);
    await until(`${v6} on ${owner} only`, async () => holders(v6).join() === owner || undefined, 15_000, speakerLog);
    const a = interfaceAddresses(ns(owner)).find((x) => same(x.local, v6))!;
    assert.deepEqual([a.prefixlen, a.nodad, a.noprefixroute, a.deprecated], [128, true, true, true], JSON.stringify(a));
    const routes = topo.exec(owner, 'ip', ['-6', 'route', 'show', 'table', 'main']);
    assert.ok(!routes.includes(v6), `no prefix route for ${v6}:\n${routes}`);
    topo.exec('client', 'ping', ['-c', '1', '-W', '2', v6]);
    assert.equal(await greeting(v6), owner);
    assert.equal(topo.neighbourMac('client', v6), mac(owner));
    // Planned again since it took the v4 address (this Service's events): the Node annotation lists
    // the NIC's own addresses, not the vips that move with every failover.
    const owner4 = elect(v4);
    const annotation = (await core.readNode({ name: owner4 })).metadata?.annotations?.['openelb.kubesphere.io/interfaces'] ?? '';
    assert.ok(annotation.includes(`"${topo.hosts[owner4].v4}/24"`) && !annotation.includes(`"${v4}/32"`), `the vip is not a NIC address: ${annotation}`);
  });

  test('SIGKILL: the next node takes the address after the Lease and the client follows; SIGTERM hands over at once', async (t) => {
    topo.exec('client', 'ping', ['-c', '1', '-W', '2', v4]);
    const first = elect(v4);
    assert.equal(topo.neighbourMac('client', v4), mac(first));
    const rest = NODE_NAMES.filter((n) => n !== first);
    const second = elect(v4, rest);
    const third = rest.find((n) => n !== second)!;

    let t0 = Date.now();
    await speakers.get(first)!.kill('SIGKILL');
    await until(`${second} holds ${v4}`, async () => holders(v4).includes(second) || undefined, 10_000, speakerLog, 20);
    const crashHeld = Date.now() - t0;
    await until(`client neighbour entry → ${second}`, async () => topo.neighbourMac('client', v4) === mac(second) || undefined, 10_000, speakerLog, 20);
    const crash = Date.now() - t0;
    assert.equal(await greeting(v4), second);
    // A killed process cleans nothing up: the copy on `first` stays until its speaker restarts.
    assert.deepEqual(holders(v4), [first, second].sort());

    t0 = Date.now();
    const stopped = speakers.get(second)!.kill('SIGTERM');
    await until(`${third} holds ${v4}`, async () => holders(v4).includes(third) || undefined, 10_000, speakerLog, 20);
    const gracefulHeld = Date.now() - t0;
    await until(`client neighbour entry → ${third}`, async () => topo.neighbourMac('client', v4) === mac(third) || undefined, 10_000, speakerLog, 20);
    const graceful = Date.now() - t0;
    await stopped;
    assert.ok(!holders(v4).includes(second), `${second} released ${v4} as it stopped`);
    assert.equal(await greeting(v4), third);
    t.diagnostic(`vip failover after SIGKILL: held by the next node after ${crashHeld} ms, client moved after ${crash} ms; ` +
      `after SIGTERM: ${gracefulHeld} ms / ${graceful} ms`);

    // IPv6 too: only `third` is live now; the client's entry follows its unsolicited NA.
    await until(`${third} holds ${v6}`, async () => holders(v6).includes(third) || undefined, 10_000, speakerLog, 20);
    await until(`client v6 neighbour entry → ${third}`, async () => topo.neighbourMac('client', v6) === mac(third) || undefined, 10_000, speakerLog, 20);
    assert.equal(await greeting(v6), third);
  });

  test('restarted speakers remove what a crash left and any vip address they are not elected for', async (t) => {
    const [first] = holders(v4).filter((n) => !speakers.get(n)!.running);
    const stale = NODE_NAMES.find((n) => n !== first && !speakers.get(n)!.running)!;
    assert.ok(first && stale, 'one killed and one stopped speaker from the previous test');
    // A leftover in the vip pool on the cleanly stopped node, and an address outside every pool.
    topo.exec(stale, 'ip', ['addr', 'add', '172.31.255.129/32', 'dev', 'eth0']);
    topo.exec(stale, 'ip', ['addr', 'add', '172.31.255.200/32', 'dev', 'eth0']);
    // The Service goes while `first` is dead: the live holder releases it, the crashed copy stays.
    await core.deleteNamespacedService({ namespace: 'test', name: 'web' });
    await until(`only the crashed ${first} has ${v4}`, async () => holders(v4).join() === first || undefined, 10_000, speakerLog);

    const t0 = Date.now();
    start(first);
    start(stale);
    await until('leftovers removed', async () =>
      (holders(v4).length === 0 && !vipAddresses(stale).includes('172.31.255.129')) || undefined, 30_000, speakerLog);
    t.diagnostic(`restarted speakers removed the leftovers ${Date.now() - t0} ms after their start (start-up included)`);
    assert.ok(interfaceAddresses(ns(stale)).some((a) => a.local === '172.31.255.200'), 'an address outside every vip pool is left alone');
    topo.exec(stale, 'ip', ['addr', 'del', '172.31.255.200/32', 'dev', 'eth0']);
    const owner6 = elect(v6);
    await until(`${v6} back on ${owner6} only`, async () => holders(v6).join() === owner6 || undefined, 15_000, speakerLog);
  });

  test('deleting the Service releases its address', async () => {
    await core.deleteNamespacedService({ namespace: 'test', name: 'web6' });
    await until(`${v6} released everywhere`, async () => holders(v6).length === 0 || undefined, 10_000, speakerLog);
  });

  test('a node that may not change addresses (no CAP_NET_ADMIN) reports VipAddressFailed and is passed over', async () => {
    await service('web2', 'vip');
    const v = await ingress('web2');
    const winner = elect(v);
    await until(`${v} on ${winner}`, async () => holders(v).join() === winner || undefined, 15_000, speakerLog);
    await speakers.get(winner)!.kill('SIGTERM');
    speakers.delete(winner);
    // Same speaker, run with NET_ADMIN dropped from its bounding set (its helpers inherit that).
    unprivileged = topo.spawnIn(winner, 'setpriv', ['--inh-caps=-all', '--bounding-set=-net_admin', process.execPath, '--import', 'tsx',
      join(REPO, 'runtime/src/cli/openelb.ts'), 'speaker', '--kubeconfig', sys!.cluster.kubeconfigInNs, '--node', winner, '--metrics-port', '9464'], { cwd: REPO });
    for (const out of [unprivileged.stdout!, unprivileged.stderr!]) out.on('data', (d: Buffer) => { unprivilegedOutput = (unprivilegedOutput + d.toString()).slice(-5000); });
    const c = await until(`Speaker.${winner}=False on Eip vip`, async () => {
      const cond = (await eipConditions(custom, 'vip'))[`Speaker.${winner}`];
      return cond?.status === 'False' ? cond : undefined;
    }, 30_000, speakerLog);
    assert.equal(c.reason, 'VipAddressFailed');
    assert.match(c.message, /eth0: .*Operation not permitted \(needs CAP_NET_ADMIN\)/);
    const next = elect(v, NODE_NAMES.filter((n) => n !== winner));
    await until(`${v} on ${next} only`, async () => holders(v).join() === next || undefined, 10_000, speakerLog);
  });

  test('after every speaker stopped (SIGTERM) no vip address is left on any node', async () => {
    await until('web2 held by one node', async () => holders((await ingress('web2'))).length === 1 || undefined, 15_000, speakerLog);
    const u = unprivileged!;
    const exited = u.exitCode === null ? new Promise((r) => u.once('exit', r)) : Promise.resolve();
    u.kill('SIGTERM');
    await Promise.all([...speakers.values()].map((s) => s.kill('SIGTERM')));
    await exited;
    for (const n of NODE_NAMES) assert.deepEqual(vipAddresses(n), [], `${n} eth0: ${JSON.stringify(interfaceAddresses(ns(n)))}`);
  });
});
