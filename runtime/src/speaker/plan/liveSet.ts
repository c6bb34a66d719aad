// The live speakers a plan elects among (pure): the other nodes from their Leases as watched,
// this node from what its own renewals say (apiPolicy.ts), not from the watch's copy.
import { liveSpeakers, type LeaseLike } from '../node/liveness';
import { whenApiUnreachable, type ApiDecision } from './apiPolicy';
import type { ApiReachability } from './snapshot';

export interface LiveSet {
  readonly live: ReadonlySet<string>;
  /** Earliest time (ms since epoch) a live Lease expires: the live set changes then. */
  readonly nextExpiry?: number;
  readonly api: ApiDecision;
}

export function liveSet(node: string, leases: readonly LeaseLike[], api: ApiReachability, now: number): LiveSet {
  const { live, nextExpiry } = liveSpeakers(leases, now);
  const decision = whenApiUnreachable(api, now);
  if (decision.selfLive) live.add(node); else live.delete(node);
  return { live, nextExpiry, api: decision };
}

/** One string per live set: a Lease event re-plans only when it changes. */
export function liveKeyOf(live: Iterable<string>): string {
  return [...live].sort().join(',');
}
