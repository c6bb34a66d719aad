// The allocation controller: watches Services, Eips and Namespaces and, while it leads,
// reconciles what changed through the pure allocator. All its I/O goes through ControllerIo
// (io.ts): the API server in production, an in-memory fake in the unit tests.
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
//   3. ONE journal write commits the batch's claims and releases, whatever Eips they touch
//      (serviceBatch.ts); the Eips' status.used follow a moment later (eipMirror.ts);
//   4. only then are the Services written (serviceWrites.ts), up to SERVICE_WRITES_IN_FLIGHT at
//      a time, while the next batch already plans and commits. A key is never in two batches
//      at once, so one Service's writes never overlap.
import type { V1Namespace, V1Service } from '@kubernetes/client-node';
import { parseServiceKey, serviceKey, serviceRequest, type EipObject } from '../allocator';
import { describeError } from '../kube/client';
import { EipRecord } from './eipRecord';
import { EipReconciler } from './eipReconcile';
import { EventRecorder } from './events';
import type { ControllerIo, Watched } from './io';
import { Limiter } from './limiter';
import type { PoolMetrics } from './metrics';
import { describeKey, eipQueueKey, queueId, serviceQueueKey, type QueueKey } from './queueKey';
import type { Parts } from './releases';
import { ServiceBatches } from './serviceBatch';
import { ServiceWrites } from './serviceWrites';
import { failed, WorkQueue, type Outcome } from './workQueue';
import { listEipsWhenReady } from './firstList';

/** Service writes in flight at once (each Service's own writes stay in order). */
const SERVICE_WRITES_IN_FLIGHT = 24;
/** How long the queue must stay idle before every Eip's status.used is brought up to date. */
const QUIET_MS = 50;

export class AllocationController {
  private readonly services: Watched<V1Service>;
  private readonly eips: Watched<EipObject>;
  private readonly namespaces: Watched<V1Namespace>;
  private readonly record: EipRecord;
  private readonly events: EventRecorder;
  private readonly writes: ServiceWrites;
  private readonly eipWork: EipReconciler;
  private readonly serviceWork: ServiceBatches;
  private queue?: WorkQueue<QueueKey>;
  /** Counts leadership terms: a batch of an earlier term stops at its next step. */
  private term = 0;
  private leading = false;
  private starting?: Promise<void>;
  private stopped = false;
  private synced = false;
  /** Overlap refusals (Eip → message) the Eips' statuses were last brought to. */
  private refusalsSeen = new Map<string, string>();
  readonly counters = { allocations: 0, releases: 0, failures: 0 };
  /** Reconcile work done (batches, and the Services and Eips in them): for tests and diagnostics. */
  readonly work = { batches: 0, services: 0, eips: 0 };

  /** `namespace` holds the journal (the leader Lease's namespace). */
  constructor(private readonly io: ControllerIo, identity: string, namespace: string, private readonly log: (msg: string) => void) {
    this.services = io.services();
    this.eips = io.eips();
    this.namespaces = io.namespaces();
    this.record = new EipRecord(io, namespace, {
      changed: (name) => this.enqueue(eipQueueKey(name)),
      deleted: (name, holders) => this.onEipDeleted(name, holders),
    }, log);
    this.events = new EventRecorder(io, identity, log);
    this.events.busy = () => this.queue?.busy ?? false;
    this.writes = new ServiceWrites(io, this.events, (key) => this.cachedService(key),
      (key) => this.enqueueService(key), this.counters, log);
    const parts: Parts = {
      io, record: this.record, writes: this.writes, events: this.events, limit: new Limiter(SERVICE_WRITES_IN_FLIGHT),
      nsLabels: (ns) => this.namespaces.get(ns)?.metadata?.labels,
      enqueueWaiting: () => this.enqueueWaiting(),
      syncRefusals: (changed) => this.syncRefusals(changed),
      log,
    };
    this.eipWork = new EipReconciler(parts);
    this.serviceWork = new ServiceBatches(parts);
    this.watch();
  }

  private watch(): void {
    for (const verb of ['add', 'update', 'delete'] as const) {
      this.services.on(verb, (s) => this.writes.onEvent(keyOf(s), s, verb === 'delete'));
      this.eips.on(verb, (e) => this.record.onEvent(e, verb === 'delete'));
    }
    this.services.on('relist', () => this.writes.onRelist());
    this.eips.on('relist', () => this.record.onRelist());
    this.namespaces.on('add', (n) => this.onNamespace(n));
    this.namespaces.on('update', (n) => this.onNamespace(n));
  }

