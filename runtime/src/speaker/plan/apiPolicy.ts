// What the plan does when the API server cannot be reached: the one place that policy lives.
//
// A control-plane outage must not stop traffic. The speaker judges liveness only from what it
// observes (liveSet.ts): a heartbeat (a speaker Lease's renewal, as delivered by our watch) seen
// to change, timed by OUR monotonic clock. "The API is reachable" means exactly "we are seeing
// heartbeats change": a silence of `quietMs` (one Lease duration) or more means we were not
// watching, whatever the cause (API server down or stalled, our connection broken, our watch
// backing off). Then:
//   - nobody is declared gone: every node keeps the standing it had, so the last plan stands
//     and no address is withdrawn, however long the silence lasts;
//   - when heartbeats come back, every node gets a fresh Lease duration from that moment, so the
//     write that was held up in the stalled server counts, and only nodes that then stay silent
//     while we watch are dropped;
//   - a node seen to lapse while we watched stays out until it renews (through outages too).
//
// This node is judged by the same rule from its own Lease: it steps out only when it sees the
// others' renewals arrive while its own do not (its writes are refused, so the others take its
// addresses). Cut off from the API server alone, it cannot tell that from an outage of the whole
// control plane, and keeps serving; the others see its Lease stop and take over. For that time
// two nodes answer for its layer2 addresses: the new owner's gratuitous ARPs move the LAN's
// caches, the old one only answers requests until it reaches the API server again; then it
// announces again what it serves (node/speakerLoop.ts). With gossip this rule applies only in
// doubt (membershipView.ts). See README "Limits".
import type { Sightings } from './liveSet';

export interface ApiDecision {
  /** Heartbeats are arriving: we watch, and a node silent for its Lease duration is gone. */
  readonly reachable: boolean;
  /** This node stands in the layer2/vip elections. */
  readonly selfLive: boolean;
}

/** No heartbeat change seen for `quietMs` (or ever): we are not watching. */
export function silent(lastHeardAt: number | undefined, now: number, quietMs: number): boolean {
  return lastHeardAt === undefined || now - lastHeardAt >= quietMs;
}

/**
 * A node's liveness lapsed while we watched: its Lease duration, counted from when we last saw
 * it renew (or from when heartbeats came back after a silence, whichever is later), ran out
 * before a heartbeat change we saw since. No clock but ours; nothing lapses during a silence.
 */
export function lapsedWhileWatching(seenAt: number, durationMs: number, resumedAt: number, heardAt: number): boolean {
  return Math.max(seenAt, resumedAt) + durationMs <= heardAt;
}

export function apiDecision(s: Sightings, node: string, now: number): ApiDecision {
  const self = s.nodes.get(node);
  return { reachable: !silent(s.heardAt, now, s.quietMs), selfLive: !!self && !self.lapsed };
}
