// What the controller writes on a Service once the Eips record the decision about it: the
// finalizer and pool label, status.loadBalancer.ingress, and the events. Every write carries
// the Service's resourceVersion; on a conflict the Service is read again and the change made
// again on what was read, as long as it still asks for what the decision was made on.
//
// Each write's answer is held ahead of the watch (echoes.ts): a reconcile starts from it rather
// than from the informer's copy one write behind (which would only cost a conflict), and the
// watch's echo of our own write is not taken for a change (no reconcile).
import type { V1Service } from '@kubernetes/client-node';
import { SERVICE_FINALIZER, serviceRequest, type BatchDecision } from '../allocator';
import { isNotFound, retryOnConflict } from '../kube/client';
import { WatchEchoes, type Seen } from './echoes';
import type { EventRecorder } from './events';
import type { ControllerIo } from './io';
import { hasMarks, withAddress, withIngress, withMarks } from './serviceMarks';

export interface Counters { allocations: number; releases: number; failures: number }

type Part = 'main' | 'status';

export class ServiceWrites {
  private readonly echoes = new WatchEchoes<V1Service>();
  /** Last failure message per Service, so a Service that keeps failing gets one event. */
  private readonly failures = new Map<string, string>();
  /** False once a status write came back without the finalizer and label we sent with it. */
  private statusKeepsMetadata: boolean | undefined;

  constructor(
    private readonly io: ControllerIo,
    private readonly events: EventRecorder,
    /** The informer's copy of a Service ("namespace/name"), undefined once it is deleted. */
    private readonly cached: (key: string) => V1Service | undefined,
    /** Someone else changed the Service: it needs a reconcile. */
    private readonly changed: (key: string) => void,
    private readonly counters: Counters,
    private readonly log: (msg: string) => void,
  ) {}

  /** The newest copy of the Service we know of: our own last write's, or the informer's. */
  latest(key: string): V1Service | undefined {
    return this.echoes.copy(key) ?? this.cached(key);
  }

  /** An informer event (deleted: a delete event); others' changes are reported through `changed`. */
  onEvent(key: string, svc: V1Service, deleted = false): void {
    this.report(key, this.echoes.event(key, svc, deleted));
  }

  onRelist(): void {
    this.echoes.relist();
  }

  forget(key: string): void {
    this.echoes.forget(key);
    this.failures.delete(key);
  }

  private report(key: string, seen: Seen): void {
    // An older version than our copy may still be someone else's change (read after a conflict).
    if (seen === 'news' || seen === 'older') this.changed(key);
  }

  /**
   * Shows a committed decision on the Service. `ip` is the address the decision names, as
   * text (for assign, keep and release), and `currentIp` the one a failing Service keeps.
   * Rejects when a write fails.
   */
  async apply(key: string, d: BatchDecision, ip?: string, currentIp?: string): Promise<void> {
    const svc = this.latest(key);
    if (!svc || d.action === 'gone') return; // deleted meanwhile: nothing to show
    switch (d.action) {
      case 'none':
        this.failures.delete(key);
        if (svc.metadata?.finalizers?.includes(SERVICE_FINALIZER)) await this.unmark(key, svc);
        return;
      case 'keep':
        this.failures.delete(key);
        await this.show(key, svc, d.eip, ip!);
        return;
      case 'release': {
        const cleared = await this.update(key, svc, 'status', (s) => withIngress(s, []));
        if (cleared) await this.update(key, cleared, 'main', (s) => withMarks(s, undefined));
        this.counters.releases++;
        this.failures.delete(key);
        this.events.record(svcRef(svc), 'Normal', 'ReleaseIP', `success to release ip: ${ip}`);
        return;
      }
      case 'assign':
        if (!await this.show(key, svc, d.eip, ip!)) return;
        this.counters.allocations++;
        this.failures.delete(key);
        this.events.record(svcRef(svc), 'Normal', 'AssignIP', `success to assign ip: ${ip}`);
        return;
      case 'fail':
        await this.showFailure(key, svc, d.message, d.current?.eip, currentIp);
        return;
    }
  }

