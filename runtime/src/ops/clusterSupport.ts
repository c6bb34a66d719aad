// What deploy asks the cluster before it builds the manifests: whether the API server enforces
// ValidatingAdmissionPolicy (to confine the speakers, nodeScope.ts) and whether vip mode is in
// use (the speaker's CAP_NET_ADMIN).
import type { KubeConfig } from '@kubernetes/client-node';
import { GROUP, PLURALS, STORAGE_VERSION } from '@openelb/core/api/types';
import { statusCode } from '../kube/errors';
import { restCall } from '../kube/rest';
import { NAMESPACE, SPEAKER } from './names';
import { ADMISSION_DISCOVERY, POLICY_RESOURCE } from './nodeScope';
import { kubeCall } from './opsError';

// Upstream's users run Kubernetes 1.22, so deploy goes on there with the speakers' rights as
// upstream grants them, and says so rather than refusing.
export const UNCONFINED_WARNING = 'warning: this API server does not serve ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, Kubernetes 1.30+), '
  + 'which deploy uses to confine each speaker to its own Node, Lease and status entries; the speakers are deployed unconfined, '
  + 'so a compromised speaker pod could change every Node\'s annotations, every speaker Lease and any Eip status. '
  + 'Upgrade the control plane to 1.30 or later and deploy again to confine them.';

/** restCall's answer, or undefined on 404 (kubeCall turns every other failure into a message). */
const unless404 = (p: Promise<unknown>): Promise<unknown> => p.catch((e: unknown) => { if (statusCode(e) === 404) return undefined; throw e; });

/** Whether the API server enforces ValidatingAdmissionPolicy v1 (discovery, one GET). */
export async function servesAdmissionPolicies(kc: KubeConfig): Promise<boolean> {
  const list = await kubeCall(kc, 'get', ADMISSION_DISCOVERY, () => unless404(restCall(kc, 'GET', ADMISSION_DISCOVERY))) as { resources?: { name: string }[] } | undefined;
  return (list?.resources ?? []).some((r) => r.name === POLICY_RESOURCE);
}

/**
 * Whether the speaker needs CAP_NET_ADMIN for vip mode when deploy is not told: some Eip uses
 * vip already (no Eip CRD yet: none), or the deployed speaker has it (an earlier `--vip`), so a
 * plain redeploy never takes vip away from Eips about to be created.
 */
export async function vipInUse(kc: KubeConfig): Promise<boolean> {
  const path = `/apis/${GROUP}/${STORAGE_VERSION}/${PLURALS.Eip}`;
  const list = await kubeCall(kc, 'list', `${PLURALS.Eip}.${GROUP}`, () => unless404(restCall(kc, 'GET', path))) as { items?: { spec?: { protocol?: string } }[] } | undefined;
  if ((list?.items ?? []).some((e) => e.spec?.protocol === 'vip')) return true;
  const dsPath = `/apis/apps/v1/namespaces/${NAMESPACE}/daemonsets/${SPEAKER}`;
  const ds = await kubeCall(kc, 'get', `daemonsets ${NAMESPACE}/${SPEAKER}`, () => unless404(restCall(kc, 'GET', dsPath))) as
    { spec?: { template?: { spec?: { containers?: { securityContext?: { capabilities?: { add?: string[] } } }[] } } } } | undefined;
  return ds?.spec?.template?.spec?.containers?.some((c) => c.securityContext?.capabilities?.add?.includes('NET_ADMIN')) ?? false;
}
