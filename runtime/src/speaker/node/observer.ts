// Gathers the speaker's Observation (I/O): the watched objects, this host's interfaces and route
// lookups, and the heartbeats seen so far. The costly parts are memoised here so the plan stays
// pure and cheap: Eip validation (per resourceVersion) and route lookups (a helper run each, kept
// ROUTE_TTL_MS). The sightings are the one thing kept from call to call: every Lease event
// records when we saw which Lease change (plan/liveSet.ts), on the loop's monotonic clock.
import type { Observation } from '../plan/snapshot';
import { routeTargets } from '../plan/interfaceChoice';
import { emptySightings, liveKeyOf, liveSet, nextDue, recordHeartbeats, type Sightings } from '../plan/liveSet';
import { EipValidity, eipViews } from './clusterView';
import { readNics, routeDevice } from './hostNet';
import { leaseHeartbeats } from './liveness';
import type { MembershipLink } from './membershipLink';
import type { SnapshotSource } from './speakerLoop';
import type { Watches } from './watches';

/** Routes change rarely and each lookup runs the helper: reuse an answer this long. */
const ROUTE_TTL_MS = 5000;

export class ClusterObserver implements SnapshotSource {
  private readonly validity = new EipValidity();
  /** Address → [device, valid until]. */
  private readonly routeCache = new Map<string, [string | undefined, number]>();
  private sightings: Sightings;

  /** `quietMs`: a silence this long means we were not watching (this node's Lease duration). */
  /** `membership`: gossip runs (the live set comes from it; the Leases only in doubt). */
  constructor(private readonly node: string, private readonly watches: Watches, quietMs: number, private readonly helperPath?: string,
    private readonly membership?: MembershipLink) {
    this.sightings = emptySightings(quietMs);
  }

  observe(now: number): Observation {
    const w = this.watches;
    const eipObjects = w.eips.list();
    const eips = eipViews(eipObjects, this.validity);
    return Object.freeze({
      node: this.node,
      now,
      self: w.nodes.get(this.node),
      nodes: w.nodes.list(),
      eipObjects,
      eips,
      services: w.services.list(),
      slices: w.slices.list(),
      sightings: this.membership ? this.sightings : this.sight(now),
      membership: this.membership?.observe(now),
      bgpConfs: w.confs.list(),
      bgpPeers: w.peers.list(),
      nics: readNics(),
      routes: this.routes(routeTargets(eips), now),
    });
  }

  liveKey(now: number): string {
    // With gossip, Lease events come only in doubt (rare): each one plans.
    if (this.membership) return `gossip@${now}`;
    return liveKeyOf(liveSet(this.node, this.sight(now), now));
  }

  nextDue(): number | undefined {
    if (this.membership) return undefined;
    return nextDue(this.sightings);
  }

  /** Records the Leases as the watch shows them now: called at every Lease event and plan. */
  private sight(now: number): Sightings {
    this.sightings = recordHeartbeats(this.sightings, leaseHeartbeats(this.watches.leases()), now);
    return this.sightings;
  }

  private routes(targets: readonly string[], now: number): Map<string, string | undefined> {
    const out = new Map<string, string | undefined>();
    for (const ip of targets) {
      const hit = this.routeCache.get(ip);
      if (hit && hit[1] > now) { out.set(ip, hit[0]); continue; }
      const dev = routeDevice(ip, this.helperPath);
      this.routeCache.set(ip, [dev, now + ROUTE_TTL_MS]);
      out.set(ip, dev);
    }
    return out;
  }
}
