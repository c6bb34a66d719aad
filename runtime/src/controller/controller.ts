// The allocation controller: watches Services, Eips and Namespaces with informers and, while it
// leads, reconciles what changed through the pure allocator.
//
// The record of who holds which address is each Eip's status.used (as in OpenELB) with the
// changes not yet mirrored there kept in the allocation journal (journal.ts, eipRecord.ts).
// Claiming an address is a resourceVersion-checked write of the journal, so even two
// controllers racing cannot hand one address to two Services: the loser re-reads and chooses
// again. On every leadership gain the state is rebuilt from the Eips and the journal, and a
// Service whose status shows an address nothing records re-adopts it: a restart moves nothing.
//
// Speed comes from batching (the API server round trips, not the allocator, are the cost):
//   1. the work queue hands over every key queued so far (one Service alone goes at once);
//   2. planBatch decides all the batch's Services in memory, each seeing the ones before it;
//   3. ONE journal write commits the batch's claims and releases, whatever Eips they touch. It is
//      the commit point: on a conflict the journal is re-read and the batch is planned again
//      (round after round, up to MAX_ROUNDS, then the queue's backoff takes over); the Eips'
//      status.used follow a moment later (EipRecord mirrors them);
//   4. only then are the Services written (finalizer+label, then status, then the event), up to
//      SERVICE_WRITES_IN_FLIGHT at a time, while the next batch already plans and commits. A key
//      is never in two batches at once, so one Service's writes never overlap.
import {
  makeInformer, type Informer, type KubeConfig, type ObjectCache, type KubernetesObject,
  type V1Namespace, type V1Service,
} from '@kubernetes/client-node';
import { formatIp } from '../../../server/src/core/address/ip';
import {
  planBatch, serviceKey, serviceRequest, unhold,
  type BatchDecision, type BatchItem, type EipObject,
} from '../allocator';
import { describeError, isConflict, isNotFound, retryOnConflict } from '../kube/client';
import { IPAM_FINALIZER } from '../../../server/src/core/api/annotations';
import { EipRecord } from './eipRecord';
import { EventRecorder } from './events';
import { EIP_PLURAL, EIP_VERSION, GROUP, KubeIo } from './kubeIo';
import { Limiter } from './limiter';
import type { PoolMetrics } from './metrics';
import { ServiceWrites } from './serviceWrites';
import { WorkQueue, type Outcome } from './workQueue';

/** Service writes in flight at once (each Service's own writes stay in order). */
const SERVICE_WRITES_IN_FLIGHT = 24;
/** How long the queue must stay idle before every Eip's status.used is brought up to date. */
const QUIET_MS = 50;
/** Commit attempts of one batch before its remaining Services go back to the queue. */
const MAX_ROUNDS = 10;

type Cache<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

export class AllocationController {
  readonly io: KubeIo;
  private readonly events: EventRecorder;
  private readonly services: Cache<V1Service>;
  private readonly eips: Cache<EipObject & KubernetesObject>;
  private readonly namespaces: Cache<V1Namespace>;
  private readonly record: EipRecord;
  private queue?: WorkQueue;
  /** Counts leadership terms: a batch of an earlier term stops at its next step. */
  private term = 0;
  private readonly writes: ServiceWrites;
  private readonly writeLimit = new Limiter(SERVICE_WRITES_IN_FLIGHT);
  private leading = false;
  private starting?: Promise<void>;
  private stopped = false;
  private synced = false;
  /** Last problem report per Eip, to avoid repeating events. */
  private readonly eipReports = new Map<string, string>();
  /** Overlap refusals (Eip → message) the Eips' statuses were last brought to. */
  private refusalsSeen = new Map<string, string>();
  readonly counters = { allocations: 0, releases: 0, failures: 0 };

