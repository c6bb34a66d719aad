// The speaker's loop: observe → ready the drivers → snapshot → plan (pure) → apply → publish.
// Watch events (a Lease event only when the live set changed), a lost helper and a periodic
// resync each ask scheduler.ts for a plan; plans never overlap. Liveness changes only when a
// Lease event shows it (plan/liveSet.ts); at a node's deadline the loop renews its own Lease
// early (armDue) so that event comes one round trip later.
import { describeError } from '../../kube/errors';
import type { EipCondition } from '../plan/eipConditions';
import { liveKeyOf, type Sightings } from '../plan/liveSet';
import type { DriverState, Observation, SpeakerSnapshot } from '../plan/snapshot';
import { liveOf, planSpeaker, type SpeakerPlan } from '../plan/speakerPlan';
import type { SpeakerDrivers } from './protocolDriver';
import { monotonicNow, PlanScheduler } from './scheduler';
import type { WatchKind } from './watches';

export interface SnapshotSource {
  /** What the plan reads of the cluster and the host, observed at `now`. */
  observe(now: number): Observation;
  /** Records the Leases as seen at `now` and returns the live speakers as liveKeyOf() spells
   * them (cheap: called at every Lease event). */
  liveKey(now: number): string;
  /** When the next live node would lapse, if a heartbeat change is seen then (plan/liveSet.ts). */
  nextDue(): number | undefined;
}

/** Where the plan's side outputs go (statusPublisher.ts). */
export interface PlanOutputs {
  annotationSent(): string | undefined;
  writeAnnotation(value: string): void;
  eipConditions(conditions: readonly EipCondition[]): void;
}

export interface LoopOptions {
  source: SnapshotSource;
  drivers: SpeakerDrivers;
  outputs: PlanOutputs;
  /** This node's liveness Lease: released first at stop; renewed early when a heartbeat is due,
   * so the change that shows a lapse comes at once. */
  lease: { release(): Promise<void>; renewNow?(): void };
  log: (m: string) => void;
  /** Full re-plan at least this often (default RESYNC_MS). */
  resyncMs?: number;
  /** Default monotonicNow (scheduler.ts): liveness is timed on it. */
  clock?: () => number;
}

/** Interfaces and addresses may change without any API event: plan at least this often. */
export const RESYNC_MS = 10_000;

export class SpeakerLoop {
  private readonly scheduler: PlanScheduler;
  private readonly clock: () => number;
  private lastLive = '';
  /** The live speakers of the last plan (undefined before the first): changes are logged. */
  private liveNodes?: ReadonlySet<string>;
  /** A plan saw Leases change (watched) / holds still in a silence (logged once each way). */
  private watched = false;
  private silence = false;
  /** Sightings.resumedAt at the last plan (undefined before the first). */
  private resumedAt?: number;
  private dueTimer?: NodeJS.Timeout;
  private readonly logged = new Set<string>();
  private stopping?: Promise<void>;

  constructor(private readonly o: LoopOptions) {
    this.clock = o.clock ?? monotonicNow;
    this.scheduler = new PlanScheduler(() => this.cycle(), (e) => o.log(`plan failed: ${describeError(e)}`));
  }

  /** Plans once (resolves when applied), then every resyncMs. changed() plans from construction on. */
  start(): Promise<void> {
    this.scheduler.every(this.o.resyncMs ?? RESYNC_MS);
    return this.scheduler.request();
  }

  /** Something the plan reads changed: plan again. */
  changed(kind?: WatchKind): void {
    // Lease renewals are frequent: re-plan only when the live set (or the silence) changed.
    if (kind === 'leases') {
      const key = this.o.source.liveKey(this.clock());
      this.armDue();
      if (key === this.lastLive) return;
    }
    void this.scheduler.request();
  }

  /** Resolves when the plan in progress (if any) and a fresh one have been applied. */
  replan(): Promise<void> {
    return this.scheduler.fresh();
  }

  /** Releases the Lease, lets the plan in progress end, then stops every driver. */
  stop(): Promise<void> {
    this.stopping ??= this.handOver();
    return this.stopping;
  }

  private async handOver(): Promise<void> {
    this.scheduler.halt();
    clearTimeout(this.dueTimer);
    // Hand over first: the others see the Lease go and announce, then we fall silent.
    await this.o.lease.release();
    await this.scheduler.idle();
    const { layer2, vip, bgp } = this.o.drivers;
    // Vip first: an address left on this host would have two holders once another node takes it.
    await vip.stop();
    await layer2.stop();
    await bgp.stop();
  }

