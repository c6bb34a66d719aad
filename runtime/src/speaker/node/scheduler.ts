// When the speaker plans: one plan at a time; a request while one runs asks for exactly one more
// after it (however many arrive), so a burst of watch events costs at most two plans. Plans are
// also asked for periodically (interfaces change without any API event).
import { performance } from 'node:perf_hooks';

/** The speaker's clock: milliseconds that never go back or jump when the wall clock is set
 * (NTP steps, a wrong RTC), on the scale of Date.now() so logs stay readable. */
export function monotonicNow(): number {
  return performance.timeOrigin + performance.now();
}

export class PlanScheduler {
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private interval?: NodeJS.Timeout;

  /** `plan`: one plan run; `onError`: told when one throws (the next one runs anyway). */
  constructor(private readonly plan: () => Promise<void>, private readonly onError: (e: unknown) => void) {}

  get halted(): boolean { return this.stopped; }

  /** Plans now, or once more after the plan in progress; resolves when none is left to run. */
  request(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) { this.again = true; return this.running; }
    this.running = this.runUntilCalm().finally(() => { this.running = undefined; });
    return this.running;
  }

  /** Resolves when the plan in progress (if any) and a fresh one have run. */
  async fresh(): Promise<void> {
    await this.running;
    await this.request();
  }

  /** Plans every `ms` as well. */
  every(ms: number): void {
    if (this.interval) clearInterval(this.interval);
    this.interval = setInterval(() => void this.request(), ms);
  }

  /** No more plans from now on (the one in progress finishes: see idle()). */
  halt(): void {
    this.stopped = true;
    if (this.interval) clearInterval(this.interval);
  }

  /** Resolves when no plan is running. */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async runUntilCalm(): Promise<void> {
    do {
      this.again = false;
      try { await this.plan(); } catch (e) { this.onError(e); }
    } while (this.again && !this.stopped);
  }
}
