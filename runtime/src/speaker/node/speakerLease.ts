// The speaker's heartbeat (I/O): a coordination.k8s.io/v1 Lease `openelb-speaker-<node>` renewed
// every `renewMs`. Other speakers treat this node as live while they see the Lease change
// (plan/liveSet.ts); on a clean stop the Lease is deleted so they take over at once instead of
// waiting for it to lapse. Renewal failures are logged once per outage, not at every retry.
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { describeError, isConflict, isNotFound } from '../../kube/errors';
import { withTimeout } from './gossipLink';
import { LEASE_DURATION_MS_ANNOTATION, SPEAKER_LEASE_PREFIX } from './liveness';
import { monotonicNow } from './scheduler';

export interface LeaseOptions {
  namespace: string;
  node: string;
  renewMs: number;
  durationMs: number;
  log: (m: string) => void;
  /** Called when renewals start or stop succeeding in time (the plan reads liveness from the
   * watch, plan/liveSet.ts, not from here). */
  onChange: () => void;
  /** More annotations to write at each renewal (gossip state, death declarations); a key whose
   * value is '' is removed. */
  annotations?: () => Record<string, string>;
  /** Each API request gives up after this long (default REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
}

/** A renewal stuck in a stalled connection must not hold up the next one. */
export const LEASE_REQUEST_TIMEOUT_MS = 5000;

export class SpeakerLease {
  private readonly api: CoordinationV1Api;
  private current?: V1Lease;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private lastRenewed = 0;
  private failingSince?: number;
  private wasHealthy = false;
  private inflight?: Promise<void>;
  private busy = false;
  private again = false;

  constructor(kc: KubeConfig, private readonly o: LeaseOptions) {
    this.api = kc.makeApiClient(CoordinationV1Api);
  }

  get name(): string { return `${SPEAKER_LEASE_PREFIX}${this.o.node}`; }

  /** True while our last renewal is younger than the Lease duration (for /metrics; not for the plan). */
  healthy(now = monotonicNow()): boolean {
    return this.lastRenewed > 0 && now - this.lastRenewed < this.o.durationMs;
  }

  /** Renews once (creating the Lease if needed), then keeps renewing in the background. */
  async start(): Promise<void> {
    await this.tick();
  }

  /** Renews now rather than at the next period; if a renewal is under way, once more after it
   * (it may have been sent before what must be written now). */
  renewNow(): void {
    if (this.stopped) return;
    if (this.busy) { this.again = true; return; }
    if (this.timer) clearTimeout(this.timer);
    void this.tick();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.busy = true;
    try {
      this.inflight = this.renew();
      await this.inflight;
      this.lastRenewed = monotonicNow();
      if (this.failingSince !== undefined) {
        this.o.log(`renewed Lease ${this.o.namespace}/${this.name} again after ${((this.lastRenewed - this.failingSince) / 1000).toFixed(1)} s of failures`);
      }
      this.failingSince = undefined;
    } catch (e) {
      this.current = undefined;
      if (this.failingSince === undefined && !this.stopped) {
        this.o.log(`cannot renew Lease ${this.o.namespace}/${this.name}: ${describeError(e)}; retrying every ${this.o.renewMs} ms, `
          + 'serving the last plan meanwhile (logged once until it succeeds)');
      }
      this.failingSince ??= monotonicNow();
    }
    this.busy = false;
    const h = this.healthy();
    if (h !== this.wasHealthy) { this.wasHealthy = h; this.o.onChange(); }
    const next = this.again ? 0 : this.o.renewMs;
    this.again = false;
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), next);
  }

  private spec(): V1Lease['spec'] {
    // Whole seconds for other readers of the Lease; the exact duration in the annotation for ours.
    return { holderIdentity: this.o.node, leaseDurationSeconds: Math.ceil(this.o.durationMs / 1000), renewTime: new V1MicroTime() };
  }

  private metadata(base: V1Lease['metadata'] = {}): V1Lease['metadata'] {
    const annotations: Record<string, string> = { ...base.annotations, [LEASE_DURATION_MS_ANNOTATION]: String(this.o.durationMs) };
    for (const [k, v] of Object.entries(this.o.annotations?.() ?? {})) {
      if (v === '') delete annotations[k];
      else annotations[k] = v;
    }
    return { ...base, annotations };
  }

  private timed<T>(p: Promise<T>, what: string): Promise<T> {
    return withTimeout(p, this.o.requestTimeoutMs ?? LEASE_REQUEST_TIMEOUT_MS, what);
  }

  private async renew(): Promise<void> {
    const { namespace } = this.o;
    const name = this.name;
    if (this.current) {
      try {
        this.current = await this.timed(this.api.replaceNamespacedLease({ name, namespace, body: { ...this.current, metadata: this.metadata(this.current.metadata), spec: { ...this.current.spec, ...this.spec() } } }), 'renewing the Lease');
        return;
      } catch (e) {
        if (!isConflict(e) && !isNotFound(e)) throw e;
      }
    }
    try {
      const got = await this.timed(this.api.readNamespacedLease({ name, namespace }), 'reading the Lease');
      this.current = await this.timed(this.api.replaceNamespacedLease({ name, namespace, body: { ...got, metadata: this.metadata(got.metadata), spec: { ...got.spec, ...this.spec() } } }), 'renewing the Lease');
    } catch (e) {
      if (!isNotFound(e)) throw e;
      this.current = await this.timed(this.api.createNamespacedLease({ namespace, body: { metadata: this.metadata({ name, namespace }), spec: this.spec() } }), 'creating the Lease');
    }
  }

  /** Stops renewing and deletes the Lease (best effort). */
  async release(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.lastRenewed = 0;
    await this.inflight?.catch(() => undefined);
    try {
      await this.timed(this.api.deleteNamespacedLease({ name: this.name, namespace: this.o.namespace }), 'deleting the Lease');
    } catch (e) {
      if (!isNotFound(e)) this.o.log(`cannot delete Lease ${this.name}: ${describeError(e)}`);
    }
  }
}
