// An in-memory API server for the controller's unit tests (runtime/src/controller/io.ts):
// honest about what the controller relies on, and nothing more.
//  - every object has a uid and an opaque resourceVersion (a shuffled counter: not ordered);
//  - a write carrying a resourceVersion other than the stored one fails with 409, a create of an
//    existing name with 409, anything about a missing object with 404 (RestError, as our REST
//    client throws); a write that changes nothing stores nothing (no new version, no event);
//  - status writes change status only (Services also keep labels, annotations and finalizers
//    written through status, as Kubernetes 1.34 does); a spec change bumps metadata.generation;
//  - a delete of an object with finalizers sets deletionTimestamp; removing its last finalizer
//    deletes it;
//  - each client's watches deliver every change in order, its own writes included, each after
//    its own delay, so an echo may come before or after the write's answer; relist() loses the
//    watch (as after 410 Gone) and lists again;
//  - delays and failures are injectable: per request on the way there and back, per watch
//    event; `inject` refuses a request (with a status), loses its answer after applying it,
//    hangs it, or runs another writer's change just before it; a killed client never answers
//    again and its watches stop (a controller process killed with SIGKILL).
import type { CoreV1Event, V1Lease, V1Namespace, V1Service } from '@kubernetes/client-node';
import type { EipObject } from '../../runtime/src/allocator';
import type { ConfigMapObject, ControllerIo, ObjectMeta, Watched } from '../../runtime/src/controller/io';
import { RestError } from '../../runtime/src/kube/rest';
import { FakeWatch, type WatchEvent } from './controller-fakeWatch';

export type Kind = 'services' | 'eips' | 'namespaces' | 'configmaps' | 'leases' | 'events';
export type Verb = 'get' | 'list' | 'create' | 'replace' | 'status' | 'patch';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = { metadata: ObjectMeta & Record<string, any>; [field: string]: any };

export interface Request {
  client: string; verb: Verb; kind: Kind; namespace: string; name: string;
  /** The HTTP status of a failure (set once known). */
  failed?: number;
}

export interface Fault {
  match: (r: Request) => boolean;
  /** refuse: fail with `code`, nothing applied; lose: applied, the answer lost; hang: no answer ever. */
  effect?: 'refuse' | 'lose' | 'hang';
  code?: number;
  /** Another writer's change, made just before the request is applied. */
  before?: () => void;
  /** How many matching requests it affects (default 1). */
  times?: number;
}

const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;
const keyOf = (kind: Kind, namespace: string | undefined, name: string | undefined): string => `${kind}/${namespace ?? ''}/${name ?? ''}`;
const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

export function restError(code: number, reason: string, message: string): RestError {
  return new RestError(code, JSON.stringify({ kind: 'Status', code, reason, message }), 'fake');
}

export class FakeKube {
  /** Delay (ms) of a request on its way to the server, of its answer, and of each watch event. */
  latency = { request: (): number => 0, answer: (): number => 0, watch: (): number => 0 };
  /** False: a Service status write drops metadata changes (as a Pod's would). */
  serviceStatusKeepsMetadata = true;
  /** Every request that reached the store (applied, or refused), in order. */
  readonly requests: Request[] = [];
  /** Called after every stored change, with the object as stored (for invariant checks). */
  onChange?: (kind: Kind, obj: Obj, deleted: boolean) => void;
  private readonly objects = new Map<string, Obj>();
  private readonly watchers = new Set<{ kind: Kind; push: (e: WatchEvent) => void }>();
  private faults: Fault[] = [];
  private counter = 0;

  // ---- as another writer (a user, kubectl): applied at once ----

  create(kind: Kind, obj: Obj): Obj {
    const key = keyOf(kind, obj.metadata.namespace, obj.metadata.name);
    if (this.objects.has(key)) throw restError(409, 'AlreadyExists', `${kind} "${obj.metadata.name}" already exists`);
    const stored: Obj = clone({ ...obj, metadata: { ...obj.metadata, uid: `uid-${++this.counter}`, generation: 1, creationTimestamp: new Date().toISOString() } });
    return this.store(kind, key, stored, 'ADDED');
  }

