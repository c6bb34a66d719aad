// Membership authentication and replay protection: datagrams with a bad MAC are dropped and
// counted, and an attacker on the LAN replaying captured datagrams (an old "dead" claim) cannot
// kill a live member. Simulated network, virtual time (test/harness/support/membershipSim.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG } from '../../runtime/src/speaker/membership/config';
import { hmacSeal } from '../../runtime/src/speaker/membership/hmacSeal';
import { decodeDatagram, encodeDatagram, type Datagram } from '../../runtime/src/speaker/membership/messages';
import { ReplayWindow } from '../../runtime/src/speaker/membership/replayWindow';
import { SimNet, names, seal } from '../harness/support/membershipSim';

const P = DEFAULT_CONFIG.probeIntervalMs;

function started(n: number, seed: number): { net: SimNet; ns: string[] } {
  const net = new SimNet({ seed });
  const ns = names(n);
  net.start(ns);
  net.run(20 * P);
  return { net, ns };
}

const deadClaim = (from: string, about: string, inc: number): Datagram =>
  ({ from, inc: 1, seq: 1_000_000, body: { type: 'gossip' }, updates: [{ state: 'dead', node: about, inc, by: from }] });

test('a datagram sealed with another key is dropped and counted; its death claim has no effect', () => {
  const { net, ns } = started(10, 1);
  const forger = hmacSeal([new Uint8Array(32).fill(9)]);
  for (const to of ns.slice(1)) net.inject(to, ns[1], forger.seal(encodeDatagram(deadClaim(ns[1], ns[0], 1))));
  net.run(10 * P);
  for (const to of ns.slice(1)) {
    assert.equal(net.stateOf(to, ns[0]), 'alive');
    assert.ok(net.nodes.get(to)!.stats.badMac >= 1, `${to} counted the bad MAC`);
  }
});

test('a tampered byte breaks the MAC; a valid MAC around junk is counted as malformed', () => {
  const { net, ns } = started(5, 2);
  const good = seal.seal(encodeDatagram(deadClaim(ns[1], ns[0], 1)));
  const bad = new Uint8Array(good);
  bad[bad.length - 3] ^= 1;
  net.inject(ns[2], ns[1], bad);
  net.inject(ns[3], ns[1], seal.seal(new TextEncoder().encode('{"not":"ours"}')));
  net.run(P);
  assert.equal(net.nodes.get(ns[2])!.stats.badMac, 1);
  assert.equal(net.nodes.get(ns[3])!.stats.malformed, 1);
  assert.equal(net.stateOf(ns[2], ns[0]), 'alive');
});

test('the same key verifies; a forged datagram sealed with the shared key but a stale sequence is a replay', () => {
  const { net, ns } = started(5, 3);
  const s = net.nodes.get(ns[2])!;
  const sender = net.nodes.get(ns[1])!;
  // Sequence 1 of the sender's current life was used long ago: dropped as a replay.
  const d: Datagram = { ...deadClaim(ns[1], ns[0], 1), inc: sender.incarnation, seq: 1 };
  net.inject(ns[2], ns[1], seal.seal(encodeDatagram(d)));
  net.run(P);
  assert.equal(s.stats.replayed, 1);
  assert.equal(net.stateOf(ns[2], ns[0]), 'alive');
});

/** Every datagram on the wire that carries a dead claim about `node`. */
function deathClaims(net: SimNet, node: string) {
  return net.wire.filter((w) => {
    const d = decodeDatagram(seal.open(w.bytes)!);
    return d?.updates.some((u) => u.node === node && u.state === 'dead');
  });
}

