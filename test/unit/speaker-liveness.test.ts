// Liveness from local observation (runtime/src/speaker/plan/liveSet.ts, apiPolicy.ts): a node is
// judged by when THIS node saw its Lease change, on this node's clock, and nobody is judged while
// no Lease changes at all (the API server unreachable). Times are ms on the observer's clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leaseHeartbeats } from '../../runtime/src/speaker/node/liveness';
import { emptySightings, liveSet, nextDue, recordHeartbeats, type Heartbeat, type Sightings } from '../../runtime/src/speaker/plan/liveSet';
import { beat, lease, LEASE_MS, NOW } from './speaker-snapshot';

/** The watch's view over time: at each [time, heartbeats] a Lease event, the heartbeats then. */
function replay(events: readonly [number, readonly Heartbeat[]][], from: Sightings = emptySightings(LEASE_MS)): Sightings {
  return events.reduce((s, [t, beats]) => recordHeartbeats(s, beats, t), from);
}

/** Every `every` ms in [from, to], a Lease event where `renewing` renew (their k-th renewal) and `still` keep their last. */
function renewals(from: number, to: number, every: number, renewing: readonly string[], still: Readonly<Record<string, number>> = {}): [number, Heartbeat[]][] {
  const out: [number, Heartbeat[]][] = [];
  for (let t = from; t <= to; t += every) {
    out.push([t, [...renewing.map((n) => beat(n, t)), ...Object.entries(still).map(([n, k]) => beat(n, k))]]);
  }
  return out;
}

const live = (s: Sightings, now: number, self = 'n1') => [...liveSet(self, s, now).live].sort();

