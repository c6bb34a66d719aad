// Writes respect socket backpressure: once write() returns false no UPDATE is written until
// 'drain'; what waits meanwhile is a dirty set (one entry per prefix, the newest wish), so
// route churn against a peer that stops reading costs no memory beyond our own RIB.
// KEEPALIVEs still go out, and RFC 9687's send hold timer ends a session whose peer never reads.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrefix } from '../../runtime/src/speaker/bgp/prefix';
import { announcedPrefixes, withdrawnPrefixes } from '../../runtime/src/speaker/bgp/update';
import { establishedPeer, hostRoutes, nextTurn } from './bgpFakePeer';

test('a backed-up socket gets no more UPDATEs until drain, and pending state stays bounded', async () => {
  const peer = await establishedPeer();
  const { sock, session } = peer;
  const before = sock.written.length;
  sock.full = true;
  const routes = hostRoutes(10_000);
  for (const r of routes) peer.announce(r);
  await nextTurn();
  const firstBatch = sock.written.length - before;
  // One pump step (at most 4096 prefixes, 6 UPDATEs) went out; then the writes stopped.
  assert.ok(firstBatch >= 1 && firstBatch <= 6, `${firstBatch} writes after the socket backed up`);
  assert.equal(session.pending, 10_000 - 4096);
  // Churn while blocked: withdraw and re-announce everything five times. Nothing is written and
  // the waiting state stays one entry per prefix.
  for (let round = 0; round < 5; round++) {
    for (const r of routes) peer.session.withdraw(r.prefix);
    for (const r of routes) peer.announce(r);
    await nextTurn();
    assert.equal(sock.written.length - before, firstBatch, 'no write while backed up');
    assert.ok(session.pending <= routes.length, `pending ${session.pending}`);
  }
  // Drain: everything still wanted goes out, packed, and the peer ends with every route announced.
  for (let i = 0; i < 20 && (session.pending > 0 || sock.full); i++) { sock.drain(); await nextTurn(); }
  assert.equal(session.pending, 0);
  const state = new Map<string, boolean>();
  for (const m of sock.updates()) {
    if (m.type !== 'update') continue;
    for (const p of withdrawnPrefixes(m.decoded.update)) state.set(formatPrefix(p), false);
    for (const p of announcedPrefixes(m.decoded.update)) state.set(formatPrefix(p), true);
  }
  assert.equal([...state.values()].filter(Boolean).length, 10_000);
  session.stop();
});

test('KEEPALIVEs still go out while backed up; the send hold timer closes the session (RFC 9687)', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const peer = await establishedPeer({ holdTime: 90, sendHoldTime: 120 });
  const { sock, session } = peer;
  sock.full = true;
  for (const r of hostRoutes(5000)) peer.announce(r);
  await nextTurn();
  const keepalives = () => sock.messages().filter((m) => m.type === 'keepalive').length;
  const k0 = keepalives();
  // The peer keeps sending KEEPALIVEs (so our hold timer stays happy) but never reads.
  for (let s = 0; s < 90; s += 30) { t.mock.timers.tick(30_000); sock.receive({ type: 'keepalive' }); }
  assert.equal(keepalives(), k0 + 3, 'one KEEPALIVE every 30 s although the socket is backed up');
  assert.equal(session.fsm.state, 'Established');
  t.mock.timers.tick(30_000);
  const last = sock.messages().at(-1);
  assert.ok(last?.type === 'notification', `expected a NOTIFICATION, got ${last?.type}`);
  assert.deepEqual([last.notification.code, last.notification.subcode], [8, 0]);
  assert.equal(session.fsm.state, 'Idle');
  assert.equal(session.pending, 0, 'nothing kept for a closed session');
  assert.equal(session.problem?.reason, 'BgpSendHoldTimerExpired');
  session.stop();
  mock.timers.reset();
});
