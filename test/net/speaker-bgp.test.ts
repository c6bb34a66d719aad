// The speaker as a Kubernetes component, BGP mode, end to end: a real API server in its own
// namespace, the allocation controller, `openelb speaker` in node1..3 configured by a BgpConf
// and two BgpPeers — GoBGP in the router namespace and BIRD 2 in the client namespace (which
// installs ECMP routes into its kernel table).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DiscoveryV1Api, type CoreV1Api, type CustomObjectsApi } from '@kubernetes/client-node';
import type { NodePeerStatus } from '../../runtime/src/speaker/bgp/status';
import { serviceBody } from '../harness/cluster/controllerEnv';
import { birdc, gobgpRib, kernelNextHops, startBird, startGobgp, type Daemon } from '../harness/net/bgpPeers';
import { createTopology, requireRootAndTools, type Topology } from '../harness/net/bgpTopology';
import { SpeakerProc } from '../harness/net/clusterInNetns';
import { startNetSystem, type NetSystem } from '../harness/net/netSystem';
import { HOSTS } from '../harness/net/topology';
import { nodeMetrics, until } from '../harness/net/speakerHelpers';

const NODES = ['node1', 'node2', 'node3'] as const;
const GROUP = 'network.kubesphere.io';
const ROUTER_AS = 65000;
const NODE_AS = 65001;

type PeerStatusMap = Record<string, NodePeerStatus>;