describe('speaker liveness from local observation', () => {
  it('judges by when we saw a renewal, never by renewTime: a node an hour behind or ahead is live while it renews', () => {
    const HOUR = 3_600_000;
    const at = (k: number) => [lease('n1', NOW + k * 250), lease('behind', NOW - HOUR + k * 250), lease('ahead', NOW + HOUR + k * 250)];
    let s = emptySightings(LEASE_MS);
    for (let k = 0; k < 12; k++) s = recordHeartbeats(s, leaseHeartbeats(at(k)), k * 250);
    assert.deepEqual(live(s, 11 * 250), ['ahead', 'behind', 'n1']);
    // `ahead` stops: its renewTime still lies an hour in our future, yet it is gone one Lease
    // duration (by our clock) after we last saw it change.
    const last = leaseHeartbeats(at(11)).find((b) => b.node === 'ahead')!;
    for (let k = 12; k <= 15; k++) {
      const beats = leaseHeartbeats(at(k)).filter((b) => b.node !== 'ahead');
      s = recordHeartbeats(s, [...beats, last], k * 250);
      assert.equal(live(s, k * 250).includes('ahead'), k * 250 < 11 * 250 + LEASE_MS, `at ${k * 250} ms`);
    }
    assert.deepEqual(live(s, 15 * 250), ['behind', 'n1']);
  });

  it('a Lease seen to stop changing while others change is gone after its duration, not before', () => {
    const s1 = replay(renewals(0, 1000, 100, ['n1', 'n2', 'n3']));
    const upTo = (t: number) => replay(renewals(1100, t, 100, ['n1', 'n2'], { n3: 1000 }), s1);
    assert.deepEqual(live(upTo(1700), 1700), ['n1', 'n2', 'n3'], '700 ms of silence from n3');
    assert.deepEqual(live(upTo(1800), 1800), ['n1', 'n2'], 'a Lease duration (800 ms) since we saw n3 renew');
    assert.deepEqual(live(upTo(1800), 60_000), ['n1', 'n2'], 'and stays gone');
  });

  it('while no Lease changes (API server unreachable) nobody is gone, for 30 s and more; afterwards everyone gets a fresh duration', () => {
    const before = replay(renewals(0, 1000, 100, ['n1', 'n2', 'n3']));
    // 30 s without any change: the watch re-lists the same Leases now and then; nothing lapses.
    const outage = replay(renewals(1000, 31_000, 5000, [], { n1: 1000, n2: 1000, n3: 1000 }), before);
    for (const now of [1500, 1800, 10_000, 31_000]) {
      assert.deepEqual(live(outage, now), ['n1', 'n2', 'n3'], `at ${now} ms`);
    }
    assert.deepEqual(liveSet('n1', outage, 31_000).api, { reachable: false, selfLive: true });
    assert.deepEqual(liveSet('n1', before, 1000).api, { reachable: true, selfLive: true });
    // Back: n1's write lands first. n3's Lease is 30 s old by our clock, but its renewal may still
    // be on its way: it has a Lease duration from now, and is gone only if it stays silent.
    const back = replay([[31_000, [beat('n1', 31_000), beat('n2', 1000), beat('n3', 1000)]],
      [31_500, [beat('n1', 31_500), beat('n2', 31_500), beat('n3', 1000)]]], outage);
    assert.deepEqual(live(back, 31_500), ['n1', 'n2', 'n3']);
    assert.equal(liveSet('n1', back, 31_500).api.reachable, true);
    const later = replay([[31_800, [beat('n1', 31_800), beat('n2', 31_500), beat('n3', 1000)]]], back);
    assert.deepEqual(live(later, 31_800), ['n1', 'n2'], 'n3 silent for a Lease duration since heartbeats came back');
  });

  it('a node seen to lapse before an outage stays out through it and after it, until it renews', () => {
    const gone = replay(renewals(0, 2000, 100, ['n1', 'n2'], { n3: 0 }), replay([[0, [beat('n1'), beat('n2'), beat('n3')]]]));
    assert.deepEqual(live(gone, 2000), ['n1', 'n2']);
    const after = replay([[32_000, [beat('n1', 32_000), beat('n2', 2000), beat('n3', 0)]]], gone);
    assert.deepEqual(live(after, 32_000), ['n1', 'n2'], 'no comeback for 800 ms after the outage');
    assert.deepEqual(live(replay([[32_100, [beat('n1', 32_000), beat('n2', 2000), beat('n3', 32_100)]]], after), 32_100), ['n1', 'n2', 'n3']);
  });

  it('this node steps out when it sees the others renew and not itself (its writes refused), not during a silence', () => {
    const start = replay(renewals(0, 500, 100, ['n1', 'n2']));
    const refused = replay(renewals(600, 1400, 100, ['n2'], { n1: 500 }), start);
    assert.deepEqual(liveSet('n1', refused, 1400).api, { reachable: true, selfLive: false });
    assert.deepEqual(live(refused, 1400), ['n2']);
    const silence = replay(renewals(600, 30_000, 5000, [], { n1: 500, n2: 500 }), start);
    assert.deepEqual(liveSet('n1', silence, 30_000).api, { reachable: false, selfLive: true });
  });

  it('the next deadline is the earliest live node\'s, counted from its last renewal or the end of a silence', () => {
    const s = replay([[0, [beat('n1'), beat('n2')]], [300, [beat('n1', 300), beat('n2')]]]);
    assert.equal(nextDue(s), LEASE_MS, 'n2, seen at 0');
    const resumed = replay([[5000, [beat('n1', 5000), beat('n2')]]], s);
    assert.equal(nextDue(resumed), 5000 + LEASE_MS, 'after a silence n2 counts from its end');
    assert.equal(nextDue(replay([[5000 + LEASE_MS, [beat('n1', 5800), beat('n2')]]], resumed)), 5000 + 2 * LEASE_MS, 'n2 lapsed: n1 is next');
    assert.equal(nextDue(emptySightings(LEASE_MS)), undefined);
  });

  it('a released or deleted Lease takes its node out at once', () => {
    const s = replay([[0, [beat('n1'), beat('n2')]], [100, [beat('n1', 100)]]]);
    assert.deepEqual(live(s, 100), ['n1']);
  });

  it('before any Lease is seen, nobody is live, this node included', () => {
    assert.deepEqual(liveSet('n1', emptySightings(LEASE_MS), NOW).api, { reachable: false, selfLive: false });
  });
});
