// The committed allocation state: every Eip's pool state plus an index from Service key to the
// address(es) it holds. The Eips' status.used maps (with the journal on top) are the record;
// this is their in-memory mirror. A batch plans on a BatchOverlay (overlay.ts) and changes
// nothing here until it is applied.
import { overlapRefusals, type Refusal } from './overlap';
import { BatchOverlay } from './overlay';
import { setHolders, type PoolState, type PoolView } from './poolState';

export interface Allocation {
  eip: string;
  ip: bigint;
}

/** What the planner reads: the committed state, or a batch's overlay of it. */
export interface AllocationView {
  readonly pools: ReadonlyMap<string, PoolView>;
  allocationOf(key: string): Allocation | undefined;
  allocationsOf(key: string): Allocation[];
  refusal(name: string): Refusal | undefined;
}

export class Allocations implements AllocationView {
  private readonly states = new Map<string, PoolState>();
  /** Normally one entry per Service; two only while a move between Eips is being written. */
  private readonly byService = new Map<string, Allocation[]>();
  /**
   * Per pool, a number that changes whenever its state does: a batch applies incrementally only
   * to the state it was planned on (see apply). Never reused, even across a pool's removal.
   */
  private readonly revisions = new Map<string, number>();
  private nextRevision = 1;
  /** Eips refused for overlapping an older one (overlap.ts); recomputed when a pool is replaced. */
  private refused?: Map<string, Refusal>;

  get pools(): ReadonlyMap<string, PoolState> {
    return this.states;
  }

  /** A new batch planned on this state. */
  overlay(): BatchOverlay {
    return new BatchOverlay(this);
  }

  revision(name: string): number {
    return this.revisions.get(name) ?? 0;
  }

  /** Why the Eip is refused for overlapping an older Eip, or undefined. */
  refusal(name: string): Refusal | undefined {
    return this.refusals().get(name);
  }

  /** Every overlap refusal, by Eip name. */
  refusals(): ReadonlyMap<string, Refusal> {
    return (this.refused ??= overlapRefusals([...this.states.values()]));
  }

  /** Adds or replaces an Eip's state (with its holders) and re-indexes its Services. */
  setPool(state: PoolState): void {
    this.removePool(state.name);
    this.states.set(state.name, state);
    this.revisions.set(state.name, this.nextRevision++);
    this.refused = undefined;
    for (const [ip, keys] of state.holders) for (const key of keys) this.index(key, { eip: state.name, ip });
  }

  removePool(name: string): void {
    const old = this.states.get(name);
    if (!old) return;
    this.states.delete(name);
    this.revisions.delete(name);
    this.refused = undefined;
    for (const [ip, keys] of old.holders) for (const key of keys) this.unindex(key, name, ip);
  }

  /** Forgets every pool (the record is read again). */
  clear(): void {
    for (const name of [...this.states.keys()]) this.removePool(name);
  }

  /**
   * Applies a batch's changes of one Eip (ip → holders now): only those addresses are
   * re-indexed, not the whole pool.
   */
  applyPool(name: string, changes: ReadonlyMap<bigint, readonly string[]>): void {
    const s = this.states.get(name);
    if (!s) return;
    for (const [ip, keys] of changes) {
      for (const key of s.holders.get(ip) ?? []) this.unindex(key, name, ip);
      setHolders(s, ip, keys);
      for (const key of keys) this.index(key, { eip: name, ip });
    }
    this.revisions.set(name, this.nextRevision++);
  }

  /** Applies every change of a batch planned on this state. */
  apply(batch: BatchOverlay): void {
    for (const [name, changes] of batch.changes()) this.applyPool(name, changes);
  }

  /** The address a Service holds (the first one, should a record list it twice). */
  allocationOf(key: string): Allocation | undefined {
    return this.byService.get(key)?.[0];
  }

  /** Every place a Service is recorded. */
  allocationsOf(key: string): Allocation[] {
    return [...(this.byService.get(key) ?? [])];
  }

  /** Keys ("namespace/name") of the Services holding an address. */
  serviceKeys(): string[] {
    return [...this.byService.keys()];
  }

  /** Records that the Service holds `ip` of `eip`, and nothing else (one Service's batch). */
  assign(eip: string, ip: bigint, key: string): void {
    if (!this.states.has(eip)) throw new Error(`unknown Eip ${eip}`);
    const batch = this.overlay();
    for (const a of this.allocationsOf(key)) batch.unholdAll(a.eip, key);
    batch.hold(eip, ip, key);
    this.apply(batch);
  }

  /** Frees whatever the Service holds, in every pool. */
  release(key: string): Allocation | undefined {
    const first = this.allocationOf(key);
    const batch = this.overlay();
    for (const a of this.allocationsOf(key)) batch.unholdAll(a.eip, key);
    this.apply(batch);
    return first;
  }

  private index(key: string, a: Allocation): void {
    const list = this.byService.get(key);
    if (list) list.push(a);
    else this.byService.set(key, [a]);
  }

  private unindex(key: string, eip: string, ip: bigint): void {
    const list = this.byService.get(key)?.filter((a) => a.eip !== eip || a.ip !== ip);
    if (list?.length) this.byService.set(key, list);
    else this.byService.delete(key);
  }
}
