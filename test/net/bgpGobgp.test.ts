// Our speaker against a real GoBGP in a router namespace: two nodes announce the same
// host route with their own next hops; GoBGP must show both paths, and none after withdraw.
// IPv6 /128 travels over the IPv4 sessions with MP-BGP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VIP4, VIP6, createTopology, requireRootAndTools } from '../harness/net/bgpTopology';
import { startSpeakers, gobgpRib, startGobgp, waitFor } from '../harness/net/bgpPeers';

const ROUTER_AS = 65000;
const NODE_AS = 65001;

test('GoBGP learns a host route from two speakers (both next hops) and forgets it on withdraw', async () => {
  requireRootAndTools(['ip', 'gobgpd', 'gobgp']);
  const topo = createTopology();
  const stops: (() => Promise<void>)[] = [];
  try {
    const gobgp = startGobgp(topo, 'router', ROUTER_AS, [
      { address: topo.addr4('node1'), as: NODE_AS }, { address: topo.addr4('node2'), as: NODE_AS },
    ]);
    stops.push(() => gobgp.stop());
    // gobgpd is ready once its API answers.
    await waitFor('gobgpd API', () => gobgpRib(topo, 'router') !== undefined, 15000, 100);

    const speakers = await startSpeakers(topo, ROUTER_AS, [['node1', NODE_AS], ['node2', NODE_AS]], stops);

    await speakers[0].command(`announce ${VIP4} ${topo.addr4('node1')}`);
    await speakers[1].command(`announce ${VIP4} ${topo.addr4('node2')}`);
    const both = [topo.addr4('node1'), topo.addr4('node2')].sort();
    await waitFor('both IPv4 paths at GoBGP', () => JSON.stringify(gobgpRib(topo, 'router')[VIP4]) === JSON.stringify(both), 10000);

    await speakers[0].command(`announce ${VIP6} ${topo.addr6('node1')}`);
    await waitFor('IPv6 path at GoBGP', () => gobgpRib(topo, 'router', 6)[VIP6]?.[0] === topo.addr6('node1'), 10000);

    // Withdraw one node: the other path stays; withdraw the second: the route is gone.
    await speakers[0].command(`withdraw ${VIP4}`);
    await waitFor('one IPv4 path left', () => JSON.stringify(gobgpRib(topo, 'router')[VIP4]) === JSON.stringify([topo.addr4('node2')]), 10000);
    await speakers[1].command(`withdraw ${VIP4}`);
    await speakers[0].command(`withdraw ${VIP6}`);
    await waitFor('IPv4 route gone', () => gobgpRib(topo, 'router')[VIP4] === undefined, 10000);
    await waitFor('IPv6 route gone', () => gobgpRib(topo, 'router', 6)[VIP6] === undefined, 10000);

    // Status counters follow OpenELB's BgpPeer status shape.
    const st = (await speakers[0].command('status')).status as Record<string, { peerState: { messages: { sent: Record<string, string> } } }>;
    const sent = st[topo.addr4('router')].peerState.messages.sent;
    assert.equal(sent.open, '1');
    assert.equal(sent.withdrawPrefix, '2');
    assert.ok(Number(sent.update) >= 4, `updates sent: ${sent.update}`);

    // Announcing again after a withdraw brings the route back.
    await speakers[1].command(`announce ${VIP4} ${topo.addr4('node2')}`);
    await waitFor('route back after re-announce', () => gobgpRib(topo, 'router')[VIP4]?.length === 1, 10000);
  } finally {
    for (const s of stops.reverse()) await s().catch(() => {});
    topo.destroy();
  }
});
