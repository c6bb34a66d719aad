// Several NLRI per UPDATE: routes sharing attributes (family, next hop) go out together, each
// UPDATE filled up to 4096 octets; withdrawals likewise; nothing lost or duplicated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_MESSAGE_LEN } from '../../runtime/src/speaker/bgp/constants';
import { encodeMessage } from '../../runtime/src/speaker/bgp/messages';
import { packWishes } from '../../runtime/src/speaker/bgp/outQueue';
import { formatPrefix, parsePrefix } from '../../runtime/src/speaker/bgp/prefix';
import { announcedPrefixes, withdrawnPrefixes, type UpdateMessage } from '../../runtime/src/speaker/bgp/update';
import type { Negotiated } from '../../runtime/src/speaker/bgp/negotiate';
import { establishedPeer, hostRoutes, nextTurn, route } from './bgpFakePeer';

const negotiated: Negotiated = {
  peerAs: 65000, peerRouterId: 1, holdTime: 90, keepalive: 30, fourOctetAs: true, routeRefresh: true,
  families: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }],
};
const view = { localAs: 65001, peerAs: 65000, negotiated };
const sizes = (us: UpdateMessage[]) => us.map((u) => encodeMessage({ type: 'update', update: u }).length);

test('2000 IPv4 routes with one next hop take 3 UPDATEs, each within 4096 octets', () => {
  const routes = hostRoutes(2000);
  const us = packWishes(routes, view);
  assert.equal(us.length, 3);
  for (const n of sizes(us)) assert.ok(n <= MAX_MESSAGE_LEN, `UPDATE of ${n} octets`);
  assert.ok(sizes(us)[0] > MAX_MESSAGE_LEN - 5, 'the first UPDATE is full');
  const sent = us.flatMap(announcedPrefixes).map(formatPrefix);
  assert.deepEqual(sent, routes.map((r) => formatPrefix(r.prefix)));
});

test('different next hops and families never share an UPDATE; withdrawals are packed too', () => {
  const wishes = [
    ...hostRoutes(3, '192.0.2.1'), ...hostRoutes(2, '192.0.2.2', 0x0a900000),
    route('fd00::1/128', 'fd00::ff'), route('fd00::2/128', 'fd00::ff'),
    { prefix: parsePrefix('10.200.0.1/32')! }, { prefix: parsePrefix('10.200.0.2/32')! }, { prefix: parsePrefix('fd00::9/128')! },
  ];
  const us = packWishes(wishes, view);
  const shape = us.map((u) => [announcedPrefixes(u).length, withdrawnPrefixes(u).length, u.attrs.nextHop ?? u.attrs.mpReach?.nextHops[0].value ?? null]);
  assert.deepEqual(shape, [
    [3, 0, 0xc0000201n], [2, 0, 0xc0000202n], [2, 0, parseIpV6('fd00::ff')], [0, 2, null], [0, 1, null],
  ]);
});

test('IPv6 UPDATEs fill up to 4096 octets as well', () => {
  const v6 = Array.from({ length: 600 }, (_, i) => route(`fd00::${(i + 1).toString(16)}/128`, 'fd00::ff'));
  const us = packWishes(v6, view);
  assert.equal(us.length, 3); // (4096 - header and attributes) / 17 octets per /128 = 236 per UPDATE
  for (const n of sizes(us)) assert.ok(n <= MAX_MESSAGE_LEN);
  assert.equal(us.flatMap(announcedPrefixes).length, 600);
  const gone = packWishes(v6.map((r) => ({ prefix: r.prefix })), view);
  assert.equal(gone.length, 3);
  for (const n of sizes(gone)) assert.ok(n <= MAX_MESSAGE_LEN);
});

test('a session sends its RIB in packed UPDATEs, End-of-RIB last, and packs later announcements', async () => {
  const peer = await establishedPeer({}, {}, undefined, hostRoutes(2000));
  const updates = peer.sock.updates();
  const counts = updates.map((m) => (m.type === 'update' ? [announcedPrefixes(m.decoded.update).length, m.decoded.update.attrs.mpUnreach ? 6 : 4] : []));
  // Was 2000 UPDATEs, one per route.
  assert.deepEqual(counts, [[810, 4], [810, 4], [380, 4], [0, 4], [0, 6]]);
  // Announcements made together (one plan's worth) share UPDATEs as well.
  for (const r of hostRoutes(1000, '192.0.2.1', 0x0b000000)) peer.announce(r);
  await nextTurn();
  assert.equal(peer.sock.updates().length, updates.length + 2);
  peer.session.stop();
});

function parseIpV6(text: string): bigint {
  return parsePrefix(`${text}/128`)!.value;
}
