// The live set while gossip membership runs (runtime/src/speaker/plan/membershipView.ts), from
// values only: healthy gossip, a single death, a two-node kill, a minority cut off from its peers
// but not from the API server, a symmetric partition, the gossip port blocked everywhere, and a
// stale death declaration of an older life. Time is passed in; nothing here sleeps.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emptySightings, recordHeartbeats, type Sightings } from '../../runtime/src/speaker/plan/liveSet';
import {
  declarationDuties, DOUBT_DECIDE_MS, inDoubt, membershipView, nextDoubt,
  type Declaration, type GossipState, type GossipView, type MembershipObservation,
} from '../../runtime/src/speaker/plan/membershipView';
import { planSpeaker } from '../../runtime/src/speaker/plan/speakerPlan';
import { eip, node, service, sightingsOf, snapshot } from './speaker-snapshot';

const LIFE = 1_000;
const T0 = 50_000;

function gossip(states: Record<string, GossipState>, o: { healthy?: boolean; inc?: number } = {}): GossipView {
  return {
    healthy: o.healthy ?? true, incarnation: o.inc ?? LIFE, lifeIncarnation: LIFE,
    members: Object.entries(states).map(([n, state]) => ({ node: n, state, heard: true, inc: 7 })),
  };
}

/** What node `self` sees: observed at `times` in turn (the loop's nextDoubt at each), the Leases
 * as `leases(t)` (node → renewal number) once the watch lists, from `listedAt` on. */
function run(self: string, members: string[], g: GossipView, o: {
  times: number[]; liveBefore: string[]; declarations?: Declaration[];
  leases?: (t: number) => Record<string, number>; listedAt?: number;
}): { verdicts: ReturnType<typeof membershipView>[]; last: MembershipObservation } {
  let doubt: MembershipObservation['doubt'];
  let sightings: Sightings | undefined;
  const verdicts = [];
  let last!: MembershipObservation;
  for (const t of o.times) {
    const listed = o.leases !== undefined && t >= (o.listedAt ?? T0);
    if (listed) {
      const beats = Object.entries(o.leases!(t)).map(([n, k]) => ({ node: n, stamp: `${n}#${k}`, durationMs: 30_000 }));
      sightings = recordHeartbeats(sightings ?? emptySightings(30_000), beats, t);
    }
    const base = { members, gossip: g, declarations: o.declarations ?? [], sightings };
    doubt = nextDoubt(self, base, doubt, o.liveBefore, listed, t);
    last = { ...base, doubt };
    verdicts.push(membershipView(self, last, t));
  }
  return { verdicts, last };
}

const sorted = (s: ReadonlySet<string>) => [...s].sort();

