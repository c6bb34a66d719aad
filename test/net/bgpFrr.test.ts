// Our speaker against FRR's bgpd (run without zebra): both nodes' paths for the host
// route show in FRR's BGP table, IPv6 too, and disappear on withdraw.
import { test } from 'node:test';
import { createTopology, requireRootAndTools } from './bgpTopology';
import { SpeakerProcess, frrRib, startFrr, waitFor } from './bgpPeers';

const VIP4 = '172.31.254.100/32';
const VIP6 = 'fd00:254::100/128';

test('FRR bgpd learns and forgets host routes from two speakers', async () => {
  requireRootAndTools(['ip', 'vtysh', '/usr/lib/frr/bgpd']);
  const topo = createTopology();
  const stops: (() => Promise<void>)[] = [];
  try {
    const frr = startFrr(topo, 'router', 65000, [
      { address: topo.addr4('node1'), as: 65001 }, { address: topo.addr4('node2'), as: 65002 },
    ]);
    stops.push(() => frr.stop());
    await waitFor('FRR vty', () => frrRib(topo, 'router', frr.vty) !== undefined, 15000, 100);
    const speakers: SpeakerProcess[] = [];
    for (const [node, as] of [['node1', 65001], ['node2', 65002]] as const) {
      const s = await SpeakerProcess.start(topo, node, {
        localAs: as, routerId: topo.addr4(node), listenPort: 0,
        peers: [{ neighborAddress: topo.addr4('router'), peerAs: 65000, holdTime: 30, connectRetryTime: 1 }],
      });
      stops.push(() => s.stop());
      speakers.push(s);
    }
    for (const s of speakers) {
      await waitFor(`${s.name} Established`, async () => (await s.sessionState(topo.addr4('router'))) === 'ESTABLISHED', 20000, 100);
    }
    await speakers[0].command(`announce ${VIP4} ${topo.addr4('node1')}`);
    await speakers[1].command(`announce ${VIP4} ${topo.addr4('node2')}`);
    const both = JSON.stringify([topo.addr4('node1'), topo.addr4('node2')].sort());
    await waitFor('both paths at FRR', () => JSON.stringify(frrRib(topo, 'router', frr.vty)[VIP4]) === both, 15000);
    await speakers[0].command(`announce ${VIP6} ${topo.addr6('node1')}`);
    await waitFor('IPv6 path at FRR', () => frrRib(topo, 'router', frr.vty, 6)[VIP6]?.[0] === topo.addr6('node1'), 15000);
    await speakers[0].command(`withdraw ${VIP4}`);
    await speakers[1].command(`withdraw ${VIP4}`);
    await speakers[0].command(`withdraw ${VIP6}`);
    await waitFor('IPv4 route gone at FRR', () => frrRib(topo, 'router', frr.vty)[VIP4] === undefined, 10000);
    await waitFor('IPv6 route gone at FRR', () => frrRib(topo, 'router', frr.vty, 6)[VIP6] === undefined, 10000);
  } finally {
    for (const s of stops.reverse()) await s().catch(() => {});
    topo.destroy();
  }
});
