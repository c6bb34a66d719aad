// A raw TCP client in the client namespace sends garbage and malformed OPEN/UPDATE
// messages to our listening speaker: each gets the right NOTIFICATION, the speaker keeps
// running, and a fresh well-formed session still reaches Established.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTopology, requireRootAndTools } from '../harness/net/bgpTopology';
import { RawClient, SpeakerProcess, waitFor } from '../harness/net/bgpPeers';
import { encodeMessage } from '../../runtime/src/speaker/bgp/messages';
import { makeOpen } from '../../runtime/src/speaker/bgp/open';

const SPEAKER_AS = 65001;
const CLIENT_AS = 65009;
const open = (as: number, version = 4) => {
  const b = encodeMessage({ type: 'open', open: makeOpen(as, 30, 0x0a000009, { multiprotocol: [{ afi: 1, safi: 1 }], routeRefresh: true, fourOctetAs: as, unknown: [] }) });
  b[19] = version;
  return b;
};
const keepalive = encodeMessage({ type: 'keepalive' });
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const M = 'ff'.repeat(16);

test('malformed input gets a NOTIFICATION and the speaker keeps serving', async () => {
  requireRootAndTools(['ip']);
  const topo = createTopology();
  const stops: (() => Promise<void>)[] = [];
  try {
    const speaker = await SpeakerProcess.start(topo, 'node1', {
      localAs: SPEAKER_AS, routerId: topo.addr4('node1'), listenPort: 179,
      peers: [{ neighborAddress: topo.addr4('client'), peerAs: CLIENT_AS, passive: true, holdTime: 30 }],
    });
    stops.push(() => speaker.stop());
    const target = topo.addr4('node1');

    async function expectNotification(name: string, bytes: Buffer[], code: number, subcode: number, before: Buffer[] = []) {
      const c = await RawClient.connect(topo, 'client', target);
      stops.push(() => c.stop());
      for (const b of before) c.send(b);
      for (const b of bytes) c.send(b);
      const n = await c.notification();
      assert.deepEqual(n, { code, subcode }, `${name}: got NOTIFICATION ${n.code}/${n.subcode}`);
      await c.closed();
      assert.ok(speaker.running, `speaker died after ${name}`);
    }

    await expectNotification('random garbage', [Buffer.from('this is not BGP at all, just text!!')], 1, 1);
    await expectNotification('length 5000', [hex(`${M} 1388 01`)], 1, 2);
    await expectNotification('unknown type 7', [hex(`${M} 0013 07`)], 1, 3);
    await expectNotification('OPEN version 3', [open(CLIENT_AS, 3)], 2, 1);
    await expectNotification('OPEN from the wrong AS', [open(65555)], 2, 2);
    await expectNotification('truncated OPEN', [hex(`${M} 001d 01 04 fe09 001e 0a000009 05 02 00`)], 2, 0);
    await expectNotification('UPDATE before OPEN', [hex(`${M} 0017 02 0000 0000`)], 5, 1);
    // After Established: a bad ORIGIN is only treat-as-withdraw (RFC 7606), the session stays;
    // an unparseable NLRI resets the session with 3/10.
    const badOrigin = hex(`${M} 0030 02 0000 0014 400101 09 400206 0201 0000fe09 400304 ac1ffe09 20 ac1ffe64`);
    const c = await RawClient.connect(topo, 'client', target);
    stops.push(() => c.stop());
    c.send(open(CLIENT_AS));
    c.send(keepalive);
    await waitFor('Established with the raw client', async () => (await speaker.sessionState(topo.addr4('client'))) === 'ESTABLISHED', 10000);
    c.send(badOrigin);
    await waitFor('UPDATE counted as discarded', async () => {
      const st = (await speaker.command('status')).status as Record<string, { peerState: { messages: { received: { discarded: string } } } }>;
      return st[topo.addr4('client')].peerState.messages.received.discarded === '1';
    }, 10000);
    assert.equal(await speaker.sessionState(topo.addr4('client')), 'ESTABLISHED', 'treat-as-withdraw keeps the session');
    assert.ok(!c.events.some((e) => e.type === 3), 'no NOTIFICATION for a treat-as-withdraw error');
    c.send(hex(`${M} 001c 02 0000 0000 21 0a000000 00`));
    assert.deepEqual(await c.notification(), { code: 3, subcode: 10 });
    await c.closed();

    // A connection from an address that is not a configured peer: Cease / Connection Rejected.
    const stranger = await RawClient.connect(topo, 'node2', target);
    stops.push(() => stranger.stop());
    assert.deepEqual(await stranger.notification(), { code: 6, subcode: 5 });

    // Still alive: a fresh, well-formed session reaches Established.
    const good = await RawClient.connect(topo, 'client', target);
    stops.push(() => good.stop());
    good.send(open(CLIENT_AS));
    good.send(keepalive);
    await waitFor('fresh session Established', async () => (await speaker.sessionState(topo.addr4('client'))) === 'ESTABLISHED', 10000);
    assert.ok(good.events.some((e) => e.type === 1) && good.events.some((e) => e.type === 4), 'speaker sent OPEN and KEEPALIVE');

    // ROUTE-REFRESH (RFC 2918) for IPv4 makes the speaker send its IPv4 routes again.
    const updates = () => good.events.filter((e) => e.type === 2).length;
    await waitFor('End-of-RIB', () => updates() === 1, 10000, 20);
    await speaker.command(`announce 172.31.254.100/32 ${topo.addr4('node1')}`);
    await waitFor('UPDATE for the announced route', () => updates() === 2, 10000, 20);
    good.send(encodeMessage({ type: 'route-refresh', refresh: { afi: 1, safi: 1 } }));
    await waitFor('UPDATE re-sent after ROUTE-REFRESH', () => updates() === 3, 10000, 20);
    good.send(encodeMessage({ type: 'route-refresh', refresh: { afi: 2, safi: 1 } }));
    good.send(keepalive);
    await waitFor('KEEPALIVE processed', async () => {
      const st = (await speaker.command('status')).status as Record<string, { peerState: { messages: { received: { refresh: string; keepalive: string } } } }>;
      return st[topo.addr4('client')].peerState.messages.received.refresh === '2';
    }, 10000);
    assert.equal(updates(), 3, 'an IPv6 refresh re-sends nothing when no IPv6 route is announced');
  } finally {
    for (const s of stops.reverse()) await s().catch(() => {});
    topo.destroy();
  }
});