  /** `namespace` holds the journal (the leader Lease's namespace). */
  constructor(kc: KubeConfig, identity: string, namespace: string, private readonly log: (msg: string) => void) {
    this.io = new KubeIo(kc);
    this.record = new EipRecord(kc, namespace, this.io, (name) => this.enqueue(`eip:${name}`), log);
    this.events = new EventRecorder(kc, identity, log);
    this.events.busy = () => this.queue?.busy ?? false;
    this.writes = new ServiceWrites(this.io, this.events, (key) => {
      const [ns, name] = key.split('/');
      return this.services.get(name, ns);
    }, this.counters, log);
    this.services = makeInformer(kc, '/api/v1/services', () => this.io.core.listServiceForAllNamespaces());
    this.namespaces = makeInformer(kc, '/api/v1/namespaces', () => this.io.core.listNamespace());
    this.eips = makeInformer(kc, `/apis/${GROUP}/${EIP_VERSION}/${EIP_PLURAL}`,
      () => this.io.listEips() as never);

    for (const verb of ['add', 'update'] as const) {
      this.services.on(verb, (s) => this.enqueue(`svc:${keyOf(s)}`));
      this.eips.on(verb, (e) => this.record.onEvent(e));
      this.namespaces.on(verb, (n) => this.onNamespace(n));
    }
    this.services.on('delete', (s) => this.enqueue(`svc:${keyOf(s)}`));
    this.eips.on('delete', (e) => this.onEipDeleted(e.metadata?.name ?? ''));
    for (const inf of [this.services, this.eips, this.namespaces] as Cache<KubernetesObject>[]) {
      // An informer stops on a watch or list error; start it again after a pause.
      inf.on('error', (err: unknown) => {
        if (this.stopped) return;
        this.log(`watch error: ${describeError(err)}; restarting the watch`);
        setTimeout(() => { if (!this.stopped) void inf.start().catch(() => undefined); }, 1000);
      });
    }
  }

  /** Starts the informers and waits for their first lists. */
  async start(): Promise<void> {
    // Fail clearly when Eips cannot be listed (CRD missing, no permission): with no pools known,
    // every Service would look unallocated.
    await this.io.listEips().catch((e: unknown) => {
      throw new Error(`cannot list Eips (${GROUP}/${EIP_VERSION}): ${describeError(e)}; are the OpenELB CRDs installed?`);
    });
    await Promise.all([this.services.start(), this.eips.start(), this.namespaces.start()]);
    this.synced = true;
  }

