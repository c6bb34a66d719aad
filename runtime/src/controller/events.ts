// Kubernetes Events (core/v1) about Services and Eips, the way client-go's recorder writes
// them: cluster-scoped objects (Eips) get their events in the "default" namespace.
// Recording is best effort: a failed event never fails a reconcile.
import { CoreV1Api, type CoreV1Event, type KubeConfig, type V1ObjectReference } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';

export const COMPONENT = 'openelb-controller';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
}

export class EventRecorder {
  private readonly core: CoreV1Api;

  constructor(kc: KubeConfig, private readonly instance: string, private readonly log: (msg: string) => void) {
    this.core = kc.makeApiClient(CoreV1Api);
  }

  record(obj: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const name = obj.metadata?.name ?? '';
    const namespace = obj.metadata?.namespace || 'default';
    const ref: V1ObjectReference = {
      apiVersion: obj.apiVersion, kind: obj.kind, name, namespace: obj.metadata?.namespace,
      uid: obj.metadata?.uid, resourceVersion: obj.metadata?.resourceVersion,
    };
    const now = new Date();
    const body: CoreV1Event = {
      metadata: { name: `${name}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject: ref, reason, message: message.slice(0, 1024), type,
      source: { component: COMPONENT }, reportingComponent: COMPONENT, reportingInstance: this.instance,
      firstTimestamp: now, lastTimestamp: now, count: 1,
    };
    this.core.createNamespacedEvent({ namespace, body }).catch((e: unknown) => {
      this.log(`could not record event ${reason} on ${obj.kind} ${name}: ${e instanceof Error ? e.message : String(e)}`);
    });
  }
}
