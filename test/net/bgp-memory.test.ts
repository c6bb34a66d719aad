// Hostile peers against our speaker running as its own process (bgpMain.ts on 127.0.0.1): its
// resident set must stay bounded (a resource assertion, not a timing one) while
// - a peer sends a full table of 1,000,000 prefixes: it gets Cease / Maximum Number of
//   Prefixes Reached (RFC 4486) with AFI 1, SAFI 1 and the bound 10000 as data;
// - a peer never reads while we announce and re-announce many routes: writes stop while the
//   socket is backed up, what waits is one entry per prefix, and RFC 9687's send hold timer
//   finally closes the session.
// The pod limit is 256 MiB; 150 MiB leaves room for the baseline (~80 MiB here, tsx included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalSpeaker, freePort, fullTablePeer, nonReadingPeer } from '../harness/net/bgpHostile';
import { waitFor } from '../harness/net/bgpPeers';

const BOUND_MIB = 150;
/** V8 grows its heap lazily up to a limit sized from the host's memory, not the pod's: the
 * speaker should run with a heap budget inside its limit, as here, so garbage is collected
 * before the cgroup would kill it. Live memory, not V8's slack, is what this test bounds. */
const HEAP_BUDGET = ['--max-old-space-size=96'];

async function startSpeaker(): Promise<LocalSpeaker> {
  return LocalSpeaker.start({
    localAs: 65001, routerId: '10.0.0.1', listenPort: await freePort(), listenAddress: '127.0.0.1',
    peers: [
      { neighborAddress: '127.0.0.2', peerAs: 65002, passive: true },
      { neighborAddress: '127.0.0.3', peerAs: 65003, passive: true, sendHoldTime: 30 },
    ],
  }, HEAP_BUDGET);
}

type Status = Record<string, { peerState: { sessionState: string; adminState: string } }>;
const status = async (s: LocalSpeaker) => (await s.command('status')).status as Status;
const problems = async (s: LocalSpeaker) => (await s.command('problems')).problems as Record<string, { reason: string; message: string }>;

test('a peer sending 1,000,000 prefixes gets Cease 6/1 and the speaker stays under the memory bound', async (t) => {
  const s = await startSpeaker();
  try {
    const r = await fullTablePeer(s.port, '127.0.0.2', 65002, 1_000_000);
    assert.deepEqual(r.notification, { code: 6, subcode: 1, data: [0, 1, 1, 0, 0, 0x27, 0x10] }, s.output);
    const st = (await status(s))['127.0.0.2'].peerState;
    assert.notEqual(st.sessionState, 'ESTABLISHED');
    assert.equal(st.adminState, 'PFX_CT');
    assert.equal((await problems(s))['127.0.0.2']?.reason, 'BgpMaxPrefixesReached');
    const { peak } = s.memory();
    t.diagnostic(`speaker peak RSS ${peak.toFixed(0)} MiB`);
    assert.ok(peak < BOUND_MIB, `speaker peak RSS ${peak.toFixed(0)} MiB >= ${BOUND_MIB} MiB`);
  } finally {
    await s.stop();
  }
});

test('a peer that never reads: writes stop, pending state stays bounded, the send hold timer ends the session', async (t) => {
  const s = await startSpeaker();
  const routes = 20_000;
  const peer = await nonReadingPeer(s.port, '127.0.0.3', 65003);
  try {
    await waitFor('non-reading peer Established', async () => (await status(s))['127.0.0.3']?.peerState.sessionState === 'ESTABLISHED', 20000, 50);
    await s.command(`announce-many 100.64.0.0 ${routes} 127.0.0.1`);
    // Route churn: each round withdraws and re-announces everything (2 x 20,000 changes), until
    // the kernel's socket buffers are full and the speaker reports prefixes waiting, then 5 more.
    const pendingNow = async () => ((await s.command('pending')).pending as Record<string, number>)['127.0.0.3'] ?? 0;
    let pending = 0;
    for (let round = 0, blocked = 0; round < 300 && blocked < 5; round++) {
      await s.command(`withdraw-many 100.64.0.0 ${routes}`);
      await s.command(`announce-many 100.64.0.0 ${routes} 127.0.0.1`);
      pending = await pendingNow();
      if (pending > 0) blocked++;
    }
    assert.ok(pending > 0, 'the speaker is backed up (the test would prove nothing otherwise)');
    assert.ok(pending <= routes, `${pending} prefixes waiting for ${routes} routes`);
    const { peak } = s.memory();
    t.diagnostic(`speaker peak RSS ${peak.toFixed(0)} MiB`);
    assert.ok(peak < BOUND_MIB, `speaker peak RSS ${peak.toFixed(0)} MiB >= ${BOUND_MIB} MiB`);
    await waitFor('send hold timer closes the session', async () => (await problems(s))['127.0.0.3']?.reason === 'BgpSendHoldTimerExpired', 90000, 500);
    assert.notEqual((await status(s))['127.0.0.3'].peerState.sessionState, 'ESTABLISHED');
    assert.equal(((await s.command('pending')).pending as Record<string, number>)['127.0.0.3'], 0, 'nothing kept for the closed session');
  } finally {
    peer.close();
    await s.stop();
  }
});