describe('membership view (pure)', () => {
  test('healthy gossip: every member gossip holds alive, no doubt, no Lease needed', () => {
    const g = gossip({ b: 'alive', c: 'alive', d: 'suspect' });
    assert.equal(inDoubt('a', ['a', 'b', 'c', 'd'], g), false);
    const { verdicts } = run('a', ['a', 'b', 'c', 'd'], g, { times: [T0], liveBefore: [] });
    assert.deepEqual(sorted(verdicts[0].live), ['a', 'b', 'c', 'd']);
    assert.equal(verdicts[0].rule, 'gossip');
  });

  test('a member Kubernetes no longer lists is not live, whatever gossip says', () => {
    const { verdicts } = run('a', ['a', 'b'], gossip({ b: 'alive', c: 'alive' }), { times: [T0], liveBefore: [] });
    assert.deepEqual(sorted(verdicts[0].live), ['a', 'b']);
  });

  test('single death among 5: no doubt, dead at the verdict, declared by the two after it', () => {
    const members = ['a', 'b', 'c', 'd', 'e'];
    const g = gossip({ b: 'alive', c: 'dead', d: 'alive', e: 'alive' });
    assert.equal(inDoubt('a', members, g), false);
    const { verdicts, last } = run('a', members, g, { times: [T0], liveBefore: members });
    assert.deepEqual(sorted(verdicts[0].live), ['a', 'b', 'd', 'e']);
    assert.deepEqual(declarationDuties('a', last), [], 'a is not among the two after c');
    const atD = { ...last, gossip: gossip({ a: 'alive', b: 'alive', c: 'dead', e: 'alive' }) };
    assert.deepEqual(declarationDuties('d', atD), [{ node: 'c', inc: 7 }]);
    assert.deepEqual(declarationDuties('e', { ...atD, gossip: gossip({ a: 'alive', b: 'alive', c: 'dead', d: 'alive' }) }), [{ node: 'c', inc: 7 }]);
  });

  test('two-node kill: doubt, nothing new taken before the decision time, then gossip\'s verdict', () => {
    const times = [T0, T0 + 300, T0 + DOUBT_DECIDE_MS];
    // b suspect at T0 (in doubt, b still live), dead later: the verdict stands after the decision time.
    const { verdicts: suspect } = run('a', ['a', 'b'], gossip({ b: 'suspect' }), { times, liveBefore: ['a', 'b'], leases: () => ({ a: 1, b: 1 }) });
    assert.deepEqual(suspect.map((v) => v.rule), ['undecided', 'undecided', 'gossip-verdict']);
    assert.deepEqual(sorted(suspect[2].live), ['a', 'b'], 'suspect is not dead');
    const { verdicts } = run('a', ['a', 'b'], gossip({ b: 'dead' }), { times, liveBefore: ['a', 'b'], leases: () => ({ a: 1, b: 1 }) });
    assert.deepEqual(verdicts.map((v) => v.rule), ['undecided', 'undecided', 'gossip-verdict']);
    assert.deepEqual(sorted(verdicts[1].live), ['a', 'b'], 'undecided: keeps the live set it had');
    assert.deepEqual(sorted(verdicts[2].live), ['a'], 'decided: takes over');
  });

  test('a restarted speaker that never heard its peer keeps it while its Lease is there (no verdict on it), and drops it once the Lease lapses', () => {
    const unheard: GossipView = { ...gossip({}), healthy: false, members: [{ node: 'b', state: 'alive', heard: false, inc: 0 }] };
    // Observed every 5 s; b's Lease is there and never changes, a's own renewals show the watch delivers.
    const times = [T0, T0 + DOUBT_DECIDE_MS, ...Array.from({ length: 7 }, (_, i) => T0 + 5_000 * (i + 1))];
    const { verdicts } = run('a', ['a', 'b'], unheard, { times, liveBefore: ['a', 'b'], leases: (t) => ({ a: t, b: 1 }) });
    assert.deepEqual(verdicts.slice(0, 2).map((v) => v.rule), ['undecided', 'gossip-verdict']);
    assert.deepEqual(sorted(verdicts[1].live), ['a', 'b'], 'never heard is no dead verdict: b keeps its share');
    assert.deepEqual(sorted(verdicts[6].live), ['a', 'b'], 'its Lease is 25 s old: still there');
    assert.deepEqual(sorted(verdicts.at(-1)!.live), ['a'], 'b\'s Lease lapsed (35 s): a takes over');
  });

  test('until the pod watch lists our own speaker pod, we stand in nothing', () => {
    const v = membershipView('a', { members: [], viewReady: false, gossip: gossip({}), declarations: [] }, T0);
    assert.equal(v.rule, 'view-incomplete');
    assert.deepEqual(sorted(v.live), []);
    const ready = membershipView('a', { members: ['a', 'b'], viewReady: true, gossip: gossip({ b: 'alive' }), declarations: [] }, T0);
    assert.deepEqual(sorted(ready.live), ['a', 'b']);
  });

  test('a clean stop (left) is no reason for doubt, even of the only other node', () => {
    assert.equal(inDoubt('a', ['a', 'b'], gossip({ b: 'left' })), false);
    const { verdicts } = run('a', ['a', 'b'], gossip({ b: 'left' }), { times: [T0], liveBefore: ['a', 'b'] });
    assert.deepEqual(sorted(verdicts[0].live), ['a']);
  });

  test('minority cut off from its peers, not from the API server: withdraws at the declaration, stays out after it expires', () => {
    const members = ['a', 'b', 'c', 'd', 'e'];
    // a hears nobody: gossip unhealthy, all dead to it. The others declared a dead at this life.
    const g = gossip({ b: 'dead', c: 'dead', d: 'dead', e: 'dead' }, { healthy: false, inc: LIFE + 2 });
    const declared = [{ by: 'b', node: 'a', inc: LIFE + 1 }];
    const { verdicts, last } = run('a', members, g, { times: [T0, T0 + 100], liveBefore: members, declarations: declared, leases: (t) => ({ a: 1, b: t > T0 ? 2 : 1 }) });
    assert.equal(verdicts[1].rule, 'counted-out');
    assert.equal(verdicts[1].live.has('a'), false);
    assert.deepEqual(declarationDuties('a', last), [], 'a node in doubt declares nobody');
    // The declaration expires from b's Lease; a stays out until gossip is healthy again.
    const later = membershipView('a', { ...last, declarations: [] }, T0 + 60_000);
    assert.equal(later.live.has('a'), false);
  });

  test('a declaration for an older life of this node is stale: ignored', () => {
    const g = gossip({ b: 'dead' }, { healthy: false });
    const { verdicts } = run('a', ['a', 'b'], g, { times: [T0, T0 + DOUBT_DECIDE_MS], liveBefore: ['a', 'b'], declarations: [{ by: 'b', node: 'a', inc: LIFE - 5 }], leases: () => ({ a: 1, b: 1 }) });
    assert.equal(verdicts[1].live.has('a'), true);
    assert.notEqual(verdicts[1].rule, 'counted-out');
  });

  test('symmetric partition of two: each sees the other\'s Lease change, Lease mode, both stay live', () => {
    const g = gossip({ b: 'dead' });
    const { verdicts } = run('a', ['a', 'b'], g, {
      times: [T0, T0 + 100, T0 + 200, T0 + 5000], liveBefore: ['a', 'b'], leases: (t) => ({ a: 1, b: t >= T0 + 200 ? 2 : 1 }),
    });
    assert.deepEqual(verdicts.map((v) => v.rule), ['undecided', 'undecided', 'lease', 'lease']);
    assert.deepEqual(sorted(verdicts[3].live), ['a', 'b'], 'b is alive by its Lease, though gossip cannot reach it');
  });

  test('gossip port blocked everywhere: all in doubt, Lease mode, a node whose Lease then stops lapses', () => {
    const g: GossipView = { healthy: false, incarnation: LIFE, lifeIncarnation: LIFE, members: [] };
    const members = ['a', 'b', 'c'];
    // b and c write at doubt; c then dies (its Lease stops), b renews every 10 s.
    const times = [T0, T0 + 100, T0 + 200, T0 + 10_000, T0 + 20_000, T0 + 30_300, T0 + 40_000];
    const { verdicts } = run('a', members, g, { times, liveBefore: members, leases: (t) => ({ a: Math.floor(t / 10_000), b: Math.floor((t - T0 - 100) / 10_000) + 10, c: t >= T0 + 100 ? 2 : 1 }) });
    assert.equal(verdicts[2].rule, 'lease');
    assert.deepEqual(sorted(verdicts[2].live), ['a', 'b', 'c']);
    assert.deepEqual(sorted(verdicts.at(-1)!.live), ['a', 'b'], 'c lapsed after its Lease duration');
  });

  test('single death among 3 (each survivor in doubt): the doubt writes prove both alive, the dead verdict moves the address', () => {
    const members = ['a', 'b', 'c'];
    const suspect = run('a', members, gossip({ b: 'alive', c: 'suspect' }), { times: [T0, T0 + 100], liveBefore: members, leases: (t) => ({ a: 1, b: t > T0 ? 2 : 1, c: 1 }) });
    assert.equal(suspect.verdicts[1].rule, 'lease');
    assert.deepEqual(sorted(suspect.verdicts[1].live), ['a', 'b', 'c'], 'suspect: not yet moved');
    const dead = membershipView('a', { ...suspect.last, gossip: gossip({ b: 'alive', c: 'dead' }) }, T0 + 700);
    assert.deepEqual(sorted(dead.live), ['a', 'b']);
  });

  test('the plan elects among the membership view, not the Lease sightings', () => {
    const eips = [eip('e', { address: '192.168.0.100/30', protocol: 'layer2', interface: 'eth0' })];
    const services = [service('s1', '192.168.0.100'), service('s2', '192.168.0.101'), service('s3', '192.168.0.102')];
    const nodes = ['n1', 'n2', 'n3'].map((n) => node(n));
    const owned = (n: string, membership?: MembershipObservation) =>
      planSpeaker({ ...snapshot(n, { eips, services, nodes, sightings: sightingsOf(['n1', 'n2', 'n3']) }), membership }).layer2.map((w) => w.ip);
    const m = (self: string, dead: string): MembershipObservation => ({
      members: ['n1', 'n2', 'n3'], declarations: [],
      gossip: gossip(Object.fromEntries(['n1', 'n2', 'n3'].filter((x) => x !== self).map((x) => [x, x === dead ? 'dead' : 'alive']))),
    });
    const before = ['n1', 'n2', 'n3'].flatMap((n) => owned(n));
    assert.equal(before.length, 3);
    const victim = ['n1', 'n2', 'n3'].find((n) => owned(n).length > 0)!;
    const after = ['n1', 'n2', 'n3'].filter((n) => n !== victim).flatMap((n) => owned(n, m(n, victim)));
    assert.deepEqual(after.sort(), before.sort(), `every address of ${victim} moved to a survivor, each once`);
  });
});
