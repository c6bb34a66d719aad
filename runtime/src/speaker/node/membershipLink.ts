// Gossip membership as the plan sees it (I/O glue around plan/membershipView.ts, which decides):
// at each observation, the Kubernetes view goes to gossip, and gossip's view, the doubt state
// and (only while in doubt) the speaker Leases come back as the snapshot's `membership`. On
// entering doubt this node writes its Lease at once (annotated `doubt`, again every
// DOUBT_WRITE_MS until the decision time, so peers in doubt too see it change whatever the
// order of their watch's first list and our write) and starts the Lease watch; on leaving doubt
// it stops the watch and writes `healthy`. Out of doubt, the deaths it must declare go to its
// Lease at once (gossipLink.ts keeps them for a bounded time).
import { emptySightings, recordHeartbeats, type Sightings } from '../plan/liveSet';
import {
  declarationDuties, DOUBT_DECIDE_MS, membershipView, nextDoubt,
  type DoubtState, type MembershipObservation, type MembershipRule,
} from '../plan/membershipView';
import type { GossipLink } from './gossipLink';
import { leaseDeclarations, leaseHeartbeats } from './liveness';
import type { WatchKind, Watches } from './watches';

/** Lease writes while undecided in doubt: three before the decision time. */
export const DOUBT_WRITE_MS = 200;

export interface DoubtLease {
  /** Write now (again after the write in flight, if any). */
  renewNow(): void;
}

export class MembershipLink {
  private doubt?: DoubtState;
  private sightings: Sightings;
  /** The live set of the last observation; before the first, every member (at start-up in
   * doubt we take our share as if all were alive, nothing more, until decided). */
  private lastLive?: readonly string[];
  private rule?: MembershipRule;
  /** The pod watch has listed our own speaker pod (the members are known). */
  private seenSelf = false;
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly node: string, readonly link: GossipLink, private readonly watches: Watches,
    private readonly lease: DoubtLease, private readonly quietMs: number,
    private readonly log: (m: string) => void, private readonly changed: (kind: WatchKind) => void) {
    this.sightings = emptySightings(quietMs);
  }

  get inDoubt(): boolean { return this.doubt !== undefined; }

  observe(now: number): MembershipObservation {
    const members = this.link.setView(this.watches.pods.list(), this.watches.nodes.list());
    // Once seen, our pod leaving the view means it is being deleted: we serve until the clean stop.
    if (members.includes(this.node)) this.seenSelf = true;
    const leases = this.watches.leases();
    if (this.doubt) this.sightings = recordHeartbeats(this.sightings, leaseHeartbeats(leases), now);
    const base = {
      members, viewReady: this.seenSelf, gossip: this.link.view(), declarations: leaseDeclarations(leases),
      sightings: this.doubt ? this.sightings : undefined,
    };
    const next = nextDoubt(this.node, base, this.doubt, this.lastLive ?? members, this.watches.leasesListed, now);
    this.transition(next);
    const o: MembershipObservation = { ...base, sightings: next ? this.sightings : undefined, doubt: next };
    const v = membershipView(this.node, o, now);
    if (v.rule !== this.rule) this.log(`membership: ${describeRule(v.rule)}; live: ${[...v.live].sort().join(', ')}`);
    this.rule = v.rule;
    if (v.rule !== 'view-incomplete') this.lastLive = [...v.live];
    if (!next && this.link.declare(declarationDuties(this.node, o))) this.lease.renewNow();
    return o;
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
  }

  private transition(next: DoubtState | undefined): void {
    const prev = this.doubt;
    this.doubt = next;
    if (!prev && next) {
      this.log(`in doubt (${this.link.healthy() ? 'gossip holds half or more of the other members suspect or dead' : 'gossip unhealthy'}): `
        + 'writing our Lease and watching the speaker Leases');
      this.sightings = emptySightings(this.quietMs);
      this.lease.renewNow();
      this.at(DOUBT_WRITE_MS, DOUBT_DECIDE_MS, () => this.lease.renewNow());
      this.at(DOUBT_DECIDE_MS, DOUBT_DECIDE_MS, () => this.changed('gossip'));
      void this.watches.leasesOn();
    } else if (prev && !next) {
      this.log('out of doubt: gossip healthy; Lease watch stopped');
      this.stop();
      this.lease.renewNow();
      void this.watches.leasesOff();
    }
    if (next?.countedOut && !prev?.countedOut) {
      this.log(`a peer's Lease declares this node dead (gossip life ${this.link.view().incarnation}): withdrawing until gossip is healthy again`);
    }
  }

  /** Calls `f` every `every` ms up to `until` ms from now (once when every === until). */
  private at(every: number, until: number, f: () => void): void {
    for (let t = every; t <= until; t += every) {
      const timer = setTimeout(f, t);
      timer.unref();
      this.timers.push(timer);
    }
  }
}

function describeRule(r: MembershipRule): string {
  switch (r) {
    case 'gossip': return 'gossip decides liveness';
    case 'undecided': return 'in doubt, undecided: keeping what we serve, taking nothing new';
    case 'counted-out': return 'declared dead by the others: serving nothing';
    case 'lease': return 'in doubt, some peers alive by their Leases though gossip cannot reach them: Lease mode for them';
    case 'gossip-verdict': return 'in doubt, no Lease change and no declaration: gossip\'s dead verdicts stand';
    case 'view-incomplete': return 'our own speaker pod is not in the pod watch yet: the members are unknown, serving nothing';
  }
}