describe('openelb speaker, BGP, in network namespaces', () => {
  let topo: Topology;
  let sys: NetSystem | undefined;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  let disc: DiscoveryV1Api;
  const daemons: Daemon[] = [];
  const speakers: SpeakerProc[] = [];
  let birdSock = '';

  const crd = (plural: string, kind: string, name: string, spec: object) => custom.createClusterCustomObject({
    group: GROUP, version: 'v1alpha2', plural, body: { apiVersion: `${GROUP}/v1alpha2`, kind, metadata: { name }, spec },
  });
  const peerStatus = async (name: string): Promise<PeerStatusMap> => ((await custom.getClusterCustomObject({
    group: GROUP, version: 'v1alpha2', plural: 'bgppeers', name,
  })) as { status?: { nodesPeerStatus?: PeerStatusMap } }).status?.nodesPeerStatus ?? {};
  const context = () => speakers.map((s) => `--- ${s.node}:\n${s.output.slice(-2500)}`).join('\n') +
    daemons.map((d) => `--- ${d.name}:\n${d.output.slice(-1500)}`).join('\n');
  const ingress = (name: string) => until(`an address on Service test/${name}`, async () =>
    (await core.readNamespacedService({ namespace: 'test', name })).status?.loadBalancer?.ingress?.[0]?.ip, 20_000);
  const hops = (ip: string) => gobgpRib(topo, 'router')[`${ip}/32`] ?? [];
  const all = NODES.map((n) => HOSTS[n].v4).sort();

  before(async () => {
    requireRootAndTools(['ip', 'gobgpd', 'gobgp', 'bird', 'birdc']);
    topo = createTopology();
    sys = await startNetSystem(topo.prefix, 'speaker-bgp');
    ({ core, custom } = sys);
    disc = sys.kc.makeApiClient(DiscoveryV1Api);
    const neighbours = NODES.map((n) => ({ address: topo.addr4(n), as: NODE_AS }));
    daemons.push(startGobgp(topo, 'router', ROUTER_AS, neighbours));
    const bird = startBird(topo, 'client', ROUTER_AS, neighbours);
    daemons.push(bird);
    birdSock = bird.sock;
    await until('BIRD control socket', async () => birdc(topo, 'client', birdSock, 'show status').includes('Daemon is up'), 15_000, context);

    await crd('bgpconfs', 'BgpConf', 'default', { as: NODE_AS, listenPort: 17900 });
    await crd('bgppeers', 'BgpPeer', 'gobgp', { conf: { peerAs: ROUTER_AS, neighborAddress: topo.addr4('router') }, timers: { config: { connectRetry: '1' } } });
    await crd('bgppeers', 'BgpPeer', 'bird', { conf: { peerAs: ROUTER_AS, neighborAddress: topo.addr4('client') }, timers: { config: { connectRetry: '1' } } });
    await crd('eips', 'Eip', 'routed', { address: '172.31.254.0/28', protocol: 'bgp' });
    for (const n of NODES) speakers.push(SpeakerProc.start(topo.ns(n), n, sys.cluster.kubeconfigInNs));
  });

  after(async () => {
    for (const d of daemons) await d.stop();
    if (sys) await sys.stop(speakers, () => topo.destroy());
    else topo?.destroy();
  });

  test('BgpPeer status shows ESTABLISHED for every node; BgpConf status lists every node', async () => {
    for (const peer of ['gobgp', 'bird']) {
      await until(`${peer} ESTABLISHED on three nodes`, async () => {
        const st = await peerStatus(peer);
        return NODES.every((n) => st[n]?.peerState.sessionState === 'ESTABLISHED') || undefined;
      }, 30_000, context);
    }
    const conf = await custom.getClusterCustomObject({ group: GROUP, version: 'v1alpha2', plural: 'bgpconfs', name: 'default' }) as
      { status?: { nodesConfStatus?: Record<string, { as: number; routerId: string }> } };
    for (const n of NODES) assert.deepEqual(conf.status?.nodesConfStatus?.[n], { as: NODE_AS, routerId: topo.addr4(n) });
    assert.match(nodeMetrics(topo.ns('node1')), /openelb_bgp_session_up\{node="node1",peer="gobgp",neighbor="172.31.255.1"\} 1/);
  });

  test('a bgp Service address reaches the routers with three next hops (ECMP in BIRD\'s kernel table)', async () => {
    await core.createNamespacedService({ namespace: 'test', body: serviceBody('test', 'web', { annotations: { 'eip.openelb.kubesphere.io/v1alpha2': 'routed' } }) });
    const ip = await ingress('web');
    await until(`GoBGP route ${ip}/32 via three nodes`, async () => JSON.stringify(hops(ip)) === JSON.stringify(all) || undefined, 20_000, context);
    await until(`BIRD kernel ECMP route ${ip}/32`, async () =>
      JSON.stringify(kernelNextHops(topo, 'client', `${ip}/32`)) === JSON.stringify(all) || undefined, 20_000, context);
    // Delete the Service: every speaker withdraws.
    await core.deleteNamespacedService({ namespace: 'test', name: 'web' });
    await until(`GoBGP route ${ip}/32 withdrawn`, async () => hops(ip).length === 0 || undefined, 10_000, context, 20);
    await until(`kernel route ${ip}/32 gone`, async () => kernelNextHops(topo, 'client', `${ip}/32`).length === 0 || undefined, 10_000, context, 20);
  });

  test('externalTrafficPolicy Local: only the node with a ready endpoint announces', async () => {
    const body = serviceBody('test', 'local', { annotations: { 'eip.openelb.kubesphere.io/v1alpha2': 'routed' } });
    body.spec!.externalTrafficPolicy = 'Local';
    await core.createNamespacedService({ namespace: 'test', body });
    await disc.createNamespacedEndpointSlice({ namespace: 'test', body: {
      metadata: { name: 'local-1', namespace: 'test', labels: { 'kubernetes.io/service-name': 'local' } },
      addressType: 'IPv4', ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      endpoints: [{ addresses: ['10.244.2.7'], nodeName: 'node2', conditions: { ready: true } },
        { addresses: ['10.244.3.7'], nodeName: 'node3', conditions: { ready: false } }],
    } });
    const ip = await ingress('local');
    await until(`GoBGP route ${ip}/32 via node2 only`, async () => JSON.stringify(hops(ip)) === JSON.stringify([topo.addr4('node2')]) || undefined, 20_000, context);
    // The endpoint on node3 becomes ready: node3 joins.
    await disc.replaceNamespacedEndpointSlice({ namespace: 'test', name: 'local-1', body: {
      metadata: { name: 'local-1', namespace: 'test', labels: { 'kubernetes.io/service-name': 'local' } },
      addressType: 'IPv4', ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      endpoints: [{ addresses: ['10.244.2.7'], nodeName: 'node2', conditions: { ready: true } },
        { addresses: ['10.244.3.7'], nodeName: 'node3', conditions: { ready: true } }],
    } });
    await until(`GoBGP route ${ip}/32 via node2 and node3`, async () =>
      JSON.stringify(hops(ip)) === JSON.stringify([topo.addr4('node2'), topo.addr4('node3')]) || undefined, 20_000, context);
  });

  test('narrowing a BgpPeer nodeSelector drops only those sessions and their status entries; other sessions stay up', async () => {
    const before = await peerStatus('gobgp');
    const bird = await custom.getClusterCustomObject({ group: GROUP, version: 'v1alpha2', plural: 'bgppeers', name: 'bird' }) as { spec: Record<string, unknown> };
    bird.spec.nodeSelector = { matchLabels: { 'kubernetes.io/hostname': 'node1' } };
    await custom.replaceClusterCustomObject({ group: GROUP, version: 'v1alpha2', plural: 'bgppeers', name: 'bird', body: bird });
    const st = await until('bird status for node1 only', async () => {
      const s = await peerStatus('bird');
      return JSON.stringify(Object.keys(s)) === JSON.stringify(['node1']) ? s : undefined;
    }, 15_000, context);
    assert.equal(st.node1.peerState.sessionState, 'ESTABLISHED');
    await until('BIRD sessions with node2 and node3 down', async () => {
      const protocols = birdc(topo, 'client', birdSock, 'show protocols');
      return (protocols.match(/Established/g) ?? []).length === 1 || undefined;
    }, 15_000, context);
    const after = await peerStatus('gobgp');
    for (const n of NODES) {
      assert.equal(after[n]?.peerState.sessionState, 'ESTABLISHED');
      assert.equal(after[n]?.timersState.uptime, before[n]?.timersState.uptime, `${n}'s GoBGP session was not restarted`);
    }
  });
});
