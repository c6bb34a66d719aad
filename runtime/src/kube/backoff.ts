// Exponential backoff with jitter for anything that reconnects to the API server (informers,
// watches): the base delay, then twice that, ... up to the cap. Each delay is drawn from
// [d/2, d], so that many clients cut off together (an API server restart) do not return in step.
export interface BackoffOptions {
  /** The first delay (default 500 ms). */
  baseMs?: number;
  /** The longest delay (default 15 s). */
  maxMs?: number;
  /** Source of jitter in [0, 1); tests pass a constant. */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;

  constructor(o: BackoffOptions = {}) {
    this.baseMs = o.baseMs ?? 500;
    this.maxMs = o.maxMs ?? 15_000;
    this.random = o.random ?? Math.random;
  }

  /** The delay before the next try; each call doubles it, up to the cap. */
  next(): number {
    const d = Math.min(this.maxMs, this.baseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(d / 2 + (this.random() * d) / 2);
  }

  /** Tries since the last success. */
  get failures(): number {
    return this.attempt;
  }

  /** After a success: the next failure waits the base delay again. */
  reset(): void {
    this.attempt = 0;
  }
}
