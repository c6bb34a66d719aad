// What the controller's work queue holds: a Service or an Eip to reconcile. The string form is
// the queue's own business (a Map key); nothing parses it back.
import { serviceKey } from '../allocator';

export type QueueKey =
  | { kind: 'service'; namespace: string; name: string }
  | { kind: 'eip'; name: string };

export const serviceQueueKey = (namespace: string, name: string): QueueKey => ({ kind: 'service', namespace, name });

export const eipQueueKey = (name: string): QueueKey => ({ kind: 'eip', name });

/** A stable string per key, for the queue's maps. */
export function queueId(k: QueueKey): string {
  return k.kind === 'service' ? `service\0${k.namespace}\0${k.name}` : `eip\0${k.name}`;
}

/** The key for logs: "service ns/name", "eip name". */
export function describeKey(k: QueueKey): string {
  return k.kind === 'service' ? `service ${serviceKey(k.namespace, k.name)}` : `eip ${k.name}`;
}
