// A simulated network for the membership core (runtime/src/speaker/membership/swim.ts): virtual
// time, seeded latency and loss, partitions, kills and clean stops. Nothing waits on a real clock:
// `run` jumps from one event (a delivery or a member's next wake-up) to the next.
import { Swim } from '../../../runtime/src/speaker/membership/swim';
import type { Output } from '../../../runtime/src/speaker/membership/swim';
import type { Change } from '../../../runtime/src/speaker/membership/members';
import type { MembershipConfig } from '../../../runtime/src/speaker/membership/config';
import { hmacSeal } from '../../../runtime/src/speaker/membership/hmacSeal';
import { prng } from './prng';

export const KEY = new Uint8Array(32).fill(7);
export const seal = hmacSeal([KEY]);

interface Delivery { at: number; to: string; from: string; bytes: Uint8Array }
export interface Logged { at: number; observer: string; change: Change }

export interface SimOptions {
  seed: number;
  /** Probability each datagram is lost. */
  loss?: number;
  /** Keep every delivered datagram in `wire` (replay tests); off for large runs. Default on. */
  record?: boolean;
  config?: Partial<MembershipConfig>;
}

export class SimNet {
  now = 0;
  readonly rand: () => number;
  readonly nodes = new Map<string, Swim>();
  readonly changes: Logged[] = [];
  /** Every delivered datagram (for replay tests). */
  readonly wire: Delivery[] = [];
  private readonly queue = new Heap<Delivery>((a, b) => a.at - b.at);
  /** Each member's next wake-up, refreshed whenever it was called. */
  private readonly wake = new Map<string, number>();
  private blocked = new Set<string>();
  private allNames: string[] = [];
  loss: number;

  constructor(private readonly o: SimOptions) {
    this.rand = prng(o.seed);
    this.loss = o.loss ?? 0;
  }

  /** Starts members (addresses are the names); every member's Kubernetes view is all of them. */
  start(names: string[], incarnation = 1): void {
    this.allNames = [...new Set([...this.allNames, ...names])];
    for (const n of names) {
      this.nodes.set(n, new Swim({ self: n, incarnation, seal, random: this.rand, now: this.now, config: this.o.config }));
    }
    this.refreshPeers();
  }

  refreshPeers(): void {
    const peers = new Map(this.allNames.map((n) => [n, n]));
    for (const [n, s] of this.nodes) this.dispatch(n, s.setPeers(this.now, peers));
  }

  /** A crash: the member stops answering and sending, at once. */
  kill(name: string): void { this.nodes.delete(name); this.wake.delete(name); }

  leave(name: string): void {
    const s = this.nodes.get(name);
    if (s) this.dispatch(name, s.leave(this.now));
    this.kill(name);
  }

  /** Cuts (or heals) every path between `name` and the others. */
  partition(name: string, cut = true): void {
    if (cut) this.blocked.add(name); else this.blocked.delete(name);
  }

  /** Sends raw bytes to a member as if from `from` (an attacker on the LAN). */
  inject(to: string, from: string, bytes: Uint8Array): void {
    this.queue.push({ at: this.now + 1, to, from, bytes });
  }

  run(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let next = end;
      let who: string | undefined;
      for (const [n, w] of this.wake) if (w < next) { next = w; who = n; }
      const d = this.queue.peek();
      if (d && d.at <= next) {
        this.queue.pop();
        this.now = Math.max(this.now, d.at);
        const s = this.nodes.get(d.to);
        if (s) { if (this.o.record !== false) this.wire.push(d); this.dispatch(d.to, s.receive(this.now, d.from, d.bytes)); }
        continue;
      }
      if (!who) { this.now = end; return; }
      this.now = Math.max(this.now, next);
      this.dispatch(who, this.nodes.get(who)!.tick(this.now));
    }
  }

  private dispatch(from: string, outs: Output[]): void {
    const s = this.nodes.get(from);
    if (s) this.wake.set(from, s.nextWakeAt()); else this.wake.delete(from);
    for (const o of outs) {
      if (o.type === 'change') { this.changes.push({ at: this.now, observer: from, change: o.change }); continue; }
      if (this.blocked.has(from) || this.blocked.has(o.to)) continue;
      if (this.rand() < this.loss) continue;
      this.queue.push({ at: this.now + 0.5 + this.rand(), to: o.to, from, bytes: o.bytes });

    }
  }

  /** What `observer` holds about `node`. */
  stateOf(observer: string, node: string): string | undefined {
    return this.nodes.get(observer)?.member(node)?.state;
  }

  /** Running members that do not (yet) hold `node` in `state`. */
  notAgreeing(node: string, state: string): string[] {
    return [...this.nodes.keys()].filter((o) => o !== node && this.stateOf(o, node) !== state);
  }

  /** First local time at which each running observer recorded `node` entering `to`. */
  firstSeen(node: string, to: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const c of this.changes) {
      if (c.change.node === node && c.change.to === to && !out.has(c.observer)) out.set(c.observer, c.at);
    }
    return out;
  }
}

export const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `node${String(i).padStart(4, '0')}`);

/** A binary min-heap. */
class Heap<T> {
  private readonly a: T[] = [];
  constructor(private readonly less: (x: T, y: T) => number) {}
  peek(): T | undefined { return this.a[0]; }
  push(x: T): void {
    const a = this.a;
    a.push(x);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (this.less(a[i], a[p]) >= 0) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length && last !== undefined) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l], a[m]) < 0) m = l;
        if (r < a.length && this.less(a[r], a[m]) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}
