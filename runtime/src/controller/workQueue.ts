// A keyed work queue that hands its handler every queued key at once (a batch):
//   - a key queued several times runs once; a key is never in two batches at the same time;
//   - no waiting to fill a batch: a batch is whatever is queued when the previous batch's
//     serial part ends (one Service alone starts at once, on the next turn of the event loop);
//   - the handler returns, per key, the outcome of work it left running (the per-Service
//     writes); the next batch starts meanwhile, without those keys until their work is done;
//   - a key whose outcome is an error is retried with exponential backoff.

/** Resolves to undefined when the key's work succeeded, or to the error; never rejects. */
export type Outcome = Promise<unknown>;

/** Handles a batch; keys missing from the returned map are done. */
export type BatchHandler = (keys: string[]) => Promise<Map<string, Outcome>>;

export class WorkQueue {
  private readonly pending = new Set<string>();
  /** Keys of the running batch, or whose left-running work has not finished. */
  private readonly active = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = false;
  private scheduled = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  /** Called whenever the queue becomes idle. */
  onIdle?: () => void;

  constructor(
    private readonly handle: BatchHandler,
    private readonly onError: (key: string, err: unknown) => void,
    private readonly maxBackoffMs = 30_000,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    this.schedule();
  }

  addAfter(key: string, ms: number): void {
    const t = setTimeout(() => { this.timers.delete(t); this.add(key); }, ms);
    this.timers.add(t);
  }

  get length(): number {
    return this.pending.size;
  }

  /** Resolves when nothing is queued, running or left running. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Drops what is queued; work already running finishes (idle() tells when). */
  stop(): void {
    this.stopped = true;
    this.pending.clear();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.checkIdle();
  }

  /** True while keys are queued, running or have work left running. */
  get busy(): boolean {
    return !this.isIdle();
  }

  private isIdle(): boolean {
    return !this.running && !this.scheduled && this.active.size === 0 && (this.stopped || this.pending.size === 0);
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const r of w) r();
    this.onIdle?.();
  }

  /** Starts a batch on the next turn, so keys delivered together (one watch read) go together. */
  private schedule(): void {
    if (this.scheduled || this.running || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    const keys = this.stopped ? [] : [...this.pending].filter((k) => !this.active.has(k));
    if (keys.length === 0) {
      this.checkIdle();
      return;
    }
    this.running = true;
    for (const k of keys) {
      this.pending.delete(k);
      this.active.add(k);
    }
    let outcomes: Map<string, Outcome>;
    try {
      outcomes = await this.handle(keys);
    } catch (e) {
      outcomes = new Map(keys.map((k) => [k, Promise.resolve(e)]));
    }
    this.running = false;
    for (const k of keys) {
      const o = outcomes.get(k);
      if (o) void o.then((err) => this.finish(k, err));
      else this.finish(k, undefined);
    }
    this.schedule();
    this.checkIdle();
  }

  private finish(key: string, err: unknown): void {
    this.active.delete(key);
    if (err === undefined) {
      this.failures.delete(key);
    } else if (!this.stopped) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      this.onError(key, err);
      this.addAfter(key, Math.min(100 * 2 ** (n - 1), this.maxBackoffMs));
    }
    if (this.pending.has(key)) this.schedule();
    this.checkIdle();
  }
}
