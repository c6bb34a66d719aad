// Small helpers around @kubernetes/client-node shared by the runtime and the cluster tests:
// loading a kubeconfig, recognising API errors, and retrying a read-modify-write on conflict.
import { ApiException, KubeConfig } from '@kubernetes/client-node';
import { reuseConnections } from './keepAlive';

export { reuseConnections };

/**
 * Loads a kubeconfig file, or the default chain ($KUBECONFIG, ~/.kube/config, in-cluster).
 * Its API clients reuse keep-alive connections (see ./keepAlive).
 */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error(`the kubeconfig${path ? ` ${path}` : ''} names no current cluster`);
  reuseConnections(kc);
  return kc;
}

/** The HTTP status of an API error, or undefined for other errors. */
export function statusCode(e: unknown): number | undefined {
  if (e instanceof ApiException) return e.code;
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * An object's resourceVersion as a number, to tell which of two copies is newer (0 when absent or
 * not numeric). Kubernetes calls it opaque, but the controller compares its own writes with
 * informer events of one object, which etcd numbers in order.
 */
export function resourceVersionOf(o: { metadata?: { resourceVersion?: string } } | undefined): bigint {
  try { return BigInt(o?.metadata?.resourceVersion ?? '0'); } catch { return 0n; }
}

export const isConflict = (e: unknown): boolean => statusCode(e) === 409;
export const isNotFound = (e: unknown): boolean => statusCode(e) === 404;
export const isAlreadyExists = (e: unknown): boolean => statusCode(e) === 409;

/** A short, secret-free description of an API error. */
export function describeError(e: unknown): string {
  if (e instanceof ApiException) {
    let msg = '';
    try {
      const body: unknown = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
      msg = (body as { message?: string } | undefined)?.message ?? '';
    } catch { msg = String(e.body).slice(0, 300); }
    return `HTTP ${e.code}${msg ? `: ${msg}` : ''}`;
  }
  return e instanceof Error ? e.message : String(e);
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
