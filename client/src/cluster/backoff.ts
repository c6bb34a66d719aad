// Exponential backoff with jitter for reconnecting watches: 0.5 s, 1 s, 2 s ... capped at 15 s.
export class Backoff {
  private attempt = 0;
  constructor(private readonly baseMs = 500, private readonly maxMs = 15_000) {}

  /** The delay before the next try; each call doubles it. */
  next(): number {
    const d = Math.min(this.maxMs, this.baseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(d / 2 + (Math.random() * d) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
