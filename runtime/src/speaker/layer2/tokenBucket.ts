// A token bucket: at most `burst` events at once, refilled at `ratePerSecond`.
// The clock is injectable so tests need no sleeps.

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new Error('TokenBucket needs rate > 0 and burst >= 1');
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token; false when the bucket is empty (the event should be dropped). */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
