// Dissemination (pure): the updates waiting to be piggybacked. One per member (a newer claim
// replaces an older one; suspicion confirmations queue per suspector); each goes out up to
// `limit` times, least-sent first, so a fresh update spreads before old ones are repeated (about
// λ·log N sends reach every member with high probability). Updates sit in buckets by times sent,
// so filling a datagram costs what it takes, not a sort of the queue.
import type { Update } from './messages';
import { updateSize } from './messages';

interface Pending { key: string; update: Update; sent: number; size: number }

/** Smallest possible encoded update: once less room is left, stop looking. */
const MIN_UPDATE = 16;

export class Broadcasts {
  private readonly byKey = new Map<string, Pending>();
  private readonly byNode = new Map<string, Set<string>>();
  private readonly buckets: Map<string, Pending>[] = [];

  /** Queues `u`, replacing what was pending about the same member (a suspect confirmation is
   * queued under its suspector too, so it does not displace the original suspicion). */
  push(u: Update): void {
    const key = u.state === 'suspect' && u.by ? `${u.node}\u0000${u.by}` : u.node;
    if (u.state !== 'suspect') for (const k of [...(this.byNode.get(u.node) ?? [])]) this.remove(k);
    else this.remove(key);
    const p: Pending = { key, update: u, sent: 0, size: updateSize(u) };
    this.byKey.set(key, p);
    let keys = this.byNode.get(u.node);
    if (!keys) this.byNode.set(u.node, (keys = new Set()));
    keys.add(key);
    this.bucket(0).set(key, p);
  }

  get pending(): number { return this.byKey.size; }

  /** Up to `budget` bytes of updates, each counted as sent once; those sent `limit` times are dropped. */
  take(budget: number, limit: number): Update[] {
    const out: Pending[] = [];
    let left = budget;
    for (const b of this.buckets) {
      if (!b) continue;
      for (const p of b.values()) {
        if (left < MIN_UPDATE) break;
        if (p.size > left) continue;
        left -= p.size;
        out.push(p);
      }
    }
    for (const p of out) {
      this.buckets[p.sent].delete(p.key);
      if (++p.sent >= limit) this.remove(p.key);
      else this.bucket(p.sent).set(p.key, p);
    }
    return out.map((p) => p.update);
  }

  private bucket(i: number): Map<string, Pending> {
    return (this.buckets[i] ??= new Map());
  }

  private remove(key: string): void {
    const p = this.byKey.get(key);
    if (!p) return;
    this.byKey.delete(key);
    this.buckets[p.sent]?.delete(key);
    const keys = this.byNode.get(p.update.node);
    keys?.delete(key);
    if (keys?.size === 0) this.byNode.delete(p.update.node);
  }
}
