// Our speaker against FRR's bgpd (run without zebra): both nodes' paths for the host
// route show in FRR's BGP table, IPv6 too, and disappear on withdraw.
import { test } from 'node:test';
import { VIP4, VIP6, createTopology, requireRootAndTools } from '../harness/net/bgpTopology';
import { startSpeakers, frrRib, startFrr, waitFor } from '../harness/net/bgpPeers';

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
    const speakers = await startSpeakers(topo, 65000, [['node1', 65001], ['node2', 65002]], stops);
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
