// Small helpers around @kubernetes/client-node shared by the runtime and the cluster tests:
// comparing resourceVersions and retrying a read-modify-write on conflict. Kubeconfig loading
// lives in ./kubeconfig and error decoding in ./errors; they are re-exported here for the
// modules that import them from this file.
import { isConflict } from './errors';
import { reuseConnections } from './keepAlive';

export { reuseConnections };
export { loadKubeConfig } from './kubeconfig';
export { describeError, isAlreadyExists, isConflict, isNotFound, statusCode } from './errors';

/**
 * An object's resourceVersion as a number, to tell which of two copies is newer (0 when absent or
 * not numeric). Kubernetes calls it opaque, but the controller compares its own writes with
 * informer events of one object, which etcd numbers in order.
 */
export function resourceVersionOf(o: { metadata?: { resourceVersion?: string } } | undefined): bigint {
  try { return BigInt(o?.metadata?.resourceVersion ?? '0'); } catch { return 0n; }
}

/**
 * Runs a read-modify-write until it does not hit a resourceVersion conflict.
 * `fn` must read the object fresh each time and send its resourceVersion.
 */
export async function retryOnConflict<T>(fn: () => Promise<T>, attempts = 8): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!isConflict(e) || i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, Math.min(20 * 2 ** i, 500) * Math.random()));
    }
  }
}
