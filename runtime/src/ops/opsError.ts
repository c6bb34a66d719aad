// The failure rules of the `openelb` cluster commands (deploy, undeploy, strictarp, status), also
// run by the extension: every API call goes through kubeCall, which turns a failure into an
// OpsError whose message a user can act on (../kube/errors explainKubeError).
//
//   const kc = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context });
//   await kubeCall(kc, 'get', 'configmaps kube-system/kube-proxy', () => core.readNamespacedConfigMap(ref));
import type { KubeConfig } from '@kubernetes/client-node';
import { explainKubeError, isTooManyRequests, retryAfterMs } from '../kube/errors';

/** An error whose message is meant for the user as is (the CLI prints it and exits 1). */
export class OpsError extends Error {}

/**
 * Runs one API call and rethrows any failure as an OpsError with explainKubeError's message.
 * HTTP 429 (e.g. "storage is (re)initializing" right after a CRD appears) is retried after the
 * server's retryAfterSeconds, as client-go does.
 */
export async function kubeCall<T>(kc: KubeConfig, verb: string, resource: string, fn: () => Promise<T>, attempts = 10): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof OpsError) throw e;
      if (isTooManyRequests(e) && i < attempts) {
        await new Promise((r) => setTimeout(r, retryAfterMs(e)));
        continue;
      }
      throw new OpsError(explainKubeError(e, kc, verb, resource));
    }
  }
}
