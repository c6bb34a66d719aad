// The allocation controller: watches Services, Eips and Namespaces with informers, and while it
// leads, reconciles one key at a time ("svc:ns/name" or "eip:name") through the pure allocator.
//
// The record of who holds which address is each Eip's status.used (as in OpenELB). Claiming an
// address is a resourceVersion-checked write of that status, so even two controllers racing
// cannot hand one address to two Services: the loser re-reads the Eip and chooses again.
// On start (and on every leadership gain) the state is rebuilt from the Eips' status, and a
// Service whose status shows an address no Eip records re-adopts it: a restart moves nothing.
import {
  makeInformer, type Informer, type KubeConfig, type ObjectCache, type KubernetesObject,
  type V1Namespace, type V1Service,
} from '@kubernetes/client-node';
import { formatIp } from '../../../server/src/core/address/ip';
import {
  Allocations, hold, planService, poolStateFromEip, serviceKey, serviceRequest, unhold,
  SERVICE_FINALIZER, type EipObject, type Plan,
} from '../allocator';
import { describeError, isNotFound } from '../kube/client';
import { canonical, desiredEipStatus } from './eipStatus';
import { EventRecorder } from './events';
import { EIP_PLURAL, EIP_VERSION, GROUP, KubeIo } from './kubeIo';
import type { PoolMetrics } from './metrics';
import { WorkQueue } from './workQueue';

type Cache<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

const rv = (o: { metadata?: { resourceVersion?: string } } | undefined): bigint => {
  try { return BigInt(o?.metadata?.resourceVersion ?? '0'); } catch { return 0n; }
};

export class AllocationController {
  readonly io: KubeIo;
  private readonly events: EventRecorder;
  private readonly services: Cache<V1Service>;
  private readonly eips: Cache<EipObject & KubernetesObject>;
  private readonly namespaces: Cache<V1Namespace>;
  private allocs = new Allocations();
  /** The newest Eip objects seen (from the informer or our own writes). */
  private readonly eipObjects = new Map<string, EipObject>();
  private queue?: WorkQueue;
  private leading = false;
  private stopped = false;
  private synced = false;
  /** Last failure message per Service and last problem report per Eip, to avoid repeating events. */
  private readonly failures = new Map<string, string>();
  private readonly eipReports = new Map<string, string>();
  readonly counters = { allocations: 0, releases: 0, failures: 0 };

