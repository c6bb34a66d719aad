// A keyed work queue with one worker: a key queued several times runs once, a key that fails
// is retried with exponential backoff, and keys never run concurrently (the allocator state is
// shared, so one reconcile at a time keeps it consistent).

export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly handle: (key: string) => Promise<void>,
    private readonly onError: (key: string, err: unknown) => void,
    private readonly maxBackoffMs = 30_000,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    void this.drain();
  }

  addAfter(key: string, ms: number): void {
    const t = setTimeout(() => { this.timers.delete(t); this.add(key); }, ms);
    this.timers.add(t);
  }

  get length(): number {
    return this.pending.size;
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.running && this.pending.size === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    this.pending.clear();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.stopped && this.pending.size) {
        const key = this.pending.values().next().value as string;
        this.pending.delete(key);
        try {
          await this.handle(key);
          this.failures.delete(key);
        } catch (e) {
          const n = (this.failures.get(key) ?? 0) + 1;
          this.failures.set(key, n);
          this.onError(key, e);
          this.addAfter(key, Math.min(100 * 2 ** (n - 1), this.maxBackoffMs));
        }
      }
    } finally {
      this.running = false;
      if (this.pending.size === 0) {
        const w = this.idleWaiters;
        this.idleWaiters = [];
        for (const r of w) r();
      }
    }
  }
}
