// The controller's view of the allocation record: the newest object seen of each Eip (from the
// informer or from our own writes), the journal (journal.ts), and the allocation state parsed
// from the two together (status.used with the journal's entries on top).
//
// Changes of holders are committed to the journal (commit); each changed Eip's status is
// mirrored from the state a moment later (mirrorDelay, or as soon as the controller is idle:
// flush), then its journal entries are trimmed.
//
// Our own Eip status writes go through write(). The informer's echo of such a write needs no
// reconcile, but it often arrives before the write's response, so events seen meanwhile wait
// until the response: a write carries the resourceVersion it read, so when it succeeds nothing
// else was written between that version and ours. An event of a later version (or any event,
// when our write failed) is someone else's change and is reported through `changedByOthers`.
import type { KubeConfig } from '@kubernetes/client-node';
import { formatIp } from '../../../server/src/core/address/ip';
import { Allocations, poolStateFromEip, type EipObject, type PoolState } from '../allocator';
import { describeError, isConflict, isNotFound, resourceVersionOf as rv } from '../kube/client';
import { canonical, desiredEipStatus } from './eipStatus';
import { Journal, entryApplies, journalGenOf, trimmedEntry, withJournal } from './journal';
import type { KubeIo } from './kubeIo';

/** How long a committed change may wait before the Eip's status.used shows it. */
const MIRROR_AFTER_MS = 250;
/**
 * A mirror rewrites the whole status.used, so its cost grows with the addresses in use (1,000:
 * ~15 ms of API server time; 100,000: over a second). While an Eip keeps changing, the next
 * mirror waits at least this many times as long as the last one took, which keeps mirroring
 * under ~10% of the API server's time on a busy pool whatever its size.
 */
const MIRROR_COST_FACTOR = 10;
const MIRROR_MAX_DELAY_MS = 60_000;
/** Attempts of one mirror against concurrent writers before waiting for the next turn. */
const MIRROR_ATTEMPTS = 5;

/** A batch's change of one Eip: its new state and the addresses whose holders changed. */
export interface EipChange { state: PoolState; touched: Set<bigint> | bigint[] }

export class EipRecord {
  allocs = new Allocations();
  readonly journal: Journal;
  private readonly objects = new Map<string, EipObject>();
  /** Eips with a status write of ours in flight → informer events that arrived meanwhile. */
  private readonly writing = new Map<string, EipObject[]>();
  /** Eips whose status.used is behind the state, and their mirror timer. */
  private readonly dirty = new Map<string, NodeJS.Timeout | undefined>();
  private readonly mirroring = new Map<string, Promise<void>>();
  /** How long the last status write of each Eip took (ms). */
  private readonly mirrorTook = new Map<string, number>();
  /** Deleted Eips whose journal entries the next journal write drops. */
  private readonly deleted = new Set<string>();
  /** Only the leader mirrors. */
  active = false;

  constructor(
    kc: KubeConfig,
    namespace: string,
    private readonly io: KubeIo,
    private readonly changedByOthers: (name: string) => void,
    private readonly log: (msg: string) => void,
  ) {
    this.journal = new Journal(kc, namespace);
  }

  object(name: string): EipObject | undefined {
    return this.objects.get(name);
  }

  names(): string[] {
    return [...this.objects.keys()];
  }

  /** Re-reads the journal and rebuilds the allocation state (on gaining leadership, after a conflict). */
  async reload(): Promise<void> {
    await this.journal.load();
    this.allocs = new Allocations();
    for (const e of this.objects.values()) this.allocs.setPool(this.stateOf(e));
    // Entries not yet mirrored (a previous leader stopped first) are mirrored now.
    for (const name of this.journal.entries.keys()) if (this.objects.has(name)) this.markDirty(name);
  }

  private stateOf(e: EipObject): PoolState {
    return poolStateFromEip(withJournal(e, this.journal.entries.get(e.metadata?.name ?? '')));
  }

  /**
   * Takes in an Eip object if it is newer than the one we know; returns whether it was.
   * `state`, when given, is the pool state the object was written from (saves parsing it).
   */
  observe(e: EipObject, state?: PoolState): boolean {
    const name = e.metadata?.name ?? '';
    const known = this.objects.get(name);
    if (known && rv(known) >= rv(e)) return false;
    this.objects.set(name, e);
    this.deleted.delete(name);
    if (!state || state !== this.allocs.pools.get(name)) this.allocs.setPool(state ?? this.stateOf(e));
    return true;
  }

