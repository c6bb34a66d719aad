// Bringing each Eip's status.used up to date with the record ("mirroring"), then trimming the
// journal entries it took in (journal.ts has the rules). A committed change waits a moment
// (mirrorDelay), or until the controller is idle (flush), so a burst pays for few rewrites of
// the whole status.used.
import { describeError, isConflict, isNotFound } from '../kube/client';
import { canonical, desiredEipStatus } from './eipStatus';
import type { EipRecord } from './eipRecord';
import { copyBehind, copyIsBehind, entryApplies, journalGenOf, trimmedEntry } from './journal';
import type { EipObject } from '../allocator';

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

export class EipMirror {
  /** Eips whose status.used is behind the state, and their mirror timer. */
  private readonly dirty = new Map<string, NodeJS.Timeout | undefined>();
  private readonly mirroring = new Map<string, Promise<void>>();
  /** How long the last status write of each Eip took (ms). */
  private readonly took = new Map<string, number>();
  /** Only the leader mirrors. */
  private active = false;

  constructor(private readonly record: EipRecord, private readonly log: (msg: string) => void) {}

  markDirty(name: string): void {
    if (this.dirty.has(name)) return;
    this.dirty.set(name, undefined);
    if (!this.active) return;
    const t = setTimeout(() => void this.mirror(name), this.delay(name));
    t.unref();
    this.dirty.set(name, t);
  }

  /** How long a committed change of the Eip may wait for its mirror. */
  delay(name: string): number {
    return Math.min(MIRROR_MAX_DELAY_MS, Math.max(MIRROR_AFTER_MS, MIRROR_COST_FACTOR * (this.took.get(name) ?? 0)));
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

  forget(name: string): void {
    clearTimeout(this.dirty.get(name));
    this.dirty.delete(name);
    this.took.delete(name);
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
    const run = this.mirrorNow(name).catch(async (e: unknown) => {
      // The Eip or the journal is gone: reading both again tells which (refresh forgets a gone Eip).
      if (isNotFound(e)) await this.record.refresh(name).then(() => this.record.reload()).catch(() => undefined);
      if (!this.record.object(name)) return;
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
        await this.record.refresh(name);
        await this.record.reload();
      }
    }
  }

  private async mirrorOnce(name: string): Promise<void> {
    const { record } = this;
    let obj = record.object(name);
    if (!obj) return;
    let entry = record.journal.entries.get(name);
    // Mirroring an old copy would drop what another controller's mirror took in: read it again.
    if (copyIsBehind(obj, entry, record.journal.marks.get(name))) throw copyBehind(name);
    if (entry && entryApplies(entry, obj) && entry.gen === journalGenOf(obj) - 1) {
      await this.trim(name, obj); // an earlier mirror landed but its trim did not
      entry = record.journal.entries.get(name);
    }
    if (entry && !entryApplies(entry, obj)) {
      await record.journal.write((es) => es.delete(name)); // another incarnation's, or stale
      entry = undefined;
    }
    const state = record.allocs.pools.get(name);
    if (!state) return;
    const gen = journalGenOf(obj) + (entry ? 1 : 0);
    const status = { ...desiredEipStatus(obj, state, record.allocs.refusal(name)), journalGen: gen };
    if (!entry && canonical(status) === canonical({ journalGen: 0, ...obj.status })) return;
    const base = obj;
    // The write succeeded against `base`, so nobody changed the Eip meanwhile, and the record
    // (status.used + journal) is what it was: the state as it is when the answer comes (with
    // the commits made meanwhile) stays.
    const t0 = performance.now();
    obj = await record.request(name, () => record.io.replaceEipStatus({ ...base, status }), (written) => {
      this.took.set(name, performance.now() - t0);
      return { obj: written, sameRecord: true };
    });
    if (entry) await this.trim(name, obj);
  }

  /** Drops the journal entries the Eip's status.used now shows (it took in mirror gen). */
  private async trim(name: string, obj: EipObject): Promise<void> {
    const used = obj.status?.used ?? {};
    await this.record.journal.write((es, marks) => {
      const e = es.get(name);
      if (!e || !entryApplies(e, obj) || e.gen !== journalGenOf(obj) - 1) return false;
      const next = trimmedEntry(e, used);
      if (next) es.set(name, next);
      else es.delete(name);
      marks.set(name, { uid: obj.metadata?.uid, gen: journalGenOf(obj) });
      return true;
    });
  }
}
