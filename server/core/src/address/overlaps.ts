// Which pools share addresses, for thousands of Eips at once: the pools are sorted by start
// once (n log n); then how many pools overlap a given one costs O(log n) and listing k of them
// O((k + 1) log n). Nothing enumerates all overlapping pairs: 8,000 copies of one range are 32
// million pairs, which is what made the editor and `openelb lint` quadratic.
//
// Pools may be hidden and shown one by one (`show`): the controller adds Eips oldest first and
// asks, before adding each, which older ones it overlaps.
import type { Family } from './ip';
import type { Pool } from './pool';

/** Counts the bigint comparisons the index makes, for tests that check the work without a clock. */
export interface OverlapCounter {
  comparisons: number;
}

/** First position in `sorted` whose value is greater than `v` (orEqual: greater or equal). */
function bound(sorted: readonly bigint[], v: bigint, orEqual: boolean, counter?: OverlapCounter): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (counter) counter.comparisons++;
    if (orEqual ? sorted[mid] < v : sorted[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A Fenwick tree of 0/1 flags: how many shown among the first k positions. */
class Flags {
  private readonly tree: Int32Array;
  constructor(n: number) { this.tree = new Int32Array(n + 1); }
  set(pos: number): void { for (let i = pos + 1; i < this.tree.length; i += i & -i) this.tree[i]++; }
  countBelow(k: number): number {
    let s = 0;
    for (let i = k; i > 0; i -= i & -i) s += this.tree[i];
    return s;
  }
}

/** The pools of one family: by start (ties by index), the sorted ends, and a max-end segment tree. */
class FamilyIndex {
  /** Pool indexes in start order. */
  readonly ids: number[];
  readonly firsts: bigint[];
  private readonly lastsSorted: bigint[];
  private readonly posOf = new Map<number, number>();
  private readonly lastRankOf = new Map<number, number>();
  private readonly shownFirsts: Flags;
  private readonly shownLasts: Flags;
  /** Max end over each segment of start positions, -1 where nothing is shown. */
  private readonly maxLast: bigint[];
  private readonly size: number;

  constructor(private readonly pools: readonly (Pool | undefined)[], ids: number[], private readonly counter?: OverlapCounter) {
    const byStart = (a: number, b: number) => cmp(pools[a]!.first, pools[b]!.first) || a - b;
    const byEnd = (a: number, b: number) => cmp(pools[a]!.last, pools[b]!.last) || a - b;
    this.ids = [...ids].sort(byStart);
    this.firsts = this.ids.map((i) => pools[i]!.first);
    const lastOrder = [...ids].sort(byEnd);
    this.lastsSorted = lastOrder.map((i) => pools[i]!.last);
    this.ids.forEach((id, pos) => this.posOf.set(id, pos));
    lastOrder.forEach((id, rank) => this.lastRankOf.set(id, rank));
    this.shownFirsts = new Flags(ids.length);
    this.shownLasts = new Flags(ids.length);
    let size = 1;
    while (size < ids.length) size <<= 1;
    this.size = size;
    this.maxLast = new Array<bigint>(2 * size).fill(-1n);
  }

  show(id: number): void {
    const pos = this.posOf.get(id)!;
    if (this.maxLast[this.size + pos] >= 0n) return;
    this.shownFirsts.set(pos);
    this.shownLasts.set(this.lastRankOf.get(id)!);
    const last = this.pools[id]!.last;
    for (let n = this.size + pos; n >= 1; n >>= 1) {
      if (this.maxLast[n] >= last) break;
      this.maxLast[n] = last;
    }
  }

  /** Shown pools with first <= p.last, less those that end before p.first (all of which start before it too). */
  count(p: Pool): number {
    const startsInOrBefore = this.shownFirsts.countBelow(bound(this.firsts, p.last, false, this.counter));
    const endsBefore = this.shownLasts.countBelow(bound(this.lastsSorted, p.first, true, this.counter));
    return startsInOrBefore - endsBefore;
  }

  /** Shown pools overlapping p, leftmost start first, until `take` returns false. */
  each(p: Pool, take: (id: number) => boolean): void {
    const hi = bound(this.firsts, p.last, false, this.counter);
    const visit = (node: number, lo: number, width: number): boolean => {
      if (lo >= hi) return true;
      if (this.counter) this.counter.comparisons++;
      if (this.maxLast[node] < p.first) return true;
      if (width === 1) return take(this.ids[lo]);
      const half = width >> 1;
      return visit(2 * node, lo, half) && visit(2 * node + 1, lo + half, half);
    };
    visit(1, 0, this.size);
  }
}

const cmp = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/** Overlap questions over a fixed list of pools (undefined entries never overlap anything). */
export class OverlapIndex {
  private readonly families = new Map<Family, FamilyIndex>();

  /** All pools are shown unless `hidden` (then `show` them one by one). */
  constructor(private readonly pools: readonly (Pool | undefined)[], opts: { hidden?: boolean; counter?: OverlapCounter } = {}) {
    const byFamily = new Map<Family, number[]>();
    pools.forEach((p, i) => {
      if (!p) return;
      let l = byFamily.get(p.family);
      if (!l) byFamily.set(p.family, (l = []));
      l.push(i);
    });
    for (const [family, ids] of byFamily) this.families.set(family, new FamilyIndex(pools, ids, opts.counter));
    if (!opts.hidden) pools.forEach((p, i) => p && this.show(i));
  }

  show(i: number): void {
    const p = this.pools[i];
    if (p) this.families.get(p.family)!.show(i);
  }

  /** How many shown pools share an address with `p` (a shown pool counts itself). */
  count(p: Pool): number {
    return this.families.get(p.family)?.count(p) ?? 0;
  }

  /** Up to `limit` shown pools sharing an address with `p`, by start then index; `skip`ped ones do not count. */
  find(p: Pool, limit: number, skip?: (i: number) => boolean): number[] {
    const out: number[] = [];
    if (limit <= 0) return out;
    this.families.get(p.family)?.each(p, (i) => {
      if (!skip?.(i)) out.push(i);
      return out.length < limit;
    });
    return out;
  }
}