  get healthy(): boolean {
    return this.synced && !this.stopped;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /**
   * Called on gaining leadership: rebuild the allocation state from the Eips and the journal,
   * then reconcile all. Until the journal is read nothing is allocated.
   */
  startLeading(): void {
    this.leading = true;
    const term = ++this.term;
    this.starting = (async () => {
      for (let wait = 500; ; wait = Math.min(wait * 2, 10_000)) {
        try {
          for (const e of this.eips.list()) this.record.observe(e);
          await this.record.reload();
          break;
        } catch (e) {
          this.log(`cannot read the allocation journal: ${describeError(e)}; trying again in ${wait / 1000} s`);
          await new Promise((r) => setTimeout(r, wait));
          if (!this.leading || this.term !== term) return;
        }
      }
      if (!this.leading || this.term !== term) return;
      this.record.activate();
      this.queue = new WorkQueue((keys) => this.handleBatch(keys, term), (k, e) => this.log(`reconcile ${k}: ${describeError(e)}`));
      this.queue.onIdle = () => {
        this.events.wake();
        // status.used catches up once the work has stopped for a moment, not at every short
        // pause of a burst (each mirror rewrites the whole map; the 250 ms timer covers bursts).
        setTimeout(() => { if (this.queue && !this.queue.busy) void this.record.flush(); }, QUIET_MS).unref();
      };
      for (const name of this.record.names()) this.queue.add(`eip:${name}`);
      for (const s of this.services.list()) this.queue.add(`svc:${keyOf(s)}`);
      this.log('became leader; reconciling every Eip and Service');
    })();
  }

  stopLeading(): void {
    if (this.leading) this.log('lost leadership; not allocating');
    this.leading = false;
    this.record.deactivate();
    this.queue?.stop();
    this.queue = undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.starting;
    const queue = this.queue;
    queue?.stop(); // nothing new starts; work under way (Service writes) finishes
    await queue?.idle();
    await this.record.flush(); // and status.used takes in every commit, while we still lead
    this.stopLeading();
    await Promise.all([this.services.stop(), this.eips.stop(), this.namespaces.stop()]);
  }

  /**
   * Resolves when no reconcile is queued or running and every Eip's status.used shows the
   * record (for tests and graceful shutdown).
   */
  async idle(): Promise<void> {
    await this.starting;
    for (;;) {
      await this.queue?.idle();
      await this.record.flush();
      if (!this.queue?.busy && !this.record.behind) return;
      // A status write that keeps failing (logged by the record) is not retried in a tight loop.
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  poolMetrics(): PoolMetrics[] {
    return [...this.record.allocs.pools.values()].map((s) => ({
      name: s.name,
      size: s.pool ? Number(s.pool.last - s.pool.first + 1n) : 0,
      used: s.used.size,
      services: [...s.holders.values()].reduce((n, k) => n + k.length, 0),
      valid: s.problems.length === 0 && !this.record.allocs.refusal(s.name),
      unmirrored: Object.keys(this.record.journal.entries.get(s.name)?.set ?? {}).length,
    }));
  }

  private enqueue(key: string): void {
    if (this.leading) this.queue?.add(key);
  }

  private onEipDeleted(name: string): void {
    const keys = this.record.forget(name);
    this.eipReports.delete(name);
    for (const k of keys) this.enqueue(`svc:${k}`);
    this.syncRefusals(name);
    this.enqueueWaiting();
  }

  /**
   * Overlap is decided across Eips: a change of one may refuse or free another. Those others are
   * queued, so their status (the Valid condition) and events follow.
   */
  private syncRefusals(changed: string): void {
    const now = new Map([...this.record.allocs.refusals()].map(([n, r]) => [n, r.message]));
    for (const n of new Set([...now.keys(), ...this.refusalsSeen.keys()])) {
      if (n !== changed && now.get(n) !== this.refusalsSeen.get(n) && this.record.object(n)) this.enqueue(`eip:${n}`);
    }
    this.refusalsSeen = now;
  }

  private onNamespace(n: V1Namespace): void {
    for (const s of this.services.list(n.metadata?.name)) this.enqueue(`svc:${keyOf(s)}`);
  }

  /** Services that want an address and have none: a change in the pools may help them. */
  private enqueueWaiting(): void {
    for (const s of this.services.list()) {
      const key = keyOf(s);
      if (!this.record.allocs.allocationOf(key) && serviceRequest(s).wanted) this.enqueue(`svc:${key}`);
    }
  }

  private async handleBatch(keys: string[], term: number): Promise<Map<string, Outcome>> {
    const live = (): boolean => this.leading && this.term === term;
    const outcomes = new Map<string, Outcome>();
    if (!live()) return outcomes;
    const svcKeys: string[] = [];
    for (const key of keys) {
      if (key.startsWith('svc:')) svcKeys.push(key.slice(4));
      else if (key.startsWith('eip:')) {
        // Eip keys are rare (a spec change, a deletion): one at a time, before the Services.
        try { await this.reconcileEip(key.slice(4)); } catch (e) { outcomes.set(key, Promise.resolve(e)); }
      }
    }
    if (svcKeys.length && live()) {
      for (const [k, o] of await this.reconcileServices(svcKeys, live)) outcomes.set(`svc:${k}`, o);
    }
    return outcomes;
  }

  // ---- Eips ----

  private async reconcileEip(name: string): Promise<void> {
    const cached = this.record.object(name);
    if (!cached) return;
    // Upstream's Eip finalizer (an Eip taken over from upstream OpenELB): we keep no state that
    // needs it, and nothing else would remove it, so a deleted Eip would stay Terminating.
    if (cached.metadata?.deletionTimestamp && cached.metadata.finalizers?.includes(IPAM_FINALIZER)) {
      await this.io.removeEipFinalizer(name, IPAM_FINALIZER);
    }
    // Holders whose Service no longer exists are dropped (OpenELB's syncEip does the same), once
    // the API server confirms it: the informer may simply not have seen a new Service yet.
    const held = this.record.allocs.pools.get(name)?.holders.values() ?? [];
    const missing = [...held].flat().filter((k) => !this.writes.latest(k));
    const gone = await this.confirmGone(missing);
    if (gone.length) await this.releaseFrom(name, gone);
    // The status follows the spec (poolSize, firstIP, the Valid condition) at once.
    await this.record.mirror(name);
    const written = this.record.object(name);
    if (!written) return;
    const state = this.record.allocs.pools.get(name);
    const report = [...state?.problems ?? [], this.record.allocs.refusal(name)?.message ?? ''].filter(Boolean).join('; ');
    if (report && this.eipReports.get(name) !== report) {
      this.events.record(eipRef(written), 'Warning', 'add/update eip', `Eip ${name} is not used for allocation: ${report}`);
    }
    this.eipReports.set(name, report);
    this.syncRefusals(name);
    this.enqueueWaiting();
  }

  /** The keys among `keys` whose Service the API server says does not exist. */
  private async confirmGone(keys: string[]): Promise<string[]> {
    const found = await Promise.all(keys.map(async (key) => {
      const [ns, name] = key.split('/');
      try {
        await this.writeLimit.run(() => this.io.getService(ns, name));
        return undefined;
      } catch (e) {
        if (isNotFound(e)) return key;
        throw e;
      }
    }));
    return found.filter((k): k is string => k !== undefined);
  }

  /** Frees the Services' addresses in one Eip (one journal write, retried on conflict). */
  private async releaseFrom(eip: string, keys: string[]): Promise<void> {
    await retryOnConflict(async () => {
      const state = this.record.allocs.draft(eip);
      if (!state) return;
      const touched = keys.flatMap((k) => unhold(state, k));
      await this.record.commit(new Map([[eip, { state, touched }]]));
    });
  }

  // ---- Services ----

  /**
   * What planBatch needs about each Service. A Service the informer does not have but the Eips
   * record as a holder is released only once the API server confirms it is gone.
   */
  private async batchItems(keys: string[]): Promise<BatchItem[]> {
    const unseen = keys.filter((k) => !this.writes.latest(k) && this.record.allocs.allocationsOf(k).length);
    const gone = new Set(await this.confirmGone(unseen));
    const alive = new Set(unseen.filter((k) => !gone.has(k)));
    return keys.flatMap((key): BatchItem[] => {
      const svc = this.writes.latest(key);
      // Alive but not in the informer yet: its add event will bring it back.
      if (!svc) return alive.has(key) ? [] : [{ key }];
      const ns = svc.metadata?.namespace ?? '';
      return [{ key, request: serviceRequest(svc), nsLabels: this.namespaces.get(ns)?.metadata?.labels }];
    });
  }

  private async reconcileServices(keys: string[], live: () => boolean): Promise<Map<string, Outcome>> {
    const outcomes = new Map<string, Outcome>();
    const decided = new Map<string, BatchDecision>();
    let todo = keys;
    for (let round = 1; todo.length && live(); round++) {
      if (round > MAX_ROUNDS) {
        const err = new Error(`the Eips kept changing during ${MAX_ROUNDS} attempts; trying again later`);
        for (const k of todo) outcomes.set(k, Promise.resolve(err));
        break;
      }
      const items = await this.batchItems(todo);
      if (!live()) break;
      const plan = planBatch(items, this.record.allocs);
      const again = new Set<string>();
      // The commit: one resourceVersion-checked journal write for every Eip that changes.
      if (plan.changed.size) {
        const carried = [...new Set([...plan.carriers.values()].flat())];
        try {
          await this.record.commit(new Map([...plan.changed].map(([eip, state]) => [eip, { state, touched: plan.touched.get(eip) ?? [] }])));
        } catch (e) {
          // A conflict: commit() has read the record again, and the batch is planned again.
          for (const k of carried) {
            if (isConflict(e) || isNotFound(e)) again.add(k);
            else outcomes.set(k, Promise.resolve(e));
          }
        }
      }
      for (const { key } of items) {
        if (!again.has(key) && !outcomes.has(key)) decided.set(key, plan.decisions.get(key)!);
      }
      todo = [...again].filter((k) => !outcomes.has(k));
    }
    if (!live()) return outcomes;

    // Services that moved to another Eip leave the old one now that the new one records them.
    const leaving = new Map<string, string[]>();
    for (const [key, d] of decided) {
      if (d.action !== 'assign') continue;
      for (const a of this.record.allocs.allocationsOf(key)) if (a.eip !== d.eip) leaving.set(a.eip, [...(leaving.get(a.eip) ?? []), key]);
    }
    for (const [eip, moved] of leaving) {
      try {
        await this.releaseFrom(eip, moved);
      } catch (e) {
        for (const k of moved) { outcomes.set(k, Promise.resolve(e)); decided.delete(k); }
      }
    }
    if ([...decided.values()].some((d) => d.action === 'release' || d.action === 'gone')) this.enqueueWaiting();

    // The Services' own writes run on while the next batch starts.
    for (const [key, d] of decided) {
      if (d.action === 'gone') { this.writes.forget(key); continue; }
      const ip = 'ip' in d ? this.ipText(d.eip, d.ip) : undefined;
      const currentIp = d.action === 'fail' && d.current ? this.ipText(d.current.eip, d.current.ip) : undefined;
      outcomes.set(key, this.writeLimit.run(() => this.writes.apply(key, d, ip, currentIp)).then(() => undefined, (e: unknown) => e ?? new Error('failed')));
    }
    return outcomes;
  }

  private ipText(eip: string, ip: bigint): string {
    return formatIp(this.record.allocs.pools.get(eip)?.pool?.family ?? 4, ip);
  }
}

function keyOf(s: V1Service): string {
  return serviceKey(s.metadata?.namespace ?? '', s.metadata?.name ?? '');
}

function eipRef(e: EipObject) {
  return { apiVersion: `${GROUP}/${EIP_VERSION}`, kind: 'Eip', metadata: e.metadata };
}
