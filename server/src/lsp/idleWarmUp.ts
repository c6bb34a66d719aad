// Runs the JIT warm-up (@openelb/core/warmUp) after the server has answered `initialize`, so an
// editor gets its answer at once: one round per turn of the event loop once `initialized`
// arrives. The first real work (a validation, a completion...) calls finish() first, which runs
// what is left of the budget there and then, so that work is still done by compiled code: the
// warm-up moved out of `initialize` without making the first file slower. The budget counts
// only the time spent in rounds.
import { WarmUp } from '@openelb/core/warmUp';

export interface WarmUpReport {
  rounds: number;
  /** Time spent inside rounds (ms). */
  ms: number;
  error?: Error;
}

export class IdleWarmUp {
  private readonly warm = new WarmUp();
  private spent = 0;
  private state: 'waiting' | 'running' | 'done' = 'waiting';

  constructor(private readonly budgetMs: number, private readonly onDone: (report: WarmUpReport) => void) {}

  /** Starts the rounds in idle time (call it on `initialized`). */
  start(): void {
    if (this.state !== 'waiting') return;
    this.state = 'running';
    const step = () => { if (this.round()) setImmediate(step); };
    setImmediate(step);
  }

  /** Runs what is left of the budget now (before real work); nothing once done. */
  finish(): void {
    while (this.round()) { /* each round checks the budget */ }
  }

  /** Stops for good (shutdown). */
  cancel(): void {
    this.state = 'done';
  }

  /** One round if the budget allows; false when the warm-up is over. */
  private round(): boolean {
    if (this.state === 'done') return false;
    if (!(this.spent < this.budgetMs) || this.warm.finished) return this.end();
    const start = performance.now();
    try {
      this.warm.round();
    } catch (err) {
      return this.end(err as Error);
    }
    this.spent += performance.now() - start;
    return true;
  }

  private end(error?: Error): false {
    this.state = 'done';
    this.onDone({ rounds: this.warm.rounds, ms: this.spent, ...(error ? { error } : {}) });
    return false;
  }
}
