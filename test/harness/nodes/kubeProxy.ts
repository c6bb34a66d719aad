// kube-proxy as kubeadm installs it: a DaemonSet in kube-system reading the kube-proxy
// ConfigMap (config.conf + kubeconfig.conf), under the kube-proxy ServiceAccount bound to
// system:node-proxier. This is what `openelb strictarp` reads and restarts.
// The file is kubeadm's (test/harness/cluster/fixtures.ts) with this cluster's addresses, and conntrack
// limits left to the host: those sysctls cannot be written from a node's network namespace.
import type { KubeConfig } from '@kubernetes/client-node';
import { restCall } from '../../../runtime/src/kube/rest';
import { kubeProxyConfigMap, kubeProxyDaemonSet } from '../cluster/fixtures';
import { API_PORT, HOSTS, POD_CIDR, POD_CIDR_V6 } from './layout';

export function nodeTierKubeProxyConfigMap(): ReturnType<typeof kubeProxyConfigMap> {
  const cm = kubeProxyConfigMap('iptables', false);
  const edits: [string, string][] = [
    ['clusterCIDR: 10.244.0.0/16', `clusterCIDR: ${POD_CIDR},${POD_CIDR_V6}`],
    ['  maxPerCore: null', '  maxPerCore: 0'],
    ['  tcpCloseWaitTimeout: null', '  tcpCloseWaitTimeout: 0s'],
    ['  tcpEstablishedTimeout: null', '  tcpEstablishedTimeout: 0s'],
    ['  localhostNodePorts: null', '  localhostNodePorts: false'],
    ['healthzBindAddress: ""', 'healthzBindAddress: 127.0.0.1:10256'],
    ['metricsBindAddress: ""', 'metricsBindAddress: 127.0.0.1:10249'],
  ];
  let conf = cm.data!['config.conf'];
  for (const [from, to] of edits) {
    if (!conf.includes(from)) throw new Error(`kube-proxy config.conf: "${from}" not found (the fixture changed)`);
    conf = conf.replace(from, to);
  }
  cm.data!['config.conf'] = conf;
  cm.data!['kubeconfig.conf'] = cm.data!['kubeconfig.conf'].replace('https://192.168.0.10:6443', `https://${HOSTS.api.v4}:${API_PORT}`);
  return cm;
}

async function apply(kc: KubeConfig, path: string, body: object): Promise<void> {
  await restCall(kc, 'PATCH', path, { body, contentType: 'application/apply-patch+yaml', query: { fieldManager: 'kubeadm', force: 'true' } });
}

/** Installs kube-proxy; the kubelets start its pods. */
export async function installKubeProxy(kc: KubeConfig): Promise<void> {
  await apply(kc, '/api/v1/namespaces/kube-system/serviceaccounts/kube-proxy',
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'kube-proxy', namespace: 'kube-system' } });
  await apply(kc, '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/kubeadm:node-proxier', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'kubeadm:node-proxier' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:node-proxier' },
    subjects: [{ kind: 'ServiceAccount', name: 'kube-proxy', namespace: 'kube-system' }],
  });
  await apply(kc, '/api/v1/namespaces/kube-system/configmaps/kube-proxy', nodeTierKubeProxyConfigMap());
  await apply(kc, '/apis/apps/v1/namespaces/kube-system/daemonsets/kube-proxy', kubeProxyDaemonSet());
}
