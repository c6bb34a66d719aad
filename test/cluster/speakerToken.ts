// A speaker's credentials as a real pod on a node gets them: a ServiceAccount token bound by
// TokenRequest to a Pod scheduled on that node, so the API server puts the node's name in the
// token's user extra (authentication.kubernetes.io/node-name), which the node-scope admission
// policy reads. No kubelet runs the Pod; it exists only to bind the token to, and the token is
// valid only while it exists.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../runtime/src/kube/kubeconfig';
import { restCall } from '../../runtime/src/kube/rest';
import { writeKubeconfig } from './opsHelpers';

export interface BoundSpeaker {
  kc: KubeConfig;
  /** Deletes the Pod at once (no kubelet would confirm a graceful delete); the token dies with it. */
  remove(): Promise<void>;
}

export async function speakerOnNode(admin: KubeConfig, dir: string, server: string, node: string, account = 'openelb-speaker'): Promise<BoundSpeaker> {
  const ns = 'openelb-system';
  const core = admin.makeApiClient(CoreV1Api);
  const pod = await core.createNamespacedPod({ namespace: ns, body: {
    metadata: { generateName: `token-probe-${node}-` },
    spec: { nodeName: node, serviceAccountName: account, automountServiceAccountToken: false, containers: [{ name: 'c', image: 'none' }] },
  } });
  const name = pod.metadata!.name!;
  const tr = await core.createNamespacedServiceAccountToken({ name: account, namespace: ns, body: {
    spec: { audiences: [], expirationSeconds: 600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name, uid: pod.metadata!.uid } },
  } });
  const token = tr.status?.token;
  if (!token) throw new Error(`no token minted for ${account} bound to ${name}`);
  return {
    kc: loadKubeConfig({ kubeconfig: writeKubeconfig(dir, `speaker-${node}.kubeconfig`, server, token) }),
    remove: async () => { await restCall(admin, 'DELETE', `/api/v1/namespaces/${ns}/pods/${name}`, { query: { gracePeriodSeconds: '0' } }); },
  };
}