  /** An informer add/update event. */
  onEvent(e: EipObject): void {
    const name = e.metadata?.name ?? '';
    const during = this.writing.get(name);
    if (during) during.push(e);
    else if (this.observe(e)) this.changedByOthers(name);
  }

  /** Forgets a deleted Eip; returns the keys of the Services it recorded. */
  forget(name: string): string[] {
    const held = this.allocs.pools.get(name);
    const keys = held ? [...held.holders.values()].flat() : [];
    this.objects.delete(name);
    this.mirrorTook.delete(name);
    this.allocs.removePool(name);
    clearTimeout(this.dirty.get(name));
    this.dirty.delete(name);
    this.deleted.add(name);
    return keys;
  }

  /**
   * The commit: one resourceVersion-checked journal write carrying every change (each state a
   * draft of its pool, Allocations.draft). On success the state is the new one. Otherwise the
   * drafts are put back, and on a conflict (another writer) the record is read again before
   * the error goes to the caller, who plans again. An empty change writes nothing.
   */
  async commit(changes: Map<string, EipChange>): Promise<void> {
    // What the plan started from: if the state was replaced (someone else changed the Eip) or
    // the journal was read again meanwhile, the planned state may miss that, and the state is
    // parsed from the record instead.
    const basis = new Map([...changes.keys()].map((n) => [n, this.allocs.pools.get(n)]));
    const epoch = this.journal.epoch;
    const allocs = this.allocs;
    if (![...changes.values()].some((c) => [...c.touched].length)) return;
    const dropped = [...this.deleted];
    await this.journal.write((entries) => {
      for (const name of dropped) entries.delete(name);
      for (const [name, { state, touched }] of changes) {
        const obj = this.objects.get(name);
        if (!obj || !state.pool) continue;
        const old = entries.get(name);
        const entry = old && entryApplies(old, obj)
          ? { uid: old.uid, gen: old.gen, set: { ...old.set } }
          : { uid: obj.metadata?.uid, gen: journalGenOf(obj), set: {} };
        for (const ip of touched) entry.set[formatIp(state.pool.family, ip)] = (state.holders.get(ip) ?? []).join(';');
        entries.set(name, entry);
      }
      return true;
    }).catch(async (e: unknown) => {
      // Not committed: the planner's drafts go back level with the state.
      for (const { state, touched } of changes.values()) allocs.discardDraft(state, touched);
      if (isConflict(e) || isNotFound(e)) await this.reload();
      throw e;
    });
    for (const name of dropped) if (!this.objects.has(name)) this.deleted.delete(name);
    for (const [name, { state, touched }] of changes) {
      const obj = this.objects.get(name);
      if (!obj) { allocs.discardDraft(state, touched); continue; }
      if (this.allocs.pools.get(name) === basis.get(name) && epoch === this.journal.epoch) this.allocs.updatePool(state, touched);
      else this.allocs.setPool(this.stateOf(obj));
      this.markDirty(name);
    }
  }

  // ---- Mirroring the record into status.used ----

  private markDirty(name: string): void {
    if (this.dirty.has(name)) return;
    this.dirty.set(name, undefined);
    if (!this.active) return;
    const t = setTimeout(() => void this.mirror(name), this.mirrorDelay(name));
    t.unref();
    this.dirty.set(name, t);
  }

  /** How long a committed change of the Eip may wait for its mirror. */
  mirrorDelay(name: string): number {
    return Math.min(MIRROR_MAX_DELAY_MS, Math.max(MIRROR_AFTER_MS, MIRROR_COST_FACTOR * (this.mirrorTook.get(name) ?? 0)));
  }

  /** Starts mirroring (on gaining leadership) every Eip already known to be behind. */
  activate(): void {
    this.active = true;
    for (const name of [...this.dirty.keys()]) { this.dirty.delete(name); this.markDirty(name); }
  }

  deactivate(): void {
    this.active = false;
    for (const t of this.dirty.values()) clearTimeout(t);
  }

  /** True while some Eip's status.used is behind or being written. */
  get behind(): boolean {
    return this.dirty.size > 0 || this.mirroring.size > 0;
  }

  /** Mirrors every Eip that is behind now (the controller went idle, or is stopping). */
  async flush(): Promise<void> {
    await Promise.all([...this.dirty.keys()].map((name) => this.mirror(name)));
    await Promise.all(this.mirroring.values());
  }