test('replayed captures of an old "dead" claim do not kill the member that came back', () => {
  for (const seed of [1, 2, 3]) {
    const { net, ns } = started(20, seed);
    const x = ns[7];
    net.partition(x);
    net.run(50 * P); // declared dead by all
    const captured = deathClaims(net, x);
    assert.ok(captured.length > 0);
    net.partition(x, false);
    net.run(40 * P); // reconnect, refutation with a higher incarnation
    assert.deepEqual(net.notAgreeing(x, 'alive'), [], `seed ${seed}: back alive`);
    const deathsBefore = net.changes.filter((c) => c.change.node === x && c.change.to === 'dead').length;
    const replayedBefore = [...net.nodes.values()].reduce((a, s) => a + s.stats.replayed, 0);
    for (const c of captured) for (const to of ns) if (to !== c.from) net.inject(to, c.from, c.bytes);
    net.run(20 * P);
    assert.equal(net.changes.filter((c) => c.change.node === x && c.change.to === 'dead').length, deathsBefore, `seed ${seed}`);
    assert.deepEqual(net.notAgreeing(x, 'alive'), []);
    assert.ok([...net.nodes.values()].reduce((a, s) => a + s.stats.replayed, 0) > replayedBefore);
  }
});

test('a member that just started (no replay window yet) ignores replayed death claims until its join answer', () => {
  const { net, ns } = started(20, 5);
  const x = ns[7];
  net.partition(x);
  net.run(50 * P);
  const captured = deathClaims(net, x);
  net.partition(x, false);
  net.run(40 * P);
  assert.deepEqual(net.notAgreeing(x, 'alive'), []);
  // A member restarts; the attacker floods it with the captures before anyone answers its join.
  const t0 = net.now;
  net.kill(ns[3]);
  net.start([ns[3]], 2);
  for (const c of captured) if (c.from !== ns[3]) net.inject(ns[3], c.from, c.bytes);
  net.run(10 * P);
  assert.equal(net.stateOf(ns[3], x), 'alive');
  assert.equal(net.changes.filter((c) => c.at >= t0 && c.observer === ns[3] && c.change.node === x && c.change.to === 'dead').length, 0);
});

test('a replayed clean-leave message of a previous life does not remove the member', () => {
  const { net, ns } = started(10, 6);
  const x = ns[2];
  net.leave(x);
  net.run(5 * P);
  const byes = net.wire.filter((w) => w.from === x);
  net.start([x], 2); // back, next life
  net.run(20 * P);
  assert.deepEqual(net.notAgreeing(x, 'alive'), []);
  for (const b of byes) net.inject(b.to, x, b.bytes);
  net.run(10 * P);
  assert.deepEqual(net.notAgreeing(x, 'alive'), []);
});

test('replay window: fresh, duplicate, reordered within 32, too old, older and newer lives', () => {
  const w = new ReplayWindow();
  assert.equal(w.accept('a', 5, 10), true);
  assert.equal(w.accept('a', 5, 10), false, 'duplicate');
  assert.equal(w.accept('a', 5, 12), true);
  assert.equal(w.accept('a', 5, 11), true, 'reordered, within the window');
  assert.equal(w.accept('a', 5, 11), false);
  assert.equal(w.accept('a', 5, 100), true);
  assert.equal(w.accept('a', 5, 68), false, 'older than the window');
  assert.equal(w.accept('a', 5, 69), true);
  assert.equal(w.accept('a', 4, 1000), false, 'an older life');
  assert.equal(w.accept('a', 6, 1), true, 'a newer life starts afresh');
  assert.equal(w.accept('a', 5, 1001), false);
});

test('a join answer for 300 members with 253-character names is split into datagrams within the size limit', () => {
  const long = (i: number) => `${'n'.repeat(248)}${String(i).padStart(5, '0')}`;
  const net = new SimNet({ seed: 8 });
  const ns = Array.from({ length: 300 }, (_, i) => long(i));
  net.start(ns);
  net.run(10 * P);
  const acks = net.wire.filter((w) => decodeDatagram(seal.open(w.bytes)!)?.body.type === 'join-ack');
  assert.ok(acks.length > 0);
  for (const a of acks) assert.ok(a.bytes.length <= DEFAULT_CONFIG.maxDatagram, `${a.bytes.length} bytes`);
  for (const n of ns) assert.equal(net.nodes.get(n)!.isSynced, true);
});
