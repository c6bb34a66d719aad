// What reconciling Eips and Services share: the parts of the controller they use, confirming
// that Services are gone, and freeing addresses.
import type { V1Service } from '@kubernetes/client-node';
import { parseServiceKey } from '../allocator';
import { isNotFound, retryOnConflict } from '../kube/client';
import type { EipRecord } from './eipRecord';
import type { EventRecorder } from './events';
import type { ControllerIo } from './io';
import type { Limiter } from './limiter';
import type { ServiceWrites } from './serviceWrites';

export interface Parts {
  io: ControllerIo;
  record: EipRecord;
  writes: ServiceWrites;
  events: EventRecorder;
  /** Bounds the API requests made for Services at once. */
  limit: Limiter;
  /** Labels of a namespace (for spec.namespaceSelector). */
  nsLabels(namespace: string): Record<string, string> | undefined;
  /** Queues the Services waiting for an address: a change in the pools may help them. */
  enqueueWaiting(): void;
  /** Queues the Eips whose overlap refusal changed with `changed`. */
  syncRefusals(changed: string): void;
  log(msg: string): void;
}

/** The keys among `keys` whose Service the API server says does not exist. */
export async function confirmGone(p: Parts, keys: string[]): Promise<string[]> {
  const found = await Promise.all(keys.map(async (key) => {
    const { namespace, name } = parseServiceKey(key);
    try {
      await p.limit.run((): Promise<V1Service> => p.io.getService(namespace, name));
      return undefined;
    } catch (e) {
      if (isNotFound(e)) return key;
      throw e;
    }
  }));
  return found.filter((k): k is string => k !== undefined);
}

/** Frees the Services' addresses in one Eip (one journal write, planned again on a conflict). */
export async function releaseFrom(p: Parts, eip: string, keys: string[]): Promise<void> {
  await retryOnConflict(async () => {
    await p.record.ensureCurrent();
    if (!p.record.allocs.pools.has(eip)) return;
    const basis = p.record.journal.version;
    const batch = p.record.allocs.overlay();
    for (const key of keys) batch.unholdAll(eip, key);
    await p.record.commit(batch, basis);
  });
}
