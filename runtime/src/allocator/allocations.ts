// Every Eip's pool state plus an index from Service key to the address(es) it holds.
// The Eips' status.used maps are the record; this is their in-memory mirror.
import { overlapRefusals, type Refusal } from './overlap';
import { clonePoolState, copyHolders, hold, unhold, type PoolState } from './poolState';

export interface Allocation {
  eip: string;
  ip: bigint;
}

export class Allocations {
  readonly pools = new Map<string, PoolState>();
  /** Normally one entry per Service; two only while a move between Eips is being written. */
  private byService = new Map<string, Allocation[]>();
  /**
   * Per pool, a private twin of its state that the batch planner changes in place (draft), so
   * that a batch costs what it changes, not a copy of the whole pool. Committed, the twin
   * becomes the state and the old state, brought level, the next twin (updatePool); not
   * committed, it is put back (discardDraft). A pool replaced wholesale loses its twin.
   */
  private readonly twins = new Map<string, PoolState>();
  /** Eips refused for overlapping an older one (overlap.ts); recomputed when a pool is replaced. */
  private refused?: Map<string, Refusal>;
  /** The Allocations whose pools a planning copy reads (its own pool map holds drafts only). */
  private base?: Allocations;

  private index(key: string, a: Allocation): void {
    const list = this.byService.get(key);
    if (list) list.push(a);
    else this.byService.set(key, [a]);
  }

  private unindex(key: string, eip: string): void {
    const list = this.byService.get(key)?.filter((a) => a.eip !== eip);
    if (list?.length) this.byService.set(key, list);
    else this.byService.delete(key);
  }

  /**
   * A cheap copy for the batch planner: its own map of pools, but the pool states and the
   * Service index are this one's. The planner puts a pool's draft (draft()) in it before
   * changing that pool, and must not change the index.
   */
  planningCopy(): Allocations {
    const c = new Allocations();
    for (const [name, s] of this.pools) c.pools.set(name, s);
    c.byService = this.byService;
    c.base = this;
    return c;
  }

  /** Why the Eip is refused for overlapping an older Eip, or undefined. */
  refusal(name: string): Refusal | undefined {
    return this.refusals().get(name);
  }

  /** Every overlap refusal, by Eip name. */
  refusals(): ReadonlyMap<string, Refusal> {
    if (this.base) return this.base.refusals();
    return (this.refused ??= overlapRefusals([...this.pools.values()]));
  }

  /** The planner's working copy of a pool (see `twins`), equal to its state; undefined for an unknown pool. */
  draft(name: string): PoolState | undefined {
    const s = this.pools.get(name);
    if (!s) return undefined;
    let t = this.twins.get(name);
    if (!t) this.twins.set(name, (t = clonePoolState(s)));
    return t;
  }

  /** Puts a draft that will not be committed back level with the pool's state. */
  discardDraft(draft: PoolState, touched: Iterable<bigint>): void {
    const s = this.pools.get(draft.name);
    if (s && this.twins.get(draft.name) === draft) copyHolders(s, draft, touched);
  }

  /** Adds or replaces an Eip's state (with its holders) and re-indexes its Services. */
  setPool(state: PoolState): void {
    this.removePool(state.name);
    this.pools.set(state.name, state);
    this.refused = undefined;
    for (const [ip, keys] of state.holders) for (const key of keys) this.index(key, { eip: state.name, ip });
  }

  /**
   * Replaces an Eip's state by one that differs only in the holders of `touched` (a committed
   * batch): re-indexes those addresses alone, not the whole pool.
   */
  updatePool(state: PoolState, touched: Iterable<bigint>): void {
    const old = this.pools.get(state.name);
    if (!old) { this.setPool(state); return; }
    this.pools.set(state.name, state);
    for (const ip of touched) {
      for (const key of old.holders.get(ip) ?? []) {
        const list = this.byService.get(key)?.filter((a) => a.eip !== state.name || a.ip !== ip);
        if (list?.length) this.byService.set(key, list);
        else this.byService.delete(key);
      }
      for (const key of state.holders.get(ip) ?? []) this.index(key, { eip: state.name, ip });
    }
    const twin = this.twins.get(state.name);
    if (twin === state) {
      copyHolders(state, old, touched);
      this.twins.set(state.name, old);
    } else if (twin) {
      copyHolders(state, twin, touched);
    }
  }

  removePool(name: string): void {
    const old = this.pools.get(name);
    if (!old) return;
    this.pools.delete(name);
    this.refused = undefined;
    this.twins.delete(name);
    for (const keys of old.holders.values()) for (const key of keys) this.unindex(key, name);
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

  /** Records that the Service holds `ip` of `eip`, and nothing else. */
  assign(eip: string, ip: bigint, key: string): void {
    const s = this.pools.get(eip);
    if (!s) throw new Error(`unknown Eip ${eip}`);
    this.release(key);
    this.twins.delete(eip);
    hold(s, ip, key);
    this.index(key, { eip, ip });
  }

  /** Frees whatever the Service holds, in every pool. */
  release(key: string): Allocation | undefined {
    const first = this.allocationOf(key);
    this.byService.delete(key);
    this.twins.clear();
    for (const s of this.pools.values()) unhold(s, key);
    return first;
  }
}