  /** PUT: `part` status changes status only; a resourceVersion in the body is a precondition. */
  replace(kind: Kind, body: Obj, part: 'main' | 'status' = 'main'): Obj {
    const key = keyOf(kind, body.metadata.namespace, body.metadata.name);
    const cur = this.current(kind, key, body.metadata.name);
    if (body.metadata.resourceVersion && body.metadata.resourceVersion !== cur.metadata.resourceVersion) {
      throw restError(409, 'Conflict', `Operation cannot be fulfilled on ${kind} "${body.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    const next = part === 'status' ? this.statusWrite(kind, cur, body) : this.mainWrite(cur, body);
    return this.save(kind, key, cur, next);
  }

  /** A merge patch of metadata.finalizers, conditional on `resourceVersion` when given. */
  patchFinalizers(kind: Kind, namespace: string, name: string, finalizers: string[], resourceVersion?: string): Obj {
    const key = keyOf(kind, namespace, name);
    const cur = this.current(kind, key, name);
    if (resourceVersion && resourceVersion !== cur.metadata.resourceVersion) throw restError(409, 'Conflict', 'the object has been modified');
    return this.save(kind, key, cur, { ...cur, metadata: { ...cur.metadata, finalizers } });
  }

  delete(kind: Kind, namespace: string, name: string): void {
    const key = keyOf(kind, namespace, name);
    const cur = this.current(kind, key, name);
    if (cur.metadata.finalizers?.length) {
      if (!cur.metadata.deletionTimestamp) this.save(kind, key, cur, { ...cur, metadata: { ...cur.metadata, deletionTimestamp: new Date().toISOString() } });
      return;
    }
    this.remove(kind, key, cur);
  }

  get(kind: Kind, namespace: string, name: string): Obj | undefined {
    const o = this.objects.get(keyOf(kind, namespace, name));
    return o && clone(o);
  }

  list(kind: Kind, namespace?: string): Obj[] {
    const prefix = namespace === undefined ? `${kind}/` : `${kind}/${namespace}/`;
    return [...this.objects].filter(([k]) => k.startsWith(prefix)).map(([, o]) => clone(o));
  }

  // ---- clients, watches, faults ----

  client(name: string): FakeClient {
    return new FakeClient(this, name);
  }

  /** Receives every change of `kind` from now on; returns the objects as they are now and the unsubscribe. */
  subscribe(kind: Kind, push: (e: WatchEvent) => void): { snapshot: Obj[]; cancel: () => void } {
    const w = { kind, push };
    this.watchers.add(w);
    return { snapshot: this.list(kind), cancel: () => this.watchers.delete(w) };
  }

  inject(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** The fault for a request, counted down; undefined when none matches. */
  faultFor(r: Request): Fault | undefined {
    const f = this.faults.find((x) => x.match(r));
    if (f && --f.times! <= 0) this.faults.splice(this.faults.indexOf(f), 1);
    return f;
  }

  private current(kind: Kind, key: string, name: string | undefined): Obj {
    const cur = this.objects.get(key);
    if (!cur) throw restError(404, 'NotFound', `${kind} "${name}" not found`);
    return cur;
  }

  private mainWrite(cur: Obj, body: Obj): Obj {
    const { status: _ignored, ...rest } = body;
    const md = { ...body.metadata, uid: cur.metadata.uid, creationTimestamp: cur.metadata.creationTimestamp, deletionTimestamp: cur.metadata.deletionTimestamp };
    return { ...rest, metadata: md, ...(cur.status !== undefined ? { status: cur.status } : {}) };
  }

  private statusWrite(kind: Kind, cur: Obj, body: Obj): Obj {
    const next: Obj = { ...cur, status: body.status };
    if (kind === 'services' && this.serviceStatusKeepsMetadata) {
      const { labels, annotations, finalizers } = body.metadata;
      next.metadata = { ...cur.metadata, labels, annotations, finalizers };
    }
    return next;
  }

  /** Stores `next` over `cur`: nothing when nothing changed; deleted once a deleting object has no finalizer left. */
  private save(kind: Kind, key: string, cur: Obj, next: Obj): Obj {
    const strip = (o: Obj) => JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined, generation: undefined } });
    if (strip(next) === strip(cur)) return clone(cur);
    if (cur.metadata.deletionTimestamp && !next.metadata.finalizers?.length) return this.remove(kind, key, next);
    const specChanged = JSON.stringify(next.spec) !== JSON.stringify(cur.spec);
    const generation = (cur.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    return this.store(kind, key, clone({ ...next, metadata: { ...next.metadata, generation } }), 'MODIFIED');
  }

  private store(kind: Kind, key: string, obj: Obj, type: 'ADDED' | 'MODIFIED'): Obj {
    obj.metadata.resourceVersion = this.nextVersion();
    this.objects.set(key, obj);
    this.emit(kind, type, obj);
    return clone(obj);
  }

  private remove(kind: Kind, key: string, last: Obj): Obj {
    this.objects.delete(key);
    const gone = clone({ ...last, metadata: { ...last.metadata, resourceVersion: this.nextVersion() } });
    this.emit(kind, 'DELETED', gone);
    return gone;
  }

  private emit(kind: Kind, type: WatchEvent['type'], obj: Obj): void {
    this.onChange?.(kind, clone(obj), type === 'DELETED');
    for (const w of this.watchers) if (w.kind === kind) w.push({ type, obj: clone(obj) });
  }

  /** Opaque: a counter shuffled (multiplication by an odd constant is a bijection mod 2^32). */
  private nextVersion(): string {
    return (Math.imul(++this.counter, 2654435761) >>> 0).toString(36);
  }
}

/** One controller's connection to the fake: ControllerIo with latency, faults and kill(). */
export class FakeClient implements ControllerIo {
  private killed = false;
  private readonly watches: FakeWatch<Obj>[] = [];

  constructor(readonly kube: FakeKube, readonly name: string) {}

  /** Never answers again; its watches stop (SIGKILL of the process). */
  kill(): void {
    this.killed = true;
    for (const w of this.watches) w.kill();
  }

  /** Its watches lose their place (410 Gone) and list again. */
  relistAll(): void {
    for (const w of this.watches) w.relist();
  }

  services(): Watched<V1Service> { return this.watch('services') as unknown as Watched<V1Service>; }
  eips(): Watched<EipObject> { return this.watch('eips') as unknown as Watched<EipObject>; }
  namespaces(): Watched<V1Namespace> { return this.watch('namespaces') as unknown as Watched<V1Namespace>; }

  listEips(): Promise<EipObject[]> { return this.call('list', 'eips', '', '', () => this.kube.list('eips')); }
  getEip(name: string): Promise<EipObject> { return this.call('get', 'eips', '', name, () => this.found('eips', '', name)); }
  replaceEipStatus(eip: EipObject): Promise<EipObject> {
    return this.call('status', 'eips', '', eip.metadata?.name ?? '', () => this.kube.replace('eips', eip as Obj, 'status'));
  }
  async setEipFinalizers(name: string, finalizers: string[], rv: string | undefined): Promise<void> {
    await this.call('patch', 'eips', '', name, () => this.kube.patchFinalizers('eips', '', name, finalizers, rv));
  }

  getService(namespace: string, name: string): Promise<V1Service> { return this.call('get', 'services', namespace, name, () => this.found('services', namespace, name)); }
  replaceService(svc: V1Service): Promise<V1Service> { return this.write('replace', 'services', svc as Obj); }
  replaceServiceStatus(svc: V1Service): Promise<V1Service> { return this.write('status', 'services', svc as Obj); }

  getConfigMap(namespace: string, name: string): Promise<ConfigMapObject> { return this.call('get', 'configmaps', namespace, name, () => this.found('configmaps', namespace, name)); }
  writeConfigMap(cm: ConfigMapObject): Promise<ConfigMapObject> {
    return cm.metadata.resourceVersion ? this.write('replace', 'configmaps', cm as Obj) : this.write('create', 'configmaps', cm as Obj);
  }

  async createEvent(namespace: string, event: CoreV1Event): Promise<void> {
    await this.write('create', 'events', { ...event, metadata: { ...event.metadata, namespace } } as Obj);
  }

  getLease(namespace: string, name: string): Promise<V1Lease> { return this.call('get', 'leases', namespace, name, () => this.found('leases', namespace, name)); }
  createLease(lease: V1Lease): Promise<V1Lease> { return this.write('create', 'leases', lease as Obj); }
  replaceLease(lease: V1Lease): Promise<V1Lease> { return this.write('replace', 'leases', lease as Obj); }

  private watch(kind: Kind): FakeWatch<Obj> {
    const w = new FakeWatch<Obj>(this.kube, kind);
    this.watches.push(w);
    return w;
  }

  private found(kind: Kind, namespace: string, name: string): Obj {
    const o = this.kube.get(kind, namespace, name);
    if (!o) throw restError(404, 'NotFound', `${kind} "${name}" not found`);
    return o;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private write(verb: Verb, kind: Kind, body: Obj): Promise<any> {
    const { namespace = '', name = '' } = body.metadata;
    const send = clone(body);
    return this.call(verb, kind, namespace, name, () => (verb === 'create' ? this.kube.create(kind, send) : this.kube.replace(kind, send, verb === 'status' ? 'status' : 'main')));
  }

  /** One request: its way there, the fault if any, the store, its way back. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async call(verb: Verb, kind: Kind, namespace: string, name: string, apply: () => any): Promise<any> {
    const req: Request = { client: this.name, verb, kind, namespace, name };
    await this.pause(this.kube.latency.request());
    const fault = this.kube.faultFor(req);
    if (fault?.effect === 'hang') return never();
    fault?.before?.();
    let result: unknown;
    let error: unknown;
    this.kube.requests.push(req);
    if (fault?.effect === 'refuse') error = restError(fault.code ?? 500, 'InternalError', 'injected failure');
    else {
      try { result = apply(); } catch (e) { error = e; }
    }
    if (error) req.failed = (error as { code?: number }).code;
    await this.pause(this.kube.latency.answer());
    if (fault?.effect === 'lose') throw Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' });
    if (error) throw error;
    return result;
  }

  private async pause(ms: number): Promise<void> {
    if (this.killed) await never();
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    else await Promise.resolve();
    if (this.killed) await never();
  }
}
