// The speaker as a Kubernetes component, layer2 mode, end to end: a real API server in its own
// namespace, the allocation controller, and `openelb speaker` in node1..3. The controller gives
// a Service an address; the elected node answers ARP / NDP for it; when that speaker dies the
// address moves (the client's neighbour entry follows the gratuitous ARP).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { electOwner } from '../../runtime/src/speaker/plan/election';
import { serviceBody } from '../harness/cluster/controllerEnv';
import { SpeakerProc } from '../harness/net/clusterInNetns';
import { startNetSystem, waitSpeakerLeases, type NetSystem } from '../harness/net/netSystem';
import { Topology, requireNetTools, type HostName } from '../harness/net/topology';
import { arpingMacs, eipConditions, nodeMetrics, until } from '../harness/net/speakerHelpers';

const NODE_NAMES = ['node1', 'node2', 'node3'] as const;
const GROUP = 'network.kubesphere.io';

describe('openelb speaker, layer2, in network namespaces', () => {
  let topo: Topology;
  let sys: NetSystem | undefined;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  const speakers = new Map<string, SpeakerProc>();
  let vip = '';

  const eip = (name: string, address: string) => custom.createClusterCustomObject({
    group: GROUP, version: 'v1alpha2', plural: 'eips',
    body: { apiVersion: `${GROUP}/v1alpha2`, kind: 'Eip', metadata: { name }, spec: { address, protocol: 'layer2', interface: 'eth0' } },
  });
  const service = (name: string, pool: string, ipv6 = false) => core.createNamespacedService({
    namespace: 'test', body: serviceBody('test', name, { annotations: { 'eip.openelb.kubesphere.io/v1alpha2': pool }, ipv6 }),
  });
  const ingress = (name: string) => until(`an address on Service test/${name}`, async () =>
    (await core.readNamespacedService({ namespace: 'test', name })).status?.loadBalancer?.ingress?.[0]?.ip, 20_000);
  const mac = (node: string) => topo.hosts[node as HostName].mac;
  const speakerLog = () => [...speakers.values()].map((s) => `--- ${s.node}:\n${s.output.slice(-3000)}`).join('\n');

  before(async () => {
    requireNetTools(['ip', 'arping', 'ping', 'ndisc6']);
    topo = Topology.create();
    sys = await startNetSystem(topo.prefix, 'speaker-l2');
    ({ core, custom } = sys);
    await eip('lan', '172.31.255.100-172.31.255.110');
    await eip('lan6', 'fd00:31::100-fd00:31::110');
    await eip('elsewhere', '10.99.0.0/28');
    for (const n of NODE_NAMES) speakers.set(n, SpeakerProc.start(topo.hosts[n].ns, n, sys.cluster.kubeconfigInNs));
    await waitSpeakerLeases(sys, NODE_NAMES, speakerLog);
  });

  after(async () => {
    if (sys) await sys.stop(speakers.values(), () => topo.teardown());
    else topo?.teardown();
  });

  test('every node publishes its interfaces on its Node', async () => {
    for (const n of NODE_NAMES) {
      const ifs = await until(`interfaces annotation on ${n}`, async () => {
        const a = (await core.readNode({ name: n })).metadata?.annotations?.['openelb.kubesphere.io/interfaces'];
        return a ? JSON.parse(a) as { name: string; mac: string; addresses: string[] }[] : undefined;
      }, 20_000, speakerLog);
      const eth0 = ifs.find((i) => i.name === 'eth0');
      assert.ok(eth0, JSON.stringify(ifs));
      assert.equal(eth0.mac, mac(n));
      assert.ok(eth0.addresses.includes(`${topo.hosts[n as HostName].v4}/24`), JSON.stringify(eth0));
      assert.ok(!ifs.some((i) => i.name === 'lo'), 'lo is not published');
    }
  });

  test('each speaker checks the Eip range against eth0: ConfigSpeaker, or ConfigSpeakerFailed off-subnet', async () => {
    const ok = await until('three True conditions on Eip lan', async () => {
      const c = await eipConditions(custom, 'lan');
      return NODE_NAMES.every((n) => c[`Speaker.${n}`]?.status === 'True') ? c : undefined;
    }, 20_000, speakerLog);
    assert.equal(ok['Speaker.node1'].reason, 'ConfigSpeaker');
    const bad = await until('three False conditions on Eip elsewhere', async () => {
      const c = await eipConditions(custom, 'elsewhere');
      return NODE_NAMES.every((n) => c[`Speaker.${n}`]?.status === 'False') ? c : undefined;
    }, 20_000, speakerLog);
    assert.equal(bad['Speaker.node2'].reason, 'ConfigSpeakerFailed');
    assert.match(bad['Speaker.node2'].message, /not in the same network segment/);
    // The controller's own condition survives next to ours.
    assert.ok(ok.Valid, `controller's Valid condition kept: ${JSON.stringify(ok)}`);
    const events = await core.listNamespacedEvent({ namespace: 'default', fieldSelector: 'involvedObject.kind=Eip,involvedObject.name=elsewhere' });
    assert.ok(events.items.some((e) => e.reason === 'ConfigSpeakerFailed' && e.type === 'Warning'), JSON.stringify(events.items.map((e) => e.reason)));
  });

  test('the Service address is answered by the elected node only', async () => {
    await service('web', 'lan');
    vip = await ingress('web');
    const owner = electOwner(vip, [...NODE_NAMES])!;
    const out = await until(`ARP replies for ${vip}`, async () => {
      const r = topo.tryExec('client', 'arping', ['-c', '2', '-w', '3', '-I', 'eth0', vip]);
      return arpingMacs(r.stdout).length >= 2 ? r.stdout : undefined;
    }, 15_000, speakerLog);
    assert.deepEqual([...new Set(arpingMacs(out))], [mac(owner)], `only ${owner} answers:\n${out}`);
  });

  test('IPv6: the elected node answers Neighbor Solicitations for a v6 Service address', async () => {
    await service('web6', 'lan6', true);
    const vip6 = await ingress('web6');
    const owner = electOwner(vip6, [...NODE_NAMES])!;
    const target = await until(`NA for ${vip6}`, async () => {
      const r = topo.tryExec('client', 'ndisc6', ['-1', '-r', '2', '-w', '1000', vip6, 'eth0']);
      return /Target link-layer address: ([0-9A-Fa-f:]{17})/.exec(r.stdout)?.[1].toLowerCase();
    }, 15_000, speakerLog);
    assert.equal(target, mac(owner));
  });

  test('killing the owner (SIGKILL) moves the address once its Lease expires; SIGTERM hands over at once', async (t) => {
    topo.tryExec('client', 'ping', ['-c', '1', '-W', '1', vip]);
    const first = electOwner(vip, [...NODE_NAMES])!;
    assert.equal(topo.neighbourMac('client', vip), mac(first));
    const rest = NODE_NAMES.filter((n) => n !== first);
    const second = electOwner(vip, rest)!;

    let t0 = Date.now();
    await speakers.get(first)!.kill('SIGKILL');
    await until(`client neighbour entry → ${second}`, async () => topo.neighbourMac('client', vip) === mac(second) || undefined, 10_000, speakerLog, 20);
    const crash = Date.now() - t0;

    const third = rest.find((n) => n !== second)!;
    t0 = Date.now();
    await speakers.get(second)!.kill('SIGTERM');
    await until(`client neighbour entry → ${third}`, async () => topo.neighbourMac('client', vip) === mac(third) || undefined, 10_000, speakerLog, 20);
    const graceful = Date.now() - t0;
    t.diagnostic(`failover after SIGKILL: ${crash} ms (default Lease); after SIGTERM: ${graceful} ms`);
    assert.ok(crash < 5000, `failover after a crash took ${crash} ms`);
    assert.ok(graceful < 2000, `failover after a clean stop took ${graceful} ms`);

    const arp = topo.exec('client', 'arping', ['-c', '1', '-w', '3', '-I', 'eth0', vip]);
    assert.deepEqual(arpingMacs(arp), [mac(third)]);
    const m = nodeMetrics(topo.hosts[third as HostName].ns);
    assert.match(m, /openelb_layer2_gratuitous_total\{node="node\d"\} [1-9]/);
    assert.match(m, /openelb_layer2_replies_total\{node="node\d",protocol="arp"\} [1-9]/);
  });
});
