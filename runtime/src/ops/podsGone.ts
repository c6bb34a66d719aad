// Waiting for the runtime's pods to stop, so undeploy deletes their RBAC only after they have
// released their Leases (a stopping controller or speaker without RBAC gets HTTP 403).
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { restCall } from '../kube/rest';
import { kubeCall } from './opsError';
import { NAMESPACE } from './names';

/** Every pod of the runtime carries this label (manifests.ts, podLabels). */
export const POD_SELECTOR = 'app.kubernetes.io/name=openelb';
export const POD_WAIT_MS = 60_000;

/** Names of the runtime's pods still present (running or terminating) in openelb-system. */
export async function runtimePods(kc: KubeConfig): Promise<string[]> {
  const list = await kubeCall(kc, 'list', `pods in ${NAMESPACE}`, () =>
    restCall(kc, 'GET', `/api/v1/namespaces/${NAMESPACE}/pods`, { query: { labelSelector: POD_SELECTOR } })) as { items?: V1Pod[] };
  return (list.items ?? []).map((p) => p.metadata?.name ?? '').sort();
}

/**
 * Polls until no runtime pod is left or `timeoutMs` passed; reports each change of the set via
 * `note`. Returns the pods still present (empty when all stopped). A cluster without kubelets
 * never has pods, so this returns at once there.
 */
export async function waitPodsGone(kc: KubeConfig, timeoutMs = POD_WAIT_MS, note: (m: string) => void = () => {}, pollMs = 1000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const pods = await runtimePods(kc);
    if (pods.length === 0) return pods;
    if (Date.now() >= deadline) {
      note(`${pods.length} runtime pod(s) still present after ${Math.round(timeoutMs / 1000)} s: ${pods.join(', ')}; continuing (they may fail to release their Leases)`);
      return pods;
    }
    const key = pods.join(',');
    if (key !== last) note(`waiting for ${pods.length} runtime pod(s) to stop: ${pods.join(', ')}`);
    last = key;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
