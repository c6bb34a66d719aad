// ROUTE-REFRESH is answered only when both sides advertised route refresh and the family was
// negotiated (RFC 2918 4); RFC 7313 subtypes we did not negotiate are ignored; had we not
// advertised the capability, the message type is unknown to us (RFC 4271 6.1: 1/3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refreshFamily } from '../../runtime/src/speaker/bgp/refresh';
import type { Negotiated } from '../../runtime/src/speaker/bgp/negotiate';
import { OUR_CAPS, establishedPeer, hostRoutes, nextTurn } from './bgpFakePeer';

const neg = (routeRefresh: boolean): Negotiated => ({
  peerAs: 65000, peerRouterId: 1, holdTime: 90, keepalive: 30, fourOctetAs: true, routeRefresh, families: [{ afi: 1, safi: 1 }],
});

test('refreshFamily: answer, ignore or error', () => {
  assert.deepEqual(refreshFamily({ afi: 1, safi: 1 }, neg(true), OUR_CAPS), { family: 4 });
  assert.match(refreshFamily({ afi: 1, safi: 1 }, neg(false), OUR_CAPS).ignore!, /did not advertise/);
  assert.match(refreshFamily({ afi: 2, safi: 1 }, neg(true), OUR_CAPS).ignore!, /AFI 2 \/ SAFI 1 was not negotiated/);
  assert.match(refreshFamily({ afi: 1, safi: 1, subtype: 1 }, neg(true), OUR_CAPS).ignore!, /subtype 1/);
  const e = refreshFamily({ afi: 1, safi: 1 }, neg(true), { ...OUR_CAPS, routeRefresh: false }).error!;
  assert.deepEqual([e.code, e.subcode, [...e.data]], [1, 3, [5]]);
});

async function refreshAnswers(peerAdvertises: boolean, subtype = 0): Promise<number> {
  const peer = await establishedPeer({}, { routeRefresh: peerAdvertises }, undefined, hostRoutes(100));
  const before = peer.sock.updates().length;
  peer.sock.receive({ type: 'route-refresh', refresh: { afi: 1, safi: 1, subtype } });
  await nextTurn();
  const after = peer.sock.updates().length;
  assert.equal(peer.session.fsm.state, 'Established');
  peer.session.stop();
  return after - before;
}

test('a session re-sends its IPv4 routes (packed) only when route refresh was negotiated', async () => {
  assert.equal(await refreshAnswers(true), 1, 'one packed UPDATE with the 100 routes');
  assert.equal(await refreshAnswers(false), 0, 'the peer never advertised route refresh: ignored');
  assert.equal(await refreshAnswers(true, 1), 0, 'BoRR without enhanced route refresh: ignored');
});

test('refresh storms coalesce: a thousand requests before the next turn cost one table', async () => {
  const peer = await establishedPeer({}, {}, undefined, hostRoutes(2000));
  const before = peer.sock.updates().length;
  for (let i = 0; i < 1000; i++) peer.sock.receive({ type: 'route-refresh', refresh: { afi: 1, safi: 1 } });
  assert.ok(peer.session.pending <= 2000);
  await nextTurn();
  assert.equal(peer.sock.updates().length - before, 3);
  peer.session.stop();
});
