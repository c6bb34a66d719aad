// BgpConf asPerRack and listenPort -1 against a real router, as upstream OpenELB reads them: a
// node labelled openelb.kubesphere.io/rack takes its rack's AS (and its own address as router
// id), and listenPort -1 means the speaker opens no BGP listener, only outgoing sessions.
// GoBGP in the router namespace expects node1 and node2 in AS 65011 (rack leaf1) and node3 in
// AS 65012 (rack leaf2); a session only comes up if the speaker speaks with the right AS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { RACK_LABEL } from '@openelb/core/api/annotations';
import type { NodePeerStatus } from '../../runtime/src/speaker/bgp/status';
import { serviceBody } from '../harness/cluster/controllerEnv';
import { gobgpNeighborStates, gobgpRib, startGobgp, type Daemon } from '../harness/net/bgpPeers';
import { createTopology, requireRootAndTools, type Topology } from '../harness/net/bgpTopology';
import { SpeakerProc } from '../harness/net/clusterInNetns';
import { startNetSystem, type NetSystem } from '../harness/net/netSystem';
import { until } from '../harness/net/speakerHelpers';

const NODES = ['node1', 'node2', 'node3'] as const;
const RACK: Record<string, string> = { node1: 'leaf1', node2: 'leaf1', node3: 'leaf2' };
const RACK_AS: Record<string, number> = { leaf1: 65011, leaf2: 65012 };
const GROUP = 'network.kubesphere.io';
const ROUTER_AS = 65000;

describe('openelb speaker, BgpConf asPerRack and listenPort -1, against GoBGP', () => {
  let topo: Topology;
  let sys: NetSystem | undefined;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  const daemons: Daemon[] = [];
  const speakers: SpeakerProc[] = [];

  const context = () => speakers.map((s) => `--- ${s.node}:\n${s.output.slice(-2500)}`).join('\n') +
    daemons.map((d) => `--- ${d.name}:\n${d.output.slice(-1500)}`).join('\n');
  const peerStatus = async (): Promise<Record<string, NodePeerStatus>> => ((await custom.getClusterCustomObject({
    group: GROUP, version: 'v1alpha2', plural: 'bgppeers', name: 'gobgp',
  })) as { status?: { nodesPeerStatus?: Record<string, NodePeerStatus> } }).status?.nodesPeerStatus ?? {};

  before(async () => {
    requireRootAndTools(['ip', 'ss', 'gobgpd', 'gobgp']);
    topo = createTopology();
    sys = await startNetSystem(topo.prefix, 'speaker-racks');
    ({ core, custom } = sys);
    for (const n of NODES) {
      await core.patchNode({ name: n, body: [{ op: 'add', path: `/metadata/labels/${RACK_LABEL.replace('/', '~1')}`, value: RACK[n] }] });
    }
    daemons.push(startGobgp(topo, 'router', ROUTER_AS, NODES.map((n) => ({ address: topo.addr4(n), as: RACK_AS[RACK[n]] }))));
    const create = (plural: string, kind: string, name: string, spec: object) => custom.createClusterCustomObject({
      group: GROUP, version: 'v1alpha2', plural, body: { apiVersion: `${GROUP}/v1alpha2`, kind, metadata: { name }, spec },
    });
    // No spec.as: every node's AS comes from its rack, as upstream allows. A routerId that the
    // rack nodes must not use (upstream clears it for them).
    await create('bgpconfs', 'BgpConf', 'default', { asPerRack: RACK_AS, listenPort: -1, routerId: '10.99.99.99' });
    await create('bgppeers', 'BgpPeer', 'gobgp', { conf: { peerAs: ROUTER_AS, neighborAddress: topo.addr4('router') }, timers: { config: { connectRetry: '1' } } });
    await create('eips', 'Eip', 'routed', { address: '172.31.254.16/28', protocol: 'bgp' });
    for (const n of NODES) speakers.push(SpeakerProc.start(topo.ns(n), n, sys.cluster.kubeconfigInNs));
  });

  after(async () => {
    for (const d of daemons) await d.stop();
    if (sys) await sys.stop(speakers, () => topo.destroy());
    else topo?.destroy();
  });

  test('each node peers with its rack AS and its own address as router id (GoBGP accepts nothing else)', async () => {
    await until('GoBGP sessions established with all three nodes', async () => {
      const st = gobgpNeighborStates(topo, 'router');
      return NODES.every((n) => /established|^6$/i.test(st[topo.addr4(n)] ?? '')) || undefined;
    }, 30_000, context);
    const st = await until('BgpPeer status ESTABLISHED on three nodes', async () => {
      const s = await peerStatus();
      return NODES.every((n) => s[n]?.peerState.sessionState === 'ESTABLISHED') ? s : undefined;
    }, 30_000, context);
    assert.deepEqual(Object.keys(st).sort(), [...NODES]);
    // Each node writes its own key of the BgpConf status about once a second, apart from the
    // BgpPeer status: wait until all three have written before comparing.
    type Conf = { status?: { nodesConfStatus?: Record<string, { as: number; routerId: string }> } };
    const conf = await until('BgpConf status from all three nodes', async () => {
      const c = await custom.getClusterCustomObject({ group: GROUP, version: 'v1alpha2', plural: 'bgpconfs', name: 'default' }) as Conf;
      return NODES.every((n) => c.status?.nodesConfStatus?.[n]) ? c : undefined;
    }, 10_000, context);
    for (const n of NODES) assert.deepEqual(conf.status?.nodesConfStatus?.[n], { as: RACK_AS[RACK[n]], routerId: topo.addr4(n) });
  });

  test('listenPort -1: no node listens for BGP, yet the outgoing sessions carry a Service route from every node', async () => {
    for (const n of NODES) {
      const listeners = topo.exec(n, ['ss', '-Hltn']);
      assert.doesNotMatch(listeners, /:(179|17900)\s/, `${n} listens for BGP:\n${listeners}`);
    }
    await core.createNamespacedService({ namespace: 'test', body: serviceBody('test', 'web', { annotations: { 'eip.openelb.kubesphere.io/v1alpha2': 'routed' } }) });
    const ip = await until('an address on Service test/web', async () =>
      (await core.readNamespacedService({ namespace: 'test', name: 'web' })).status?.loadBalancer?.ingress?.[0]?.ip, 20_000);
    const all = NODES.map((n) => topo.addr4(n)).sort();
    await until(`GoBGP route ${ip}/32 via three nodes`, async () =>
      JSON.stringify(gobgpRib(topo, 'router')[`${ip}/32`] ?? []) === JSON.stringify(all) || undefined, 20_000, context);
  });

  test('a node whose rack has no AS (and no spec.as) runs no BGP and says why; the others keep their sessions', async () => {
    await core.patchNode({ name: 'node3', body: [{ op: 'replace', path: `/metadata/labels/${RACK_LABEL.replace('/', '~1')}`, value: 'leaf9' }] });
    await until('node3 gone from the BgpPeer status', async () => !(await peerStatus()).node3 || undefined, 20_000, context);
    await until('node3 explains it has no AS', async () =>
      /no AS for node node3: spec\.asPerRack has no entry for its rack "leaf9"/.test(speakers[2].output) || undefined, 10_000, context);
    const st = await peerStatus();
    for (const n of ['node1', 'node2']) assert.equal(st[n]?.peerState.sessionState, 'ESTABLISHED');
  });
});