  private async cycle(): Promise<void> {
    const seen = this.o.source.observe(this.clock());
    const lv = liveOf(seen);
    this.noteLive(lv.live, seen);
    this.lastLive = liveKeyOf(lv);
    this.armDue();
    const { layer2, vip, bgp } = this.o.drivers;
    for (const d of [layer2, vip, bgp]) {
      await d.ensure(seen);
      if (this.scheduler.halted) return;
    }
    const snapshot = this.snapshot(seen);
    const plan = planSpeaker(snapshot);
    this.noteApi(plan);
    for (const p of plan.problems) this.logOnce(p);
    // Layer2 first: a takeover waits for nothing else.
    this.logAll(await layer2.apply(plan.layer2));
    this.logAll(await vip.apply(plan.vip));
    // Back from a silence: if it was ours alone, the others counted us gone and the new owner
    // moved the neighbours to its MAC; our plan never changed, so tell them again.
    if (this.resumed(seen.sightings)) for (const d of [layer2, vip]) this.logAll(d.reannounce?.() ?? []);
    this.logAll(await bgp.apply(plan.bgp));
    this.publish(plan);
    // A driver may learn while applying that an interface is unusable (the kernel refused an
    // address): plan once more, so the report and the election follow at once.
    if (this.learnedWhileApplying(snapshot)) void this.scheduler.request();
  }

  private snapshot(seen: Observation): SpeakerSnapshot {
    const { layer2, vip, bgp } = this.o.drivers;
    return Object.freeze({
      ...seen,
      drivers: { layer2: layer2.state(), vip: vip.state(), bgp: bgp.state() },
      annotationSent: this.o.outputs.annotationSent(),
    });
  }

  private publish(plan: SpeakerPlan): void {
    if (plan.annotation !== undefined) this.o.outputs.writeAnnotation(plan.annotation);
    this.o.outputs.eipConditions(plan.conditions);
  }

  private learnedWhileApplying(before: SpeakerSnapshot): boolean {
    const key = (s: DriverState) => JSON.stringify([...s.unusable]);
    const { layer2, vip, bgp } = this.o.drivers;
    return key(layer2.state()) !== key(before.drivers.layer2) || key(vip.state()) !== key(before.drivers.vip)
      || key(bgp.state()) !== key(before.drivers.bgp);
  }

  /** At the next heartbeat deadline, renew our Lease: seeing that change proves we still watch,
   * so a node silent past its deadline is counted gone one round trip later, not at our next
   * periodic renewal (up to 0.25 s). Re-armed at every Lease event; fires only when a node is late. */
  private armDue(): void {
    clearTimeout(this.dueTimer);
    const due = this.o.source.nextDue();
    if (due === undefined || this.scheduler.halted || !this.o.lease.renewNow) return;
    this.dueTimer = setTimeout(() => this.o.lease.renewNow?.(), Math.max(0, due - this.clock()));
    this.dueTimer.unref();
  }

  /** Logs each node counted gone or back, so an operator (and a failed test) sees when and why
   * this node took over, or did not. Not at start-up: the first plan has nothing to compare. */
  private noteLive(live: ReadonlySet<string>, seen: Observation): void {
    const before = this.liveNodes;
    this.liveNodes = live;
    if (!before) return;
    if (seen.membership) { this.noteMembers(before, live); return; }
    const s: Sightings = seen.sightings;
    for (const n of before) {
      if (live.has(n)) continue;
      const x = s.nodes.get(n);
      this.o.log(x ? `${n} counted gone: its speaker Lease did not change for ${x.durationMs} ms while others did`
        : `${n} counted gone: its speaker Lease was released or deleted`);
    }
    for (const n of live) if (!before.has(n)) this.o.log(`${n} counted live: its speaker Lease changes`);
  }

  /** The same with gossip: why is membershipLink.ts's log (its rule changes). */
  private noteMembers(before: ReadonlySet<string>, live: ReadonlySet<string>): void {
    for (const n of before) if (!live.has(n)) this.o.log(`${n} counted gone (membership)`);
    for (const n of live) if (!before.has(n)) this.o.log(`${n} counted live (membership)`);
  }

  /** Logs when the plan starts and stops holding still for want of heartbeats (apiPolicy.ts);
   * not at start-up, before any Lease was seen. */
  private noteApi(plan: SpeakerPlan): void {
    if (plan.api.reachable) {
      if (this.silence) this.o.log('speaker Leases change again: judging liveness again');
      this.silence = false;
      this.watched = true;
    } else if (this.watched && !this.silence) {
      this.silence = true;
      this.o.log('no speaker Lease changed for a Lease duration (API server unreachable?): keeping the last plan, counting no node gone until they change again');
    }
  }

  /** Heartbeats came back after a silence since the last plan (not at the first plan). */
  private resumed(s: Sightings): boolean {
    const before = this.resumedAt;
    this.resumedAt = s.resumedAt;
    return before !== undefined && before !== s.resumedAt;
  }

  private logAll(lines: readonly string[]): void {
    for (const l of lines) this.o.log(l);
  }

  /** Problems persist from plan to plan: each is logged the first time only. */
  private logOnce(problem: string): void {
    if (this.logged.has(problem)) return;
    this.logged.add(problem);
    this.o.log(problem);
  }
}