  constructor(kc: KubeConfig, identity: string, private readonly log: (msg: string) => void) {
    this.io = new KubeIo(kc);
    this.events = new EventRecorder(kc, identity, log);
    this.services = makeInformer(kc, '/api/v1/services', () => this.io.core.listServiceForAllNamespaces());
    this.namespaces = makeInformer(kc, '/api/v1/namespaces', () => this.io.core.listNamespace());
    this.eips = makeInformer(kc, `/apis/${GROUP}/${EIP_VERSION}/${EIP_PLURAL}`,
      () => this.io.listEips() as never);

    for (const verb of ['add', 'update'] as const) {
      this.services.on(verb, (s) => this.enqueue(`svc:${keyOf(s)}`));
      this.eips.on(verb, (e) => this.onEip(e));
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

  /** Called on gaining leadership: rebuild the allocation state from the Eips, then reconcile all. */
  startLeading(): void {
    this.leading = true;
    this.allocs = new Allocations();
    for (const e of this.eips.list()) this.observeEip(e);
    this.queue = new WorkQueue((k) => this.handle(k), (k, e) => this.log(`reconcile ${k}: ${describeError(e)}`));
    for (const name of this.eipObjects.keys()) this.queue.add(`eip:${name}`);
    for (const s of this.services.list()) this.queue.add(`svc:${keyOf(s)}`);
    this.log('became leader; reconciling every Eip and Service');
  }

  stopLeading(): void {
    if (this.leading) this.log('lost leadership; not allocating');
    this.leading = false;
    this.queue?.stop();
    this.queue = undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopLeading();
    await Promise.all([this.services.stop(), this.eips.stop(), this.namespaces.stop()]);
  }

  /** Resolves when no reconcile is queued or running (for tests and graceful shutdown). */
  idle(): Promise<void> {
    return this.queue?.idle() ?? Promise.resolve();
  }

  poolMetrics(): PoolMetrics[] {
    return [...this.allocs.pools.values()].map((s) => ({
      name: s.name,
      size: s.pool ? Number(s.pool.last - s.pool.first + 1n) : 0,
      used: s.used.size,
      services: [...s.holders.values()].reduce((n, k) => n + k.length, 0),
      valid: s.problems.length === 0,
    }));
  }

  private enqueue(key: string): void {
    if (this.leading) this.queue?.add(key);
  }

  /** Takes in an Eip object if it is newer than the one we know; returns whether it was. */
  private observeEip(e: EipObject): boolean {
    const name = e.metadata?.name ?? '';
    const known = this.eipObjects.get(name);
    if (known && rv(known) > rv(e)) return false;
    this.eipObjects.set(name, e);
    this.allocs.setPool(poolStateFromEip(e));
    return true;
  }

  private onEip(e: EipObject): void {
    if (!this.observeEip(e)) return;
    this.enqueue(`eip:${e.metadata?.name ?? ''}`);
  }

  private onEipDeleted(name: string): void {
    const held = this.allocs.pools.get(name);
    const keys = held ? [...held.holders.values()].flat() : [];
    this.eipObjects.delete(name);
    this.allocs.removePool(name);
    this.eipReports.delete(name);
    for (const k of keys) this.enqueue(`svc:${k}`);
    this.enqueueWaiting();
  }

  private onNamespace(n: V1Namespace): void {
    for (const s of this.services.list(n.metadata?.name)) this.enqueue(`svc:${keyOf(s)}`);
  }

  /** Services that want an address and have none: a change in the pools may help them. */
  private enqueueWaiting(): void {
    for (const s of this.services.list()) {
      const key = keyOf(s);
      if (!this.allocs.allocationOf(key) && serviceRequest(s).wanted) this.enqueue(`svc:${key}`);
    }
  }

  private async handle(key: string): Promise<void> {
    if (!this.leading) return;
    if (key.startsWith('eip:')) await this.reconcileEip(key.slice(4));
    else if (key.startsWith('svc:')) await this.reconcileService(key.slice(4));
  }

  // ---- Eips ----

  private async reconcileEip(name: string): Promise<void> {
    const cached = this.eipObjects.get(name);
    if (!cached) return;
    const written = await this.io.updateEipStatus(name, cached, (fresh) => {
      const state = poolStateFromEip(fresh);
      // Drop holders whose Service no longer exists (OpenELB's syncEip does the same).
      for (const keys of [...state.holders.values()]) {
        for (const k of [...keys]) if (this.serviceGone(k)) unhold(state, k);
      }
      const status = desiredEipStatus(fresh, state);
      return canonical(status) === canonical(fresh.status ?? {}) ? undefined : status;
    }).catch((e: unknown) => {
      if (isNotFound(e)) return undefined;
      throw e;
    });
    if (!written) return;
    this.observeEip(written);
    const state = this.allocs.pools.get(name);
    const report = state?.problems.join('; ') ?? '';
    if (report && this.eipReports.get(name) !== report) {
      this.events.record(eipRef(written), 'Warning', 'add/update eip', `Eip ${name} is not used for allocation: ${report}`);
    }
    this.eipReports.set(name, report);
    this.enqueueWaiting();
  }

  /** True when the informer has no such Service (its first list is complete before we lead). */
  private serviceGone(key: string): boolean {
    const [ns, name] = key.split('/');
    return !this.services.get(name, ns);
  }

  // ---- Services ----

  private async reconcileService(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const svc = this.services.get(name, ns);
    if (!svc) {
      // Deleted (without our finalizer, or after it was removed): free what it held.
      for (const a of this.allocs.allocationsOf(key)) await this.releaseInEip(a.eip, key);
      return;
    }
    const req = serviceRequest(svc);
    const plan: Plan = planService(req, this.allocs, this.namespaces.get(ns)?.metadata?.labels);
    switch (plan.action) {
      case 'none':
        if (svc.metadata?.finalizers?.includes(SERVICE_FINALIZER)) await this.io.setServiceMarks(svc, undefined);
        this.failures.delete(key);
        return;
      case 'keep':
        this.failures.delete(key);
        await this.showOnService(svc, plan.eip, this.ipText(plan.eip, plan.ip));
        return;
      case 'release': {
        const ip = this.ipText(plan.eip, plan.ip);
        for (const a of this.allocs.allocationsOf(key)) await this.releaseInEip(a.eip, key);
        const s2 = await this.io.setServiceIngress(svc, []);
        if (s2) await this.io.setServiceMarks(s2, undefined);
        this.counters.releases++;
        this.failures.delete(key);
        this.events.record(svcRef(svc), 'Normal', 'ReleaseIP', `success to release ip: ${ip}`);
        this.enqueueWaiting();
        return;
      }
      case 'assign': {
        const ok = await this.claimInEip(plan.eip, plan.ip, key, plan.shared);
        if (!ok) {
          // Someone else took the address meanwhile: the state is fresh now, decide again.
          this.queue?.add(`svc:${key}`);
          return;
        }
        for (const a of this.allocs.allocationsOf(key)) if (a.eip !== plan.eip) await this.releaseInEip(a.eip, key);
        const ip = this.ipText(plan.eip, plan.ip);
        await this.showOnService(svc, plan.eip, ip);
        this.counters.allocations++;
        this.failures.delete(key);
        this.events.record(svcRef(svc), 'Normal', 'AssignIP', `success to assign ip: ${ip}`);
        return;
      }
      case 'fail': {
        if (this.failures.get(key) !== plan.message) {
          this.counters.failures++;
          this.events.record(svcRef(svc), 'Warning', 'AssignIPFailed', plan.message);
          this.log(`service ${key}: ${plan.message}`);
        }
        this.failures.set(key, plan.message);
        if (plan.current) await this.showOnService(svc, plan.current.eip, this.ipText(plan.current.eip, plan.current.ip));
        // An address no Eip records for it (e.g. its Eip was deleted) must not stay on show.
        else if (req.statusIps.length) await this.io.setServiceIngress(svc, []);
        return;
      }
    }
  }

  private ipText(eip: string, ip: bigint): string {
    return formatIp(this.allocs.pools.get(eip)?.pool?.family ?? 4, ip);
  }

  /** Finalizer and pool label first (so a deletion waits for the release), then the status. */
  private async showOnService(svc: V1Service, eip: string, ip: string): Promise<void> {
    const marked = await this.io.setServiceMarks(svc, eip);
    if (marked) await this.io.setServiceIngress(marked, [ip]);
  }

  /**
   * Records in the Eip's status that the Service holds `ip` (and nothing else in that Eip).
   * Returns false when a fresh read shows another Service took the address first.
   */
  private async claimInEip(eip: string, ip: bigint, key: string, shared: boolean): Promise<boolean> {
    let taken = false;
    const written = await this.io.updateEipStatus(eip, this.eipObjects.get(eip), (fresh) => {
      const state = poolStateFromEip(fresh);
      const holders = state.holders.get(ip) ?? [];
      taken = state.problems.length > 0 || (!shared && holders.some((k) => k !== key));
      if (taken) {
        this.observeEip(fresh);
        return undefined;
      }
      unhold(state, key);
      hold(state, ip, key);
      return desiredEipStatus(fresh, state);
    });
    if (taken || !written) return false;
    this.observeEip(written);
    return true;
  }

  private async releaseInEip(eip: string, key: string): Promise<void> {
    try {
      const written = await this.io.updateEipStatus(eip, this.eipObjects.get(eip), (fresh) => {
        const state = poolStateFromEip(fresh);
        if (unhold(state, key).length === 0) return undefined;
        return desiredEipStatus(fresh, state);
      });
      if (written) this.observeEip(written);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      this.allocs.removePool(eip);
    }
  }
}

function keyOf(s: V1Service): string {
  return serviceKey(s.metadata?.namespace ?? '', s.metadata?.name ?? '');
}

function svcRef(s: V1Service) {
  return { apiVersion: 'v1', kind: 'Service', metadata: s.metadata };
}

function eipRef(e: EipObject) {
  return { apiVersion: `${GROUP}/${EIP_VERSION}`, kind: 'Eip', metadata: e.metadata };
}