  /**
   * Ours no longer, and recorded nowhere: a release whose status write failed (or was made by
   * another controller) may have left the address on show; it goes before the finalizer does.
   */
  private async unmark(key: string, svc: V1Service): Promise<void> {
    const cleared = serviceRequest(svc).statusIps.length ? await this.update(key, svc, 'status', (s) => withIngress(s, [])) : svc;
    if (cleared) await this.update(key, cleared, 'main', (s) => withMarks(s, undefined));
  }

  private async showFailure(key: string, svc: V1Service, message: string, eip?: string, currentIp?: string): Promise<void> {
    if (this.failures.get(key) !== message) {
      this.counters.failures++;
      this.events.record(svcRef(svc), 'Warning', 'AssignIPFailed', message);
      this.log(`service ${key}: ${message}`);
    }
    this.failures.set(key, message);
    if (eip && currentIp) await this.show(key, svc, eip, currentIp);
    // An address no Eip records for it (e.g. its Eip was deleted) must not stay on show.
    else if (serviceRequest(svc).statusIps.length) await this.update(key, svc, 'status', (s) => withIngress(s, []));
  }

  /**
   * The finalizer and pool label never come after the address (a deletion must wait for the
   * release): one status write carries all three, or, on a server that drops metadata changes
   * made through the status, the finalizer and label are written first from then on.
   */
  private async show(key: string, svc: V1Service, eip: string, ip: string): Promise<boolean> {
    if (this.statusKeepsMetadata !== false) {
      const shown = await this.update(key, svc, 'status', (s) => withAddress(s, eip, [ip]));
      if (!shown) return false;
      if (hasMarks(shown, eip)) return true;
      this.statusKeepsMetadata = false;
      this.log('the API server drops metadata written through Service status; writing the finalizer and label separately');
      return !!await this.update(key, shown, 'main', (s) => withMarks(s, eip));
    }
    const marked = await this.update(key, svc, 'main', (s) => withMarks(s, eip));
    return !!marked && !!await this.update(key, marked, 'status', (s) => withIngress(s, [ip]));
  }

  /**
   * Read-modify-write of a Service (its main resource or its status): `change` returns the new
   * object, or undefined when nothing needs writing. After a conflict the change is made again
   * on the Service as read, if it still asks for what the decision was made on; otherwise (and
   * when the Service is gone) nothing is written and the result is undefined: the change that
   * came in between queues a reconcile of its own.
   */
  private async update(key: string, svc: V1Service, part: Part, change: (s: V1Service) => V1Service | undefined): Promise<V1Service | undefined> {
    const namespace = svc.metadata?.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    const asked = asks(svc);
    let current: V1Service | undefined = svc;
    try {
      return await retryOnConflict(async () => {
        const s = current ?? await this.io.getService(namespace, name);
        if (!current && asks(s) !== asked) return undefined;
        current = undefined;
        const body = change(s);
        return body ? this.write(key, part, body) : s;
      });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** One PUT; its answer is held ahead of the watch. */
  private write(key: string, part: Part, body: V1Service): Promise<V1Service> {
    const send = (): Promise<V1Service> => (part === 'main' ? this.io.replaceService(body) : this.io.replaceServiceStatus(body));
    return this.echoes.around(key, send, (stored) => stored, (events) => {
      for (const e of events) this.report(key, e.seen);
    });
  }
}

/** What the Service asks of OpenELB (a decision holds only for that). */
function asks(s: V1Service): string {
  const r = serviceRequest(s);
  return JSON.stringify([r.wanted, r.requestedIp, r.requestedPool, r.families]);
}

function svcRef(s: V1Service) {
  return { apiVersion: 'v1', kind: 'Service', metadata: s.metadata };
}
