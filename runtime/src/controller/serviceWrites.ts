// What the controller writes on a Service once the Eips record the decision about it: the
// finalizer and pool label, status.loadBalancer.ingress, and the events. Every write carries the
// Service's resourceVersion and retries on conflict (see KubeIo).
//
// It also remembers each Service as our own last write returned it, until the informer catches
// up: a reconcile that starts from the informer's copy one write behind would only cost a
// conflict and a re-read.
import type { V1Service } from '@kubernetes/client-node';
import { SERVICE_FINALIZER, serviceRequest, type BatchDecision } from '../allocator';
import type { EventRecorder } from './events';
import { resourceVersionOf as rv } from '../kube/client';
import { hasMarks, type KubeIo } from './kubeIo';


export interface Counters { allocations: number; releases: number; failures: number }

export class ServiceWrites {
  private readonly written = new Map<string, V1Service>();
  /** Last failure message per Service, so a Service that keeps failing gets one event. */
  private readonly failures = new Map<string, string>();
  /** False once a status write came back without the finalizer and label we sent with it. */
  private statusKeepsMetadata: boolean | undefined;

  constructor(
    private readonly io: KubeIo,
    private readonly events: EventRecorder,
    /** The informer's copy of a Service ("namespace/name"), undefined once it is deleted. */
    private readonly cached: (key: string) => V1Service | undefined,
    private readonly counters: Counters,
    private readonly log: (msg: string) => void,
  ) {}

  /** The newest copy of the Service we know of: the informer's, or our own last write's. */
  latest(key: string): V1Service | undefined {
    const c = this.cached(key);
    const w = this.written.get(key);
    if (c && w && rv(w) > rv(c)) return w;
    this.written.delete(key);
    return c;
  }

  forget(key: string): void {
    this.written.delete(key);
    this.failures.delete(key);
  }

  private remember(key: string, s: V1Service | undefined): V1Service | undefined {
    if (s) this.written.set(key, s);
    return s;
  }

  /**
   * Shows a committed decision on the Service. `ip` is the address the decision names, as
   * text (for assign, keep and release), and `currentIp` the one a failing Service keeps.
   */
  async apply(key: string, d: BatchDecision, ip?: string, currentIp?: string): Promise<void> {
    const svc = this.latest(key);
    if (!svc || d.action === 'gone') return; // deleted meanwhile: nothing to show
    switch (d.action) {
      case 'none':
        this.failures.delete(key);
        if (svc.metadata?.finalizers?.includes(SERVICE_FINALIZER)) this.remember(key, await this.io.setServiceMarks(svc, undefined));
        return;
      case 'keep':
        this.failures.delete(key);
        await this.show(key, svc, d.eip, ip!);
        return;
      case 'release': {
        const cleared = this.remember(key, await this.io.setServiceIngress(svc, []));
        if (cleared) this.remember(key, await this.io.setServiceMarks(cleared, undefined));
        this.counters.releases++;
        this.failures.delete(key);
        this.events.record(svcRef(svc), 'Normal', 'ReleaseIP', `success to release ip: ${ip}`);
        return;
      }
      case 'assign':
        await this.show(key, svc, d.eip, ip!);
        this.counters.allocations++;
        this.failures.delete(key);
        this.events.record(svcRef(svc), 'Normal', 'AssignIP', `success to assign ip: ${ip}`);
        return;
      case 'fail': {
        if (this.failures.get(key) !== d.message) {
          this.counters.failures++;
          this.events.record(svcRef(svc), 'Warning', 'AssignIPFailed', d.message);
          this.log(`service ${key}: ${d.message}`);
        }
        this.failures.set(key, d.message);
        if (d.current && currentIp) await this.show(key, svc, d.current.eip, currentIp);
        // An address no Eip records for it (e.g. its Eip was deleted) must not stay on show.
        else if (serviceRequest(svc).statusIps.length) this.remember(key, await this.io.setServiceIngress(svc, []));
        return;
      }
    }
  }

  /**
   * The finalizer and pool label never come after the address (a deletion must wait for the
   * release): one status write carries all three, or, on a server that drops metadata changes
   * made through the status, the finalizer and label are written first from then on.
   */
  private async show(key: string, svc: V1Service, eip: string, ip: string): Promise<void> {
    if (this.statusKeepsMetadata !== false) {
      const shown = this.remember(key, await this.io.setServiceAddress(svc, eip, [ip]));
      if (!shown || hasMarks(shown, eip)) return;
      this.statusKeepsMetadata = false;
      this.log('the API server drops metadata written through Service status; writing the finalizer and label separately');
      this.remember(key, await this.io.setServiceMarks(shown, eip));
      return;
    }
    const marked = this.remember(key, await this.io.setServiceMarks(svc, eip));
    if (marked) this.remember(key, await this.io.setServiceIngress(marked, [ip]));
  }
}

function svcRef(s: V1Service) {
  return { apiVersion: 'v1', kind: 'Service', metadata: s.metadata };
}
