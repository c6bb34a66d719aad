// The controller's view of the allocation record: the newest object of each Eip (from the
// informer or from our own requests), the journal (journal.ts), and the allocation state
// parsed from the two together (status.used with the journal's entries on top).
//
// Changes of holders are committed to the journal (commit); each changed Eip's status is
// mirrored from the state a moment later (eipMirror.ts), then its journal entries are trimmed.
//
// Our own Eip requests go through request(): their answer is held ahead of the watch, so the
// watch's echo of our writes needs no reconcile, while others' changes are reported through
// `changed` (echoes.ts tells which is which, by resourceVersion equality).
import { formatIp } from '@openelb/core/address/ip';
import { Allocations, poolStateFromEip, type BatchOverlay, type EipObject, type PoolState } from '../allocator';
import { isNotFound } from '../kube/client';
import { WatchEchoes, type Seen } from './echoes';
import { EipMirror } from './eipMirror';
import type { ControllerIo } from './io';
import { Journal, copyBehind, copyIsBehind, entryApplies, journalGenOf, withJournal } from './journal';

export interface RecordEvents {
  /** Someone else changed the Eip. */
  changed(name: string): void;
  /** The Eip was deleted; `holders` are the Services it recorded. */
  deleted(name: string, holders: string[]): void;
}

const versionOf = (e: EipObject | undefined): string | undefined => e?.metadata?.resourceVersion;

export class EipRecord {
  readonly allocs = new Allocations();
  readonly journal: Journal;
  readonly mirror: EipMirror;
  private readonly objects = new Map<string, EipObject>();
  private readonly echoes = new WatchEchoes<EipObject>();
  /** Deleted Eips whose journal entries the next journal write drops. */
  private readonly deleted = new Set<string>();
  /** A commit failed and may still have landed (its answer lost): read the record before planning. */
  private unsure = false;

  constructor(readonly io: ControllerIo, namespace: string, private readonly on: RecordEvents, log: (msg: string) => void) {
    this.journal = new Journal(io, namespace);
    this.mirror = new EipMirror(this, log);
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
    // Copies older than the journal (another controller mirrored and trimmed) are read again.
    for (const name of [...this.objects.keys()]) {
      if (!this.behind(name)) continue;
      await this.refresh(name);
      // Read after the journal and still behind it: the Eip's status was reset (wiped by
      // someone), so what the journal says of it is void; the next journal write drops it.
      if (this.behind(name)) this.journal.forget(name);
    }
    this.allocs.clear();
    for (const e of this.objects.values()) this.allocs.setPool(this.stateOf(e));
    // Entries not yet mirrored (a previous leader stopped first) are mirrored now.
    for (const name of this.journal.entries.keys()) if (this.objects.has(name)) this.mirror.markDirty(name);
    this.unsure = false;
  }

  /** Reads the record again if a failed commit may have changed it. */
  async ensureCurrent(): Promise<void> {
    if (this.unsure) await this.reload();
  }

  private behind(name: string): boolean {
    const e = this.objects.get(name);
    return !!e && copyIsBehind(e, this.journal.entries.get(name), this.journal.marks.get(name));
  }

  stateOf(e: EipObject): PoolState {
    return poolStateFromEip(withJournal(e, this.journal.entries.get(e.metadata?.name ?? '')));
  }

  /** Takes in the informer's objects (on gaining leadership), except those we hold newer copies of. */
  seed(list: readonly EipObject[]): void {
    for (const e of list) {
      const name = e.metadata?.name ?? '';
      if (!this.echoes.copy(name) && versionOf(this.objects.get(name)) !== versionOf(e)) this.adopt(e);
    }
  }

  /** An informer add/update event, or (deleted) a delete event. */
  onEvent(e: EipObject, deleted = false): void {
    const name = e.metadata?.name ?? '';
    this.take(name, e, deleted, this.echoes.event(name, e, deleted));
  }

  /** The watch started over from a fresh list: every event from now on is current. */
  onRelist(): void {
    this.echoes.relist();
  }

  private take(name: string, e: EipObject, deleted: boolean, seen: Seen): void {
    if (seen !== 'news') return; // held for a request's answer, our own echo, or older than our copy
    if (deleted) {
      this.gone(name);
      return;
    }
    if (versionOf(this.objects.get(name)) === versionOf(e)) return;
    this.adopt(e);
    this.on.changed(name);
  }

