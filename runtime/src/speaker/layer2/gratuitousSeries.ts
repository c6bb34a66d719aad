// The gratuitous ARP / unsolicited NA a takeover sends, for layer2 (layer2Announcer.ts) and vip
// (node/vipDriver.ts) alike: the first at once, the rest `intervalMs` apart, so a neighbour that
// missed one still moves. One series per address; starting it again starts it over.

/** Sent per takeover by default: at once, then 1 s apart. */
export const GRATUITOUS_COUNT = 3;
export const GRATUITOUS_INTERVAL_MS = 1000;

export class GratuitousSeries {
  private readonly timers = new Map<string, NodeJS.Timeout[]>();

  constructor(private readonly count = GRATUITOUS_COUNT, private readonly intervalMs = GRATUITOUS_INTERVAL_MS) {}

  /** Calls `send` now and count-1 more times; replaces the series of `key` in progress. */
  start(key: string, send: () => void): void {
    this.stop(key);
    const timers: NodeJS.Timeout[] = [];
    this.timers.set(key, timers);
    if (this.count > 0) send();
    for (let i = 1; i < this.count; i++) timers.push(setTimeout(send, i * this.intervalMs).unref());
  }

  /** Cancels what is left of the series of `key`. */
  stop(key: string): void {
    for (const t of this.timers.get(key) ?? []) clearTimeout(t);
    this.timers.delete(key);
  }

  stopAll(): void {
    for (const key of [...this.timers.keys()]) this.stop(key);
  }
}
