// What the plan does when the API server cannot be reached: the one place that policy lives.
//
// Today's policy: the speaker keeps planning from what its watches last saw, and stands in the
// layer2/vip elections only while its own Lease is fresh (renewed less than a Lease duration
// ago). Past that the other speakers, if they reach the API server, count this node gone and
// take its addresses, so it steps out as well and no address has two holders for long. The
// other Leases in its watch cache expire with time in the same way, so a speaker cut off alone
// ends up answering for no layer2/vip address; BGP does not depend on liveness and stays.
import type { ApiReachability } from './snapshot';

export interface ApiDecision {
  /** The API server answered our last renewal. */
  readonly reachable: boolean;
  /** This node stands in the layer2/vip elections. */
  readonly selfLive: boolean;
}

export function whenApiUnreachable(api: ApiReachability, now: number): ApiDecision {
  const renewed = api.renewedAt > 0;
  return {
    reachable: renewed && api.failingSince === undefined,
    // What the others see: our Lease is live until a duration after its last renewal.
    selfLive: renewed && now - api.renewedAt < api.leaseDurationMs,
  };
}
