// Gathers the speaker's Observation (I/O): the watched objects, this host's interfaces and route
// lookups, and what the Lease knows of the API server. The costly parts are memoised here so
// the plan stays pure and cheap: Eip validation (per resourceVersion) and route lookups (a
// helper run each, kept ROUTE_TTL_MS).
import type { Observation } from '../plan/snapshot';
import { routeTargets } from '../plan/interfaceChoice';
import { liveKeyOf, liveSet } from '../plan/liveSet';
import { EipValidity, eipViews } from './clusterView';
import { readNics, routeDevice } from './hostNet';
import type { SnapshotSource } from './speakerLoop';
import type { SpeakerLease } from './speakerLease';
import type { Watches } from './watches';

/** Routes change rarely and each lookup runs the helper: reuse an answer this long. */
const ROUTE_TTL_MS = 5000;

export class ClusterObserver implements SnapshotSource {
  private readonly validity = new EipValidity();
  /** Address → [device, valid until]. */
  private readonly routeCache = new Map<string, [string | undefined, number]>();

  constructor(private readonly node: string, private readonly watches: Watches, private readonly lease: SpeakerLease,
    private readonly helperPath?: string) {}

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
      leases: w.leases.list(),
      bgpConfs: w.confs.list(),
      bgpPeers: w.peers.list(),
      nics: readNics(),
      routes: this.routes(routeTargets(eips), now),
      api: this.lease.reachability(),
    });
  }

  liveKey(now: number): string {
    return liveKeyOf(liveSet(this.node, this.watches.leases.list(), this.lease.reachability(), now).live);
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
