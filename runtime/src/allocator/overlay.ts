// A batch's changes on top of the committed allocation state, which it never modifies.
//
// The planner holds and frees addresses in a BatchOverlay; the controller commits the batch (one
// journal write) and then applies it to the committed state (Allocations.apply), or drops it.
// Only what the batch changes is kept here (per pool: the addresses whose holders changed; per
// Service: where it is now), so a batch costs what it changes, not a copy of every address in
// use, and no two batches ever share anything mutable.
import type { Allocation, AllocationView, Allocations } from './allocations';
import type { Refusal } from './overlap';
import type { HoldersView, PoolState, PoolView, UsedView } from './poolState';
import { UsedSet } from './usedSet';

/** A committed UsedSet with a batch's additions and removals on top. */
class OverlayUsed implements UsedView {
  /** In use now, free in the base. */
  readonly added = new UsedSet();
  /** Free now, in use in the base. */
  readonly removed = new UsedSet();

  constructor(private readonly base: UsedSet) {}

  get size(): number {
    return this.base.size + this.added.size - this.removed.size;
  }

  has(ip: bigint): boolean {
    return this.added.has(ip) || (this.base.has(ip) && !this.removed.has(ip));
  }

  lowestFree(first: bigint, last: bigint): bigint | undefined {
    // The lowest address free in the base and not added; both sets skip whole runs at a time.
    let free: bigint | undefined;
    for (let from = first; ;) {
      const c = this.base.lowestFree(from, last);
      if (c === undefined) break;
      const a = this.added.lowestFree(c, last);
      if (a === c) { free = c; break; }
      if (a === undefined) break;
      from = a;
    }
    // An address the batch freed may come before it.
    const freed = this.removed.ceiling(first);
    return freed !== undefined && freed <= last && (free === undefined || freed < free) ? freed : free;
  }

  *[Symbol.iterator](): IterableIterator<bigint> {
    const all = [...this.base].filter((ip) => !this.removed.has(ip)).concat([...this.added]);
    yield* all.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

/** One pool with a batch's changes: reads see them, the committed state stays as it is. */
class PoolOverlay {
  readonly view: PoolView;
  /** Address → its holders after the batch ([] when the batch freed it). */
  readonly changes = new Map<bigint, string[]>();
  private readonly used: OverlayUsed;

  constructor(readonly base: PoolState, readonly revision: number) {
    this.used = new OverlayUsed(base.used);
    const holders: HoldersView = {
      get: (ip) => this.holdersOf(ip),
      [Symbol.iterator]: () => this.allHolders(),
    };
    this.view = { ...base, used: this.used, holders };
  }

  holdersOf(ip: bigint): readonly string[] | undefined {
    const changed = this.changes.get(ip);
    if (changed === undefined) return this.base.holders.get(ip);
    return changed.length ? changed : undefined;
  }

  private *allHolders(): IterableIterator<[bigint, readonly string[]]> {
    for (const [ip, keys] of this.base.holders) if (!this.changes.has(ip)) yield [ip, keys];
    for (const [ip, keys] of this.changes) if (keys.length) yield [ip, keys];
  }

  /** Makes exactly `keys` hold `ip`, keeping the used-address overlay level. */
  set(ip: bigint, keys: string[]): void {
    const inBase = this.base.used.has(ip);
    this.changes.set(ip, keys);
    if (keys.length) {
      if (inBase) this.used.removed.delete(ip);
      else this.used.added.add(ip);
    } else if (inBase) {
      this.used.removed.add(ip);
    } else {
      this.used.added.delete(ip);
    }
  }
}

export class BatchOverlay implements AllocationView {
  /** Every pool: the committed one, or its overlay once the batch changes it. */
  readonly pools: Map<string, PoolView>;
  private readonly changed = new Map<string, PoolOverlay>();
  /** Services whose places the batch changed → where they are now. */
  private readonly places = new Map<string, Allocation[]>();

  constructor(private readonly base: Allocations) {
    this.pools = new Map(base.pools);
  }

  refusal(name: string): Refusal | undefined {
    return this.base.refusal(name);
  }

  allocationOf(key: string): Allocation | undefined {
    return this.allocationsOf(key)[0];
  }

  allocationsOf(key: string): Allocation[] {
    return [...(this.places.get(key) ?? this.base.allocationsOf(key))];
  }

  /** Adds the Service to the holders of `ip` in `eip`; false for an unknown pool. */
  hold(eip: string, ip: bigint, key: string): boolean {
    const p = this.overlayOf(eip);
    if (!p) return false;
    const keys = p.holdersOf(ip) ?? [];
    if (keys.includes(key)) return true;
    p.set(ip, [...keys, key]);
    this.places.set(key, [...this.allocationsOf(key), { eip, ip }]);
    return true;
  }

  /** Drops the Service from the holders of the addresses `at` in `eip`; returns those it held. */
  unhold(eip: string, key: string, at: Iterable<bigint>): bigint[] {
    const p = this.overlayOf(eip);
    if (!p) return [];
    const out: bigint[] = [];
    for (const ip of at) {
      const keys = p.holdersOf(ip) ?? [];
      if (!keys.includes(key)) continue;
      p.set(ip, keys.filter((k) => k !== key));
      out.push(ip);
    }
    if (out.length) this.places.set(key, this.allocationsOf(key).filter((a) => a.eip !== eip || !out.includes(a.ip)));
    return out;
  }

  /** Drops the Service from every address it holds in `eip`. */
  unholdAll(eip: string, key: string): bigint[] {
    return this.unhold(eip, key, this.allocationsOf(key).filter((a) => a.eip === eip).map((a) => a.ip));
  }

  /** Per changed Eip: the addresses whose holders changed, with their holders now. */
  changes(): Map<string, ReadonlyMap<bigint, readonly string[]>> {
    return new Map([...this.changed].map(([name, p]) => [name, p.changes]));
  }

  /** The revision of the committed pool the batch's changes of `eip` were planned on. */
  revisionOf(eip: string): number | undefined {
    return this.changed.get(eip)?.revision;
  }

  /** Each changed pool as the batch leaves it. */
  changedPools(): Map<string, PoolView> {
    return new Map([...this.changed].map(([name, p]) => [name, p.view]));
  }

  private overlayOf(eip: string): PoolOverlay | undefined {
    let p = this.changed.get(eip);
    if (p) return p;
    const s = this.base.pools.get(eip);
    if (!s) return undefined;
    p = new PoolOverlay(s, this.base.revision(eip));
    this.changed.set(eip, p);
    this.pools.set(eip, p.view);
    return p;
  }
}
