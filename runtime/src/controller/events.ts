// Kubernetes Events (core/v1) about Services and Eips, the way client-go's recorder writes
// them: cluster-scoped objects (Eips) get their events in the "default" namespace.
//
// Recording is best effort and never delays an allocation: events wait in a queue while the
// controller has allocation work (`busy`), for at most MAX_HOLD_MS, and then go out a few at a
// time. (client-go's recorder is asynchronous too, and drops events when its queue is full.)
import type { CoreV1Event, V1ObjectReference } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import type { ControllerIo } from './io';

export const COMPONENT = 'openelb-controller';

/** Longest an event waits for the controller to be idle. */
const MAX_HOLD_MS = 10_000;
const IN_FLIGHT = 2;
const MAX_QUEUED = 10_000;

export interface EventTarget {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
}

interface Queued { namespace: string; body: CoreV1Event; at: number }

export class EventRecorder {
  private readonly queue: Queued[] = [];
  private inFlight = 0;
  private timer?: NodeJS.Timeout;
  private dropped = 0;
  /** True while allocation work is queued or running: events wait (see wake()). */
  busy: () => boolean = () => false;

  constructor(private readonly io: ControllerIo, private readonly instance: string, private readonly log: (msg: string) => void) {}

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
    if (this.queue.length >= MAX_QUEUED) {
      if (this.dropped++ === 0) this.log(`event queue full (${MAX_QUEUED}); dropping events`);
      return;
    }
    this.dropped = 0;
    this.queue.push({ namespace, body, at: Date.now() });
    this.pump();
  }

  /** Sends what waits now: the controller has become idle. */
  wake(): void {
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < IN_FLIGHT && this.queue.length) {
      const wait = this.queue[0].at + MAX_HOLD_MS - Date.now();
      if (wait > 0 && this.busy()) {
        if (!this.timer) {
          this.timer = setTimeout(() => { this.timer = undefined; this.pump(); }, wait);
          this.timer.unref();
        }
        return;
      }
      const { namespace, body } = this.queue.shift()!;
      this.inFlight++;
      this.io.createEvent(namespace, body).catch((e: unknown) => {
        this.log(`could not record event ${body.reason} on ${body.involvedObject.kind} ${body.involvedObject.name}: ${e instanceof Error ? e.message : String(e)}`);
      }).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }
}
