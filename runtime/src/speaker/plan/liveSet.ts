// The live speakers a plan elects among (pure, time passed in), judged only from what this node
// observed, on its own monotonic clock, as client-go's leader election does: a heartbeat is a
// value that changes at every renewal (a speaker Lease's holder and renewTime today; a gossip
// message could feed the same record later), and a node is gone when we watched for its Lease
// duration without seeing its heartbeat change. Another node's renewTime is never compared with
// our clock, so clock skew between nodes changes nothing. What a silence means is apiPolicy.ts's.
//
//   let s = emptySightings(800);
//   s = recordHeartbeats(s, leaseHeartbeats(leases), now);   // at every Lease event
//   liveSet('node1', s, now).live                             // who stands in the elections
import { apiDecision, lapsedWhileWatching, silent, type ApiDecision } from './apiPolicy';

/** One node's heartbeat as observed: a value that changes at each renewal. */
export interface Heartbeat {
  readonly node: string;
  /** Differs from the last one seen when the node renewed. */
  readonly stamp: string;
  /** How long one renewal keeps the node live (its Lease duration). */
  readonly durationMs: number;
}

export interface Sighting {
  readonly stamp: string;
  /** When we first saw this stamp, by our clock. */
  readonly seenAt: number;
  readonly durationMs: number;
  /** Seen to lapse while we watched: out until its heartbeat changes. */
  readonly lapsed: boolean;
}

export interface Sightings {
  readonly nodes: ReadonlyMap<string, Sighting>;
  /** When we last saw any heartbeat change (undefined: never). */
  readonly heardAt?: number;
  /** When heartbeats came back after a silence of quietMs (or were first heard). */
  readonly resumedAt: number;
  /** A silence this long means we were not watching (apiPolicy.ts). */
  readonly quietMs: number;
}

export interface LiveSet {
  readonly live: ReadonlySet<string>;
  readonly api: ApiDecision;
  /** When heartbeats last came back after a silence (Sightings.resumedAt; none with gossip). */
  readonly resumedAt?: number;
}

export function emptySightings(quietMs: number): Sightings {
  return { nodes: new Map(), resumedAt: 0, quietMs };
}

/**
 * The sightings after observing `beats` (every node's current heartbeat) at `now`. A node
 * missing from `beats` released its Lease or had it deleted: it stopped on purpose, gone at once.
 */
export function recordHeartbeats(prev: Sightings, beats: readonly Heartbeat[], now: number): Sightings {
  const changed = beats.filter((b) => prev.nodes.get(b.node)?.stamp !== b.stamp);
  const heardAt = changed.length ? now : prev.heardAt;
  const resumedAt = changed.length && silent(prev.heardAt, now, prev.quietMs) ? now : prev.resumedAt;
  const nodes = new Map<string, Sighting>();
  for (const b of beats) {
    const old = prev.nodes.get(b.node);
    const s: Sighting = old?.stamp === b.stamp ? old : { stamp: b.stamp, seenAt: now, durationMs: b.durationMs, lapsed: false };
    const lapsed = s.lapsed || (heardAt !== undefined && lapsedWhileWatching(s.seenAt, s.durationMs, resumedAt, heardAt));
    nodes.set(b.node, lapsed === s.lapsed ? s : { ...s, lapsed });
  }
  return { nodes, heardAt, resumedAt, quietMs: prev.quietMs };
}

/** The nodes standing in the elections, and what the plan makes of the API's reachability. */
export function liveSet(node: string, s: Sightings, now: number): LiveSet {
  const live = new Set([...s.nodes].filter(([, x]) => !x.lapsed).map(([n]) => n));
  return { live, api: apiDecision(s, node, now), resumedAt: s.resumedAt };
}

/**
 * When the next live node would lapse if we then saw a heartbeat change (undefined: none live).
 * A lapse shows only with a change seen after the deadline; the speaker renews its own Lease then
 * (node/speakerLoop.ts) so that proof comes in one round trip, not at its next renewal.
 */
export function nextDue(s: Sightings): number | undefined {
  let due: number | undefined;
  for (const x of s.nodes.values()) {
    if (x.lapsed) continue;
    const d = Math.max(x.seenAt, s.resumedAt) + x.durationMs;
    due = due === undefined ? d : Math.min(due, d);
  }
  return due;
}

/** One string per live set, reachability and resumption: a Lease event re-plans only when it
 * changes (a resumption too, so what this node holds is announced again at once). */
export function liveKeyOf(lv: LiveSet): string {
  return `${[...lv.live].sort().join(',')}${lv.api.reachable ? '' : ' (silent)'} @${lv.resumedAt ?? ''}`;
}