  /** Starts the informers and waits for their first lists. */
  async start(): Promise<void> {
    await listEipsWhenReady(() => this.io.listEips(), { log: this.log, stopped: () => this.stopped });
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
    const current = (): boolean => this.leading && this.term === term;
    this.starting = (async () => {
      if (!await this.loadRecord(current)) return;
      this.record.mirror.activate();
      this.queue = new WorkQueue<QueueKey>(queueId, (keys) => this.handleBatch(keys, current),
        (k, e) => this.log(`reconcile ${describeKey(k)}: ${describeError(e)}`));
      this.queue.onIdle = () => this.whenIdle();
      for (const name of this.record.names()) this.queue.add(eipQueueKey(name));
      for (const s of this.services.list()) this.queue.add(serviceQueueKey(s.metadata?.namespace ?? '', s.metadata?.name ?? ''));
      this.log('became leader; reconciling every Eip and Service');
    })();
  }

  /** Reads the record, trying again until it works or the term ends; true when read. */
  private async loadRecord(current: () => boolean): Promise<boolean> {
    for (let wait = 500; ; wait = Math.min(wait * 2, 10_000)) {
      try {
        this.record.seed(this.eips.list());
        await this.record.reload();
        return current();
      } catch (e) {
        this.log(`cannot read the allocation journal: ${describeError(e)}; trying again in ${wait / 1000} s`);
        await new Promise((r) => setTimeout(r, wait));
        if (!current()) return false;
      }
    }
  }

  private whenIdle(): void {
    this.events.wake();
    // status.used catches up once the work has stopped for a moment, not at every short pause
    // of a burst (each mirror rewrites the whole map; the 250 ms timer covers bursts).
    setTimeout(() => { if (this.queue && !this.queue.busy) void this.record.mirror.flush(); }, QUIET_MS).unref();
  }

  stopLeading(): void {
    if (this.leading) this.log('lost leadership; not allocating');
    this.leading = false;
    this.record.mirror.deactivate();
    this.queue?.stop();
    this.queue = undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.starting;
    const queue = this.queue;
    queue?.stop(); // nothing new starts; work under way (Service writes) finishes
    await queue?.idle();
    await this.record.mirror.flush(); // and status.used takes in every commit, while we still lead
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
      await this.record.mirror.flush();
      if (!this.queue?.busy && !this.record.mirror.behind) return;
      // A status write that keeps failing (logged by the mirror) is not retried in a tight loop.
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  poolMetrics(): PoolMetrics[] {
    const { allocs, journal } = this.record;
    return [...allocs.pools.values()].map((s) => ({
      name: s.name,
      size: s.pool ? Number(s.pool.last - s.pool.first + 1n) : 0,
      used: s.used.size,
      services: [...s.holders.values()].reduce((n, k) => n + k.length, 0),
      valid: s.problems.length === 0 && !allocs.refusal(s.name),
      unmirrored: Object.keys(journal.entries.get(s.name)?.set ?? {}).length,
    }));
  }

  private enqueue(key: QueueKey): void {
    if (this.leading) this.queue?.add(key);
  }

  private enqueueService(key: string): void {
    const s = parseServiceKey(key);
    this.enqueue(serviceQueueKey(s.namespace, s.name));
  }

  private cachedService(key: string): V1Service | undefined {
    const s = parseServiceKey(key);
    return this.services.get(s.name, s.namespace);
  }

  private onEipDeleted(name: string, holders: string[]): void {
    this.eipWork.forget(name);
    for (const k of holders) this.enqueueService(k);
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
      if (n !== changed && now.get(n) !== this.refusalsSeen.get(n) && this.record.object(n)) this.enqueue(eipQueueKey(n));
    }
    this.refusalsSeen = now;
  }

  private onNamespace(n: V1Namespace): void {
    for (const s of this.services.list(n.metadata?.name)) this.enqueueService(keyOf(s));
  }

  /** Services that want an address and have none: a change in the pools may help them. */
  private enqueueWaiting(): void {
    for (const s of this.services.list()) {
      const key = keyOf(s);
      if (!this.record.allocs.allocationOf(key) && serviceRequest(s).wanted) this.enqueueService(key);
    }
  }

  private async handleBatch(keys: QueueKey[], live: () => boolean): Promise<[QueueKey, Outcome][]> {
    const outcomes: [QueueKey, Outcome][] = [];
    if (!live()) return outcomes;
    this.work.batches++;
    const services = new Map<string, QueueKey>();
    for (const key of keys) {
      if (key.kind === 'service') { services.set(serviceKey(key.namespace, key.name), key); continue; }
      // Eip keys are rare (a spec change, a deletion): one at a time, before the Services.
      this.work.eips++;
      await this.eipWork.reconcile(key.name).catch((e: unknown) => outcomes.push([key, failed(e)]));
    }
    this.work.services += services.size;
    if (services.size && live()) {
      for (const [k, o] of await this.serviceWork.reconcile([...services.keys()], live)) outcomes.push([services.get(k)!, o]);
    }
    return outcomes;
  }
}

function keyOf(s: V1Service): string {
  return serviceKey(s.metadata?.namespace ?? '', s.metadata?.name ?? '');
}