  /**
   * Writes the Eip's status as the state says (status.used, usage, conditions, ...), when it
   * differs or journal entries wait, then trims the journal. Also used when the Eip's spec
   * changed (poolSize, the Valid condition). Errors are logged and the Eip stays behind.
   */
  mirror(name: string): Promise<void> {
    const running = this.mirroring.get(name);
    if (running) return running.then(() => (this.dirty.has(name) ? this.mirror(name) : undefined));
    clearTimeout(this.dirty.get(name));
    this.dirty.delete(name);
    const run = this.mirrorNow(name).catch((e: unknown) => {
      if (isNotFound(e)) { this.forget(name); return; }
      this.log(`could not write the status of Eip ${name}: ${describeError(e)}; trying again`);
      this.markDirty(name);
    }).finally(() => this.mirroring.delete(name));
    this.mirroring.set(name, run);
    return run;
  }

  private async mirrorNow(name: string): Promise<void> {
    if (!this.active) { this.dirty.set(name, undefined); return; }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.mirrorOnce(name);
        return;
      } catch (e) {
        if (!isConflict(e) || attempt >= MIRROR_ATTEMPTS) throw e;
        // Someone else wrote the Eip or the journal: read both again.
        await this.refresh(name);
        await this.reload();
      }
    }
  }

  private async mirrorOnce(name: string): Promise<void> {
    let obj = this.objects.get(name);
    if (!obj) return;
    let entry = this.journal.entries.get(name);
    if (entry && entryApplies(entry, obj) && entry.gen === journalGenOf(obj) - 1) {
      await this.trim(name, obj); // an earlier mirror landed but its trim did not
      entry = this.journal.entries.get(name);
    }
    if (entry && !entryApplies(entry, obj)) {
      await this.journal.write((es) => es.delete(name)); // another incarnation's, or stale
      entry = undefined;
    }
    const state = this.allocs.pools.get(name);
    if (!state) return;
    const gen = journalGenOf(obj) + (entry ? 1 : 0);
    const status = { ...desiredEipStatus(obj, state, this.allocs.refusal(name)), journalGen: gen };
    if (!entry && canonical(status) === canonical({ journalGen: 0, ...obj.status })) return;
    const base = obj;
    // The write succeeded against `base`, so nobody changed the Eip meanwhile, and the record
    // (status.used + journal) is what it was: the state as it is when the answer comes (with
    // the commits made meanwhile) stays.
    obj = await this.write(name, async () => {
      const t0 = performance.now();
      const written = await this.io.replaceEipStatus({ ...base, status });
      this.mirrorTook.set(name, performance.now() - t0);
      return { obj: written, state: this.allocs.pools.get(name) };
    });
    if (obj && entry) await this.trim(name, obj);
  }

  /** Drops the journal entries the Eip's status.used now shows (it took in mirror gen). */
  private async trim(name: string, obj: EipObject): Promise<void> {
    const used = obj.status?.used ?? {};
    await this.journal.write((es) => {
      const e = es.get(name);
      if (!e || !entryApplies(e, obj) || e.gen !== journalGenOf(obj) - 1) return false;
      const next = trimmedEntry(e, used);
      if (next) es.set(name, next);
      else es.delete(name);
      return true;
    });
  }

  /** Runs one of our status writes (see the header); returns the object written. */
  async write(name: string, write: () => Promise<{ obj?: EipObject; state?: PoolState }>): Promise<EipObject | undefined> {
    const seen: EipObject[] = [];
    this.writing.set(name, seen);
    let written: EipObject | undefined;
    try {
      const r = await write();
      written = r.obj;
      if (written) this.observe(written, r.state);
      return written;
    } finally {
      this.writing.delete(name);
      // Only versions after ours are someone else's: the write succeeded against the version it
      // read, so every older one (typically the late echo of our previous write) is already in it.
      // When the write failed, every event counts.
      const ours = written ? rv(written) : -1n;
      const others = seen.filter((e) => rv(e) > ours);
      for (const e of others) this.observe(e);
      if (others.length) this.changedByOthers(name);
    }
  }

  /** Re-reads an Eip (after a conflict), or forgets it when it is gone. */
  async refresh(name: string): Promise<void> {
    try {
      this.observe(await this.io.getEip(name));
    } catch (e) {
      if (!isNotFound(e)) throw e;
      this.forget(name);
    }
  }
}
