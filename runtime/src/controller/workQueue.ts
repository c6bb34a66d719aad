// A keyed work queue that hands its handler every queued key at once (a batch):
//   - a key queued several times runs once; a key is never in two batches at the same time;
//   - no waiting to fill a batch: a batch is whatever is queued when the previous batch's
//     serial part ends (one Service alone starts at once, on the next turn of the event loop);
//   - the handler returns, per key, the outcome of work it left running (the per-Service
//     writes); the next batch starts meanwhile, without those keys until their work is done;
//   - a key whose outcome rejects is retried with exponential backoff.
// Keys are any values; `id` gives each a stable string, which only the queue uses.

/** Work left running for a key: resolves when it succeeded, rejects with the error. */
export type Outcome = Promise<void>;

/** Handles a batch; keys without an outcome are done. */
export type BatchHandler<K> = (keys: K[]) => Promise<[K, Outcome][]>;

/** An outcome that already failed (marked handled: the queue reads it later). */
export function failed(err: unknown): Outcome {
  return handled(Promise.reject(err instanceof Error ? err : new Error(String(err))));
}

/** Marks an outcome as handled now, so it may reject before the queue attaches to it. */
export function handled(o: Outcome): Outcome {
  o.catch(() => undefined);
  return o;
}

export class WorkQueue<K> {
  private readonly pending = new Map<string, K>();
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
    private readonly id: (key: K) => string,
    private readonly handle: BatchHandler<K>,
    private readonly onError: (key: K, err: unknown) => void,
    private readonly maxBackoffMs = 30_000,
  ) {}

  add(key: K): void {
    if (this.stopped) return;
    this.pending.set(this.id(key), key);
    this.schedule();
  }

  addAfter(key: K, ms: number): void {
    const t = setTimeout(() => { this.timers.delete(t); this.add(key); }, ms);
    this.timers.add(t);
  }

  get length(): number {
    return this.pending.size;
  }

  /** Resolves when nothing is queued, running, left running or waiting to be tried again. */
  idle(): Promise<void> {
    if (this.isIdle() && this.timers.size === 0) return Promise.resolve();
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
    if (this.timers.size === 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const r of w) r();
    }
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

  private takeBatch(): K[] {
    const keys: K[] = [];
    if (this.stopped) return keys;
    for (const [id, key] of this.pending) {
      if (this.active.has(id)) continue;
      this.pending.delete(id);
      this.active.add(id);
      keys.push(key);
    }
    return keys;
  }

  private async drain(): Promise<void> {
    const keys = this.takeBatch();
    if (keys.length === 0) {
      this.checkIdle();
      return;
    }
    this.running = true;
    let outcomes: Map<string, Outcome>;
    try {
      outcomes = new Map((await this.handle(keys)).map(([k, o]) => [this.id(k), o]));
    } catch (e) {
      outcomes = new Map(keys.map((k) => [this.id(k), failed(e)]));
    }
    this.running = false;
    for (const key of keys) {
      const o = outcomes.get(this.id(key));
      if (o) void o.then(() => this.finish(key), (e: unknown) => this.finish(key, e ?? new Error('failed')));
      else this.finish(key);
    }
    this.schedule();
    this.checkIdle();
  }

  private finish(key: K, err?: unknown): void {
    const id = this.id(key);
    this.active.delete(id);
    if (err === undefined) {
      this.failures.delete(id);
    } else if (!this.stopped) {
      const n = (this.failures.get(id) ?? 0) + 1;
      this.failures.set(id, n);
      this.onError(key, err);
      this.addAfter(key, Math.min(100 * 2 ** (n - 1), this.maxBackoffMs));
    }
    if (this.pending.has(id)) this.schedule();
    this.checkIdle();
  }
}
