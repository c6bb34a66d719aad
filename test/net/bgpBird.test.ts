// Our speaker against BIRD 2: two nodes announce the same host route; BIRD merges the
// equal paths (`merge paths on`) into one ECMP route in the router namespace's kernel
// table. Withdrawing removes next hops one by one, then the route.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VIP4, VIP6, createTopology, requireRootAndTools } from '../harness/net/bgpTopology';
import { startSpeakers, birdc, kernelNextHops, startBird, waitFor } from '../harness/net/bgpPeers';

const ROUTER_AS = 65000;
const NODE_AS = 65001;

test('BIRD installs an ECMP kernel route for a host route announced by two speakers', async () => {
  requireRootAndTools(['ip', 'bird', 'birdc']);
  const topo = createTopology();
  const stops: (() => Promise<void>)[] = [];
  try {
    const bird = startBird(topo, 'router', ROUTER_AS, [
      { address: topo.addr4('node1'), as: NODE_AS }, { address: topo.addr4('node2'), as: NODE_AS },
    ]);
    stops.push(() => bird.stop());
    await waitFor('BIRD control socket', () => birdc(topo, 'router', bird.sock, 'show status').includes('Daemon is up'), 15000, 100);

    const speakers = await startSpeakers(topo, ROUTER_AS, [['node1', NODE_AS], ['node2', NODE_AS]], stops);

    const both = [topo.addr4('node1'), topo.addr4('node2')].sort();
    await speakers[0].command(`announce ${VIP4} ${topo.addr4('node1')}`);
    await speakers[1].command(`announce ${VIP4} ${topo.addr4('node2')}`);
    await waitFor('ECMP route in the router kernel table', () =>
      JSON.stringify(kernelNextHops(topo, 'router', VIP4)) === JSON.stringify(both), 15000);
    const shown = birdc(topo, 'router', bird.sock, `show route ${VIP4}`);
    for (const nh of both) assert.ok(shown.includes(`via ${nh}`), `BIRD shows a path via ${nh}:\n${shown}`);

    await speakers[0].command(`withdraw ${VIP4}`);
    await waitFor('single path left', () => JSON.stringify(kernelNextHops(topo, 'router', VIP4)) === JSON.stringify([topo.addr4('node2')]), 10000);
    await speakers[1].command(`withdraw ${VIP4}`);
    await waitFor('kernel route gone', () => kernelNextHops(topo, 'router', VIP4).length === 0, 10000);

    // IPv6 /128 over the IPv4 session (MP-BGP), installed in the kernel's IPv6 table.
    await speakers[1].command(`announce ${VIP6} ${topo.addr6('node2')}`);
    await waitFor('IPv6 route in kernel', () => kernelNextHops(topo, 'router', VIP6)[0] === topo.addr6('node2'), 15000);
    await speakers[1].command(`withdraw ${VIP6}`);
    await waitFor('IPv6 route gone', () => kernelNextHops(topo, 'router', VIP6).length === 0, 10000);
  } finally {
    for (const s of stops.reverse()) await s().catch(() => {});
    topo.destroy();
  }
});
