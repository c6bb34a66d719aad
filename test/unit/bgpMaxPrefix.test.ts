// Received routes are kept for status only and never beyond a bound: one prefix too many in a
// family ends the session with Cease / Maximum Number of Prefixes Reached (RFC 4486), data
// AFI, SAFI and the bound; the session then sits out before it accepts the peer again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type net from 'node:net';
import { AdjRibIn } from '../../runtime/src/speaker/bgp/adjRibIn';
import { BgpFsm } from '../../runtime/src/speaker/bgp/fsm';
import { BgpError } from '../../runtime/src/speaker/bgp/errors';
import { emptyCapabilities } from '../../runtime/src/speaker/bgp/open';
import { parsePrefix } from '../../runtime/src/speaker/bgp/prefix';
import { announceMany, withdrawMany } from '../../runtime/src/speaker/bgp/routes';
import type { DecodedUpdate } from '../../runtime/src/speaker/bgp/update';
import { parseIp } from '@openelb/core/address/ip';
import { FakeSocket, establishedPeer, hostRoutes } from './bgpFakePeer';

const negotiated = { peerAs: 65000, peerRouterId: 1, holdTime: 90, keepalive: 30, fourOctetAs: true, routeRefresh: true, families: [{ afi: 1, safi: 1 }] };
const view = { localAs: 65000, peerAs: 65001, negotiated };
const v4 = (n: number, base = 0x0a800000) => hostRoutes(n, '192.0.2.1', base).map((r) => r.prefix);
const announce = (ps = v4(1)): DecodedUpdate => ({ update: announceMany(ps, parseIp('192.0.2.1')!, view), discarded: [] });

test('AdjRibIn counts distinct prefixes per family; withdrawals make room', () => {
  const rib = new AdjRibIn(3);
  assert.equal(rib.apply(announce(v4(3))), undefined);
  assert.equal(rib.apply(announce(v4(3))), undefined, 'the same three again: still three');
  assert.equal(rib.apply({ update: withdrawMany(v4(1), 4), discarded: [] }), undefined);
  assert.equal(rib.apply(announce(v4(1, 0x0b000000))), undefined, 'a withdrawal made room');
  const err = rib.apply(announce(v4(1, 0x0c000000)));
  assert.ok(err instanceof BgpError);
  assert.deepEqual([err.code, err.subcode, [...err.data]], [6, 1, [0, 1, 1, 0, 0, 0, 3]]);
  assert.equal(rib.size, 3, 'the prefix past the bound is not stored');
  const v6 = new AdjRibIn(1);
  const p6 = ['fd00::1/128', 'fd00::2/128'].map((t) => parsePrefix(t)!);
  const err6 = v6.apply({ update: announceMany(p6, parseIp('fd00::ff')!, view), discarded: [] });
  assert.deepEqual([...err6!.data], [0, 2, 1, 0, 0, 0, 1]);
});

test('a peer sending more than maxPrefixes gets Cease 6/1 and is refused while the session sits out', async () => {
  const peer = await establishedPeer({ maxPrefixes: 1000 });
  const { sock, session } = peer;
  // 2000 prefixes in UPDATEs of 500: the third UPDATE crosses the bound.
  for (let i = 0; i < 4; i++) sock.receive({ type: 'update', update: announceMany(v4(500, 0x0a800000 + i * 500), parseIp('192.0.2.9')!, view) });
  const last = sock.messages().at(-1);
  assert.ok(last?.type === 'notification');
  assert.deepEqual([last.notification.code, last.notification.subcode, [...last.notification.data]], [6, 1, [0, 1, 1, 0, 0, 0x03, 0xe8]]);
  assert.equal(session.fsm.state, 'Idle');
  assert.equal(session.adjRibIn.size, 0, 'received routes dropped with the session');
  assert.equal(session.status().peerState.adminState, 'PFX_CT');
  assert.equal(session.problem?.reason, 'BgpMaxPrefixesReached');
  assert.match(session.problem!.message, /more than 1000 IPv4 prefixes/);
  assert.equal(session.accept(new FakeSocket() as unknown as net.Socket), false, 'refused while sitting out');
  session.stop();
});

test('FSM: max-prefix goes Idle with a long restart and refuses connections until it fires', () => {
  const local = { localAs: 65001, peerAs: 65000, routerId: 2, holdTime: 90, caps: emptyCapabilities() };
  const f = new BgpFsm({ open: local, passive: true, connectRetryTime: 5, maxPrefixRestart: 77 });
  f.handle({ type: 'start' });
  f.handle({ type: 'tcp-accepted' });
  const err = new BgpError(6, 1, 'too many');
  const a = f.handle({ type: 'max-prefix', error: err });
  assert.deepEqual(a[0], { type: 'send-notification', error: err });
  assert.ok(a.some((x) => x.type === 'start-timer' && x.timer === 'connectRetry' && x.seconds === 77));
  assert.deepEqual(f.handle({ type: 'tcp-accepted' }), [{ type: 'close' }]);
  f.handle({ type: 'timer', timer: 'connectRetry' });
  assert.equal(f.state, 'Active');
  f.handle({ type: 'tcp-accepted' });
  assert.equal(f.state, 'OpenSent', 'accepted again after the wait');
});