  /** Makes `e` the Eip's object; its pool state is parsed again unless `sameRecord` says it is unchanged. */
  private adopt(e: EipObject, sameRecord = false): void {
    const name = e.metadata?.name ?? '';
    this.objects.set(name, e);
    this.deleted.delete(name);
    if (!sameRecord || !this.allocs.pools.has(name)) this.allocs.setPool(this.stateOf(e));
  }

  /** The Eip no longer exists: forgets it and tells the controller. */
  gone(name: string): void {
    if (this.objects.has(name)) this.on.deleted(name, this.forget(name));
  }

  /** Forgets a deleted Eip; returns the keys of the Services it recorded. */
  private forget(name: string): string[] {
    const held = this.allocs.pools.get(name);
    const keys = held ? [...held.holders.values()].flat() : [];
    this.objects.delete(name);
    this.echoes.forget(name);
    this.allocs.removePool(name);
    this.mirror.forget(name);
    this.deleted.add(name);
    return keys;
  }

  /**
   * One of our requests about an Eip. `answer` turns its result into the object now stored
   * (undefined: nothing new) and whether the record (status.used and journal) stays as the
   * state has it; that object is held ahead of the watch.
   */
  async request<R>(name: string, send: () => Promise<R>, answer: (r: R) => { obj?: EipObject; sameRecord?: boolean }): Promise<R> {
    return this.echoes.around(name, send, (r) => {
      const { obj, sameRecord } = answer(r);
      if (!obj || !this.objects.has(name)) return undefined; // forgotten meanwhile: not brought back
      this.adopt(obj, sameRecord);
      return obj;
    }, (events) => {
      for (const ev of events) this.take(name, ev.obj, ev.deleted, ev.seen);
    });
  }

  /** Re-reads an Eip (after a conflict), or forgets it when it is gone. */
  async refresh(name: string): Promise<void> {
    try {
      let news = false;
      await this.request(name, () => this.io.getEip(name), (e) => {
        news = versionOf(e) !== versionOf(this.objects.get(name));
        return news ? { obj: e } : {};
      });
      if (news) this.on.changed(name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      this.gone(name);
    }
  }

  /**
   * The commit: one journal write carrying every change of the batch, refused if the record
   * changed since the batch was planned on it (`basis`, Journal.version). On success the
   * committed state takes the batch in; on any failure the record is read again before the
   * error goes to the caller, who plans again. A batch that changes nothing writes nothing.
   */
  async commit(batch: BatchOverlay, basis: number): Promise<void> {
    const pools = batch.changedPools();
    const changes = [...batch.changes()].filter(([name, c]) => c.size && pools.get(name)?.pool);
    if (!changes.length) return;
    const dropped = [...this.deleted];
    try {
      await this.journal.write((entries, marks) => {
        for (const name of dropped) { entries.delete(name); marks.delete(name); }
        for (const [name, change] of changes) {
          const obj = this.objects.get(name);
          if (!obj) continue;
          const old = entries.get(name);
          if (copyIsBehind(obj, old, marks.get(name))) throw copyBehind(name);
          const entry = old && entryApplies(old, obj)
            ? { uid: old.uid, gen: old.gen, set: { ...old.set } }
            : { uid: obj.metadata?.uid, gen: journalGenOf(obj), set: {} };
          const family = pools.get(name)!.pool!.family;
          for (const [ip, holders] of change) entry.set[formatIp(family, ip)] = holders.join(';');
          entries.set(name, entry);
        }
        return true;
      }, basis);
    } catch (e) {
      // Refused (a conflict: someone else wrote first), or failed without an answer (it may
      // have landed): either way the record is read again, now or before the next plan.
      this.unsure = true;
      const behind = (e as { behind?: string }).behind;
      if (behind) await this.refresh(behind).catch(() => undefined);
      await this.reload().catch(() => undefined);
      throw e;
    }
    for (const name of dropped) if (!this.objects.has(name)) this.deleted.delete(name);
    for (const [name, change] of changes) {
      const obj = this.objects.get(name);
      if (!obj) continue;
      // Incrementally only onto the very state the batch was planned on; if the Eip changed
      // meanwhile, its state is parsed from the record, which now has the batch.
      if (this.allocs.revision(name) === batch.revisionOf(name)) this.allocs.applyPool(name, change);
      else this.allocs.setPool(this.stateOf(obj));
      this.mirror.markDirty(name);
    }
  }
}
