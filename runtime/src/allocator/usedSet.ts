// The addresses in use in one pool, as a sorted set of bigints. Pools can be a /8 or an
// IPv6 /96, so free addresses are never listed: the lowest free one is found by a binary search
// for the end of the run of used values at the start of the pool.

export class UsedSet {
  private readonly values: bigint[] = [];

  /** An independent copy (the batch planner works on copies). */
  clone(): UsedSet {
    const c = new UsedSet();
    c.values.push(...this.values);
    return c;
  }

  get size(): number {
    return this.values.length;
  }

  /** Index of the first value >= v (binary search). */
  private lowerBound(v: bigint): number {
    let lo = 0;
    let hi = this.values.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.values[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The lowest value >= v, or undefined when there is none. */
  ceiling(v: bigint): bigint | undefined {
    return this.values[this.lowerBound(v)];
  }

  has(v: bigint): boolean {
    const i = this.lowerBound(v);
    return i < this.values.length && this.values[i] === v;
  }

  add(v: bigint): void {
    const i = this.lowerBound(v);
    if (this.values[i] !== v) this.values.splice(i, 0, v);
  }

  delete(v: bigint): void {
    const i = this.lowerBound(v);
    if (this.values[i] === v) this.values.splice(i, 1);
  }

  /** How many used values lie in [first, last]. */
  countIn(first: bigint, last: bigint): number {
    return this.lowerBound(last + 1n) - this.lowerBound(first);
  }

  /** The lowest value in [first, last] that is not in the set, or undefined when all are. */
  lowestFree(first: bigint, last: bigint): bigint | undefined {
    // From `first` on, the values are distinct and sorted, so they run first, first+1, ... up to
    // the first gap and never catch up after it: a binary search finds the end of that run.
    const lo = this.lowerBound(first);
    let a = lo;
    let b = this.values.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (this.values[mid] === first + BigInt(mid - lo)) a = mid + 1;
      else b = mid;
    }
    const candidate = first + BigInt(a - lo);
    return candidate <= last ? candidate : undefined;
  }

  *[Symbol.iterator](): IterableIterator<bigint> {
    yield* this.values;
  }
}
