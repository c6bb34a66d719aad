// The controller's mirror of the Eips: the newest object seen of each (from the informer or from
// our own writes) and the allocation state parsed from their status.used, which is the record
// of who holds which address.
//
// Our own status writes go through write(). The informer's echo of such a write needs no
// reconcile, but it often arrives before the write's response, so events seen meanwhile wait
// until the response: a write carries the resourceVersion it read, so when it succeeds nothing
// else was written between that version and ours. An event of a later version (or any event,
// when our write failed) is someone else's change and is reported through `changedByOthers`.
import { Allocations, poolStateFromEip, type EipObject, type PoolState } from '../allocator';
import { isNotFound, resourceVersionOf as rv } from '../kube/client';
import type { KubeIo } from './kubeIo';


export class EipRecord {
  allocs = new Allocations();
  private readonly objects = new Map<string, EipObject>();
  /** Eips with a status write of ours in flight → informer events that arrived meanwhile. */
  private readonly writing = new Map<string, EipObject[]>();

  constructor(private readonly io: KubeIo, private readonly changedByOthers: (name: string) => void) {}

  object(name: string): EipObject | undefined {
    return this.objects.get(name);
  }

  names(): string[] {
    return [...this.objects.keys()];
  }

  /** Rebuilds the allocation state from the objects (on gaining leadership). */
  rebuild(): void {
    this.allocs = new Allocations();
    for (const e of this.objects.values()) this.allocs.setPool(poolStateFromEip(e));
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
    this.allocs.setPool(state ?? poolStateFromEip(e));
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
    this.allocs.removePool(name);
    return keys;
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
      // Counting those too made each echo cost a needless reconcile of the whole Eip, in front of
      // the next batch. When the write failed, every event counts.
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
