// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it:
// the holder renews spec.renewTime every retry period; another candidate takes the Lease over
// only when renewTime + leaseDurationSeconds has passed. Every write carries the Lease's
// resourceVersion, so two candidates can never both win the same round.
import { V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import { describeError, isAlreadyExists, isConflict, isNotFound } from '../kube/client';
import { LABELS } from '../ops/names';
import type { ControllerIo } from './io';

/**
 * Our label on the Lease (also on one taken over, e.g. upstream v0.6's of the same name): undeploy
 * deletes the runtime's labelled objects and keeps openelb-system only for others' objects.
 */
function labelled(md: V1Lease['metadata'] = {}): V1Lease['metadata'] {
  return { ...md, labels: { ...md.labels, ...LABELS } };
}

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  log?: (msg: string) => void;
}

export class LeaderElector {
  private timer?: NodeJS.Timeout;
  private leading = false;
  private stopped = false;
  private lastRenew = 0;
  private readonly duration: number;
  private readonly retry: number;

  constructor(private readonly io: Pick<ControllerIo, 'getLease' | 'createLease' | 'replaceLease'>, private readonly o: LeaderElectionOptions) {
    this.duration = o.leaseDurationSeconds ?? 15;
    this.retry = o.retryPeriodMs ?? 2000;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    void this.tick();
  }

  private schedule(): void {
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.retry);
  }

  private async tick(): Promise<void> {
    try {
      const won = await this.tryAcquireOrRenew();
      if (won) this.lastRenew = Date.now();
    } catch (e) {
      this.o.log?.(`leader election: ${describeError(e)}`);
    }
    // A leader that could not renew for a whole lease duration must assume it lost the Lease.
    const stillLeader = this.lastRenew > 0 && Date.now() - this.lastRenew < this.duration * 1000 * 0.8;
    if (stillLeader && !this.leading && !this.stopped) {
      this.leading = true;
      this.o.onStartedLeading();
    } else if (!stillLeader && this.leading) {
      this.leading = false;
      this.o.onStoppedLeading();
    }
    this.schedule();
  }

  private spec(transitions: number, acquire?: V1MicroTime): V1Lease['spec'] {
    const now = new V1MicroTime();
    return {
      holderIdentity: this.o.identity, leaseDurationSeconds: this.duration,
      acquireTime: acquire ?? now, renewTime: now, leaseTransitions: transitions,
    };
  }

  /** True when this candidate holds the Lease after this round. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.o;
    let lease: V1Lease;
    try {
      lease = await this.io.getLease(namespace, name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      try {
        await this.io.createLease({ metadata: labelled({ name, namespace }), spec: this.spec(0) });
        return true;
      } catch (e2) {
        if (isAlreadyExists(e2)) return false;
        throw e2;
      }
    }
    const spec = lease.spec ?? {};
    const mine = spec.holderIdentity === identity;
    const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
    const expired = !spec.holderIdentity || renewed + (spec.leaseDurationSeconds ?? this.duration) * 1000 < Date.now();
    if (!mine && !expired) {
      this.lastRenew = 0; // another replica holds a live Lease
      return false;
    }
    const transitions = (spec.leaseTransitions ?? 0) + (mine ? 0 : 1);
    try {
      await this.io.replaceLease({
        ...lease, metadata: labelled(lease.metadata), spec: this.spec(transitions, mine && spec.acquireTime ? new V1MicroTime(spec.acquireTime) : undefined),
      });
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  /** Stops campaigning; a leader hands the Lease back so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const wasLeader = this.leading;
    if (this.leading) {
      this.leading = false;
      this.o.onStoppedLeading();
    }
    if (!wasLeader) return;
    try {
      const { namespace, name } = this.o;
      const lease = await this.io.getLease(namespace, name);
      if (lease.spec?.holderIdentity !== this.o.identity) return;
      await this.io.replaceLease({ ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: new V1MicroTime() } });
    } catch (e) {
      this.o.log?.(`leader election: could not release the Lease: ${describeError(e)}`);
    }
  }
}
