// One informer (list, then watch from the list's resourceVersion, keeping a cache) for the
// controller, the speaker, `openelb status --watch` and the extension, so that surviving the API
// server is written once:
//  - a watch the server closes (its watch timeout, a graceful shutdown) is reopened at the last
//    resourceVersion seen; bookmarks keep that version recent;
//  - 410 Gone (an ERROR event, or the watch's HTTP status) means the version was compacted away:
//    list again, and report the objects that vanished meanwhile as deletes;
//  - any other failure (API server down or restarting, 5xx, 403) goes to the 'error' handlers
//    and is retried after an exponential backoff, which the next success resets; 'connect' says
//    the informer is in step with the server again (also after its first list).
// The list and watch calls come from a transport, so tests drive an informer without a server.
//
//   const inf = makeInformer(kc, '/api/v1/nodes', () => core.listNode());
//   inf.on('add', (n) => ...); inf.on('error', (err, retryInMs) => ...);
//   await inf.start();   // after the first list attempt; inf.list(), inf.get(name, ns)
import { Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { Backoff, type BackoffOptions } from './backoff';
import { errorFromStatus, isGone } from './errors';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface ListPage<T> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

export interface WatchHandle {
  abort(): void;
}

/** The two API calls an informer makes. */
export interface InformerTransport<T> {
  list(): Promise<ListPage<T>>;
  /** Opens a watch at `resourceVersion` ('' = now); `onEnd` is called once, with the error if it failed. */
  watch(resourceVersion: string, onEvent: (type: WatchEventType, object: unknown) => void,
    onEnd: (err?: unknown) => void): Promise<WatchHandle>;
}

export interface InformerOptions {
  backoff?: BackoffOptions;
  /** A watch that closes cleanly sooner than this, with no event, is reopened only after a
   * backoff delay (a proxy closing every watch at once must not make us spin). Default 1 s. */
  minWatchMs?: number;
}

type ObjectHandler<T> = (obj: T) => void;
/** `retryInMs`: when the informer tries again. */
type ErrorHandler = (err: unknown, retryInMs: number) => void;
type Verb = 'add' | 'update' | 'delete' | 'error' | 'connect';

interface WatchOutcome {
  /** 410: list again at once. */
  gone: boolean;
  failure: unknown;
  /** The server ended the watch with another Status: list again, after the backoff. */
  relist: boolean;
  quick: boolean;
}

export class Informer<T extends KubernetesObject> {
  /** namespace ('' for cluster-scoped) → name → object */
  private readonly objects = new Map<string, Map<string, T>>();
  // Stored untyped so that an Informer<V1Node> is also an Informer<KubernetesObject>.
  private readonly handlers: Record<Verb, ((...args: never[]) => void)[]> = { add: [], update: [], delete: [], error: [], connect: [] };
  private resourceVersion = '';
  private running = false;
  /** Bumped by every round and by stop(): callbacks of an older round are ignored. */
  private round = 0;
  private stream?: WatchHandle;
  private timer?: NodeJS.Timeout;
  /** Not (yet, or no longer) in step with the server: the next success fires 'connect'. */
  private failing = true;
  private listed = false;
  private readonly backoff: Backoff;
  private readonly minWatchMs: number;

  constructor(private readonly transport: InformerTransport<T>, o: InformerOptions = {}) {
    this.backoff = new Backoff(o.backoff);
    this.minWatchMs = o.minWatchMs ?? 1000;
  }

  on(verb: 'add' | 'update' | 'delete', cb: ObjectHandler<T>): void;
  on(verb: 'error', cb: ErrorHandler): void;
  on(verb: 'connect', cb: () => void): void;
  on(verb: Verb, cb: ObjectHandler<T> | ErrorHandler | (() => void)): void {
    this.handlers[verb].push(cb);
  }

  /** True once a list has succeeded. */
  get synced(): boolean {
    return this.listed;
  }

  /** Starts listing and watching; resolves after the first list attempt (a failure is retried). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.run();
  }

  /** Stops watching; the cache keeps its objects, and start() resumes from the last version. */
  async stop(): Promise<void> {
    this.running = false;
    this.round++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.stream?.abort();
    this.stream = undefined;
  }

  get(name: string, namespace?: string): T | undefined {
    return this.objects.get(namespace ?? '')?.get(name);
  }

  list(namespace?: string): T[] {
    if (namespace !== undefined) return [...(this.objects.get(namespace)?.values() ?? [])];
    const out: T[] = [];
    for (const m of this.objects.values()) out.push(...m.values());
    return out;
  }

  /** One round: list when no version is known, then open the watch. */
  private async run(): Promise<void> {
    const round = ++this.round;
    if (!this.resourceVersion) {
      let page: ListPage<T>;
      try {
        page = await this.transport.list();
      } catch (e) {
        if (this.current(round)) this.fail(e);
        return;
      }
      if (!this.current(round)) return;
      this.replace(page.items ?? []);
      this.resourceVersion = page.metadata?.resourceVersion ?? '';
      this.listed = true;
      this.backoff.reset();
      this.recovered();
    }
    this.openWatch(round);
  }

  private openWatch(round: number): void {
    const opened = Date.now();
    let events = 0;
    let ended = false;
    const outcome: WatchOutcome = { gone: false, failure: undefined, relist: false, quick: false };
    const onEvent = (type: WatchEventType, obj: unknown): void => {
      if (ended || !this.current(round)) return;
      if (++events === 1) this.backoff.reset();
      if (type !== 'ERROR') { this.apply(type, obj as T); return; }
      if (isGone(obj)) outcome.gone = true;
      else { outcome.failure = errorFromStatus(obj); outcome.relist = true; }
    };
    const onEnd = (err?: unknown): void => {
      if (ended) return;
      ended = true;
      if (!this.current(round)) return;
      this.stream = undefined;
      if (isGone(err)) outcome.gone = true;
      else if (err) outcome.failure = err;
      outcome.quick = events === 0 && Date.now() - opened < this.minWatchMs;
      this.watchEnded(outcome);
    };
    this.transport.watch(this.resourceVersion, onEvent, onEnd).then((handle) => {
      if (ended) return;
      if (!this.current(round)) { handle.abort(); return; }
      this.stream = handle;
      this.recovered();
    }, onEnd);
  }

  private watchEnded(o: WatchOutcome): void {
    if (o.gone) {
      this.resourceVersion = '';
      this.schedule(0);
    } else if (o.failure !== undefined) {
      // e.g. "Too large resource version" from an API server whose cache is behind: a list is
      // always right; a network failure keeps the version (usually still valid after a restart).
      if (o.relist) this.resourceVersion = '';
      this.fail(o.failure);
    } else {
      // Closed cleanly: the server's watch timeout, or an API server going away (reopening then
      // fails and backs off). Reopen at once unless it died young and idle.
      if (!o.quick) this.backoff.reset();
      this.schedule(o.quick ? this.backoff.next() : 0);
    }
  }

  private fail(err: unknown): void {
    this.failing = true;
    const wait = this.backoff.next();
    for (const h of this.handlers.error) (h as ErrorHandler)(err, wait);
    this.schedule(wait);
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    for (const h of this.handlers.connect) (h as () => void)();
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.running) void this.run();
    }, ms);
  }

  private current(round: number): boolean {
    return this.running && round === this.round;
  }

  private apply(type: WatchEventType, obj: T): void {
    if (type === 'ADDED' || type === 'MODIFIED') this.upsert(obj);
    else if (type === 'DELETED') this.remove(obj);
    const rv = obj?.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
  }

  /** A fresh list: what it lacks was deleted meanwhile; the rest is added or updated. */
  private replace(items: T[]): void {
    const fresh = new Set(items.map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`));
    for (const [ns, m] of this.objects) {
      for (const [name, old] of m) {
        if (fresh.has(`${ns}/${name}`)) continue;
        m.delete(name);
        this.emit('delete', old);
      }
      if (m.size === 0) this.objects.delete(ns);
    }
    for (const o of items) this.upsert(o);
  }

  private upsert(obj: T): void {
    const ns = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    let m = this.objects.get(ns);
    if (!m) this.objects.set(ns, (m = new Map()));
    const old = m.get(name);
    m.set(name, obj);
    if (!old) this.emit('add', obj);
    else if (!sameVersion(old, obj)) this.emit('update', obj);
  }

  private remove(obj: T): void {
    const ns = obj.metadata?.namespace ?? '';
    const m = this.objects.get(ns);
    if (!m?.delete(obj.metadata?.name ?? '')) return;
    if (m.size === 0) this.objects.delete(ns);
    this.emit('delete', obj);
  }

  private emit(verb: 'add' | 'update' | 'delete', obj: T): void {
    for (const h of this.handlers[verb]) (h as ObjectHandler<T>)(obj);
  }
}

function sameVersion(a: KubernetesObject, b: KubernetesObject): boolean {
  const v = a.metadata?.resourceVersion;
  return v !== undefined && v === b.metadata?.resourceVersion;
}

/** The transport of a real API server: `list` as given, the watch through client-node's Watch. */
export function apiTransport<T>(kc: KubeConfig, path: string, list: () => Promise<ListPage<T>>): InformerTransport<T> {
  const watcher = new Watch(kc);
  return {
    list,
    async watch(resourceVersion, onEvent, onEnd) {
      const query: Record<string, string | boolean> = { allowWatchBookmarks: true };
      if (resourceVersion) query.resourceVersion = resourceVersion;
      const ctl = await watcher.watch(path, query, (type: string, obj: unknown) => onEvent(type as WatchEventType, obj),
        (err: unknown) => onEnd(err ?? undefined));
      return { abort: () => ctl.abort() };
    },
  };
}

/** An informer of `path` on the cluster of `kc` (the drop-in for client-node's makeInformer). */
export function makeInformer<T extends KubernetesObject>(kc: KubeConfig, path: string,
  list: () => Promise<ListPage<T>>, o?: InformerOptions): Informer<T> {
  return new Informer(apiTransport(kc, path, list), o);
}
