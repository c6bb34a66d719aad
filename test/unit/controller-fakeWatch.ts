// One informer of the fake API server (controller-fake.ts): a cache kept by a list, then every
// change in order, each event delivered after the fake's watch delay (never before the one
// before it). relist() drops the events not yet delivered and lists again, as an informer does
// after 410 Gone; kill() stops it for good.
import type { Watched } from '../../runtime/src/controller/io';
import type { FakeKube, Kind, Obj } from './controller-fake';

export interface WatchEvent { type: 'ADDED' | 'MODIFIED' | 'DELETED'; obj: Obj }

type Verb = 'add' | 'update' | 'delete';

const cacheKey = (o: Obj): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

export class FakeWatch<T extends Obj> implements Watched<T> {
  private readonly cache = new Map<string, T>();
  private readonly handlers = { add: [] as ((o: T) => void)[], update: [] as ((o: T) => void)[], delete: [] as ((o: T) => void)[], relist: [] as (() => void)[] };
  private queue: (WatchEvent & { due: number })[] = [];
  private lastDue = 0;
  private pumping = false;
  /** The current round's list is in the cache: its events may be delivered. */
  private listed = false;
  private cancel?: () => void;
  private dead = false;
  /** Bumped by every relist and stop: a pump of an older round stops. */
  private round = 0;

  constructor(private readonly kube: FakeKube, private readonly kind: Kind) {}

  get(name: string, namespace?: string): T | undefined {
    return this.cache.get(`${namespace ?? ''}/${name}`);
  }

  list(namespace?: string): T[] {
    return [...this.cache.values()].filter((o) => namespace === undefined || (o.metadata.namespace ?? '') === namespace);
  }

  on(verb: Verb | 'relist', handler: ((o: T) => void) | (() => void)): void {
    (this.handlers[verb] as unknown[]).push(handler);
  }

  async start(): Promise<void> {
    await this.listAndWatch();
  }

  async stop(): Promise<void> {
    this.round++;
    this.listed = false;
    this.cancel?.();
    this.queue = [];
  }

  kill(): void {
    this.dead = true;
    void this.stop();
  }

  /** Loses the watch's place: the events not yet delivered are skipped, and it lists again. */
  relist(): void {
    if (this.dead) return;
    void this.stop().then(() => this.listAndWatch());
  }

  private async listAndWatch(): Promise<void> {
    if (this.dead) return;
    const round = ++this.round;
    this.listed = false;
    const { snapshot, cancel } = this.kube.subscribe(this.kind, (e) => this.enqueue(e, round));
    this.cancel = cancel;
    const wait = this.kube.latency.answer();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (round !== this.round) return;
    for (const h of this.handlers.relist) h();
    this.replace(snapshot as T[]);
    this.listed = true;
    void this.pump(round);
  }

  /** A fresh list: what it lacks was deleted meanwhile; the rest is added or updated. */
  private replace(items: T[]): void {
    const fresh = new Set(items.map(cacheKey));
    for (const [k, old] of [...this.cache]) {
      if (fresh.has(k)) continue;
      this.cache.delete(k);
      this.emit('delete', old);
    }
    for (const o of items) this.upsert(o);
  }

  private enqueue(e: WatchEvent, round: number): void {
    if (round !== this.round) return;
    const due = Math.max(this.lastDue, Date.now() + this.kube.latency.watch());
    this.lastDue = due;
    this.queue.push({ ...e, due });
    if (this.listed) void this.pump(round);
  }

  private async pump(round: number): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length && round === this.round) {
        const wait = this.queue[0].due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        else await Promise.resolve();
        if (round !== this.round) return;
        const e = this.queue.shift()!;
        if (e.type === 'DELETED') this.remove(e.obj as T);
        else this.upsert(e.obj as T);
      }
    } finally {
      this.pumping = false;
      // A relist while this round waited: the new round's events may be queued already.
      if (this.queue.length && this.listed && round !== this.round) void this.pump(this.round);
    }
  }

  private upsert(o: T): void {
    const k = cacheKey(o);
    const old = this.cache.get(k);
    this.cache.set(k, o);
    if (!old) this.emit('add', o);
    else if (old.metadata.resourceVersion !== o.metadata.resourceVersion) this.emit('update', o);
  }

  private remove(o: T): void {
    if (this.cache.delete(cacheKey(o))) this.emit('delete', o);
  }

  private emit(verb: Verb, o: T): void {
    for (const h of this.handlers[verb]) h(o);
  }
}
