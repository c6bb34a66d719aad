// What a kubeadm-built cluster has and a bare kube-apiserver lacks: Nodes with InternalIP
// addresses, the kube-proxy ConfigMap/DaemonSet/ServiceAccount in kube-system, namespaces,
// and (for OpenELB) its CustomResourceDefinitions.
import {
  ApiextensionsV1Api, AppsV1Api, CoreV1Api,
  type KubeConfig, type V1ConfigMap, type V1CustomResourceDefinition, type V1DaemonSet, type V1Node,
} from '@kubernetes/client-node';
import { buildCrds } from '@openelb/core/api/crds';
import { isAlreadyExists, loadKubeConfig } from '../../../runtime/src/kube/client';
import { restCall } from '../../../runtime/src/kube/rest';

export interface NodeFixture {
  name: string;
  ip: string;
  labels?: Record<string, string>;
}

export interface FixtureOptions {
  nodes?: NodeFixture[];
  /** kube-proxy mode written into config.conf (kubeadm default is iptables; OpenELB docs use ipvs). */
  kubeProxyMode?: 'ipvs' | 'iptables' | 'nftables';
  strictARP?: boolean;
  namespaces?: string[];
  /** Install the OpenELB CRDs (default true). */
  crds?: boolean;
}

export const DEFAULT_NODES: NodeFixture[] = [
  { name: 'master1', ip: '192.168.0.10', labels: { 'node-role.kubernetes.io/control-plane': '' } },
  { name: 'worker1', ip: '192.168.0.11' },
  { name: 'worker2', ip: '192.168.0.12' },
];

export const K8S_VERSION = 'v1.34.4';

export function nodeObject(n: NodeFixture): V1Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: n.name,
      labels: {
        'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64', ...n.labels,
      },
    },
    spec: {},
    status: {
      addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: n.name }],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      nodeInfo: {
        architecture: 'amd64', operatingSystem: 'linux', kubeletVersion: K8S_VERSION, kubeProxyVersion: '',
        bootID: '', containerRuntimeVersion: 'containerd://2.1.4', kernelVersion: '6.12.0', machineID: '',
        osImage: 'Debian GNU/Linux 13 (trixie)', systemUUID: '',
      },
    },
  };
}

/** The `config.conf` kubeadm writes into kube-system/kube-proxy (KubeProxyConfiguration). */
export function kubeProxyConfig(mode: string, strictARP: boolean): string {
  return `apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: ""
  burst: 0
  contentType: ""
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
  qps: 0
clusterCIDR: 10.244.0.0/16
configSyncPeriod: 0s
conntrack:
  maxPerCore: null
  min: null
  tcpBeLiberal: false
  tcpCloseWaitTimeout: null
  tcpEstablishedTimeout: null
  udpStreamTimeout: 0s
  udpTimeout: 0s
detectLocal:
  bridgeInterface: ""
  interfaceNamePrefix: ""
detectLocalMode: ""
enableProfiling: false
healthzBindAddress: ""
hostnameOverride: ""
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
ipvs:
  excludeCIDRs: null
  minSyncPeriod: 0s
  scheduler: ""
  strictARP: ${strictARP}
  syncPeriod: 0s
  tcpFinTimeout: 0s
  tcpTimeout: 0s
  udpTimeout: 0s
kind: KubeProxyConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
    text:
      infoBufferSize: "0"
  verbosity: 0
metricsBindAddress: ""
mode: ${mode}
nftables:
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
nodePortAddresses: null
oomScoreAdj: null
portRange: ""
showHiddenMetricsForVersion: ""
winkernel:
  enableDSR: false
  forwardHealthCheckVip: false
  networkName: ""
  rootHnsEndpointName: ""
  sourceVip: ""
`;
}

const KUBE_PROXY_KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
    server: https://192.168.0.10:6443
  name: default
contexts:
- context:
    cluster: default
    namespace: default
    user: default
  name: default
current-context: default
users:
- name: default
  user:
    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token
`;

export function kubeProxyConfigMap(mode = 'ipvs', strictARP = false): V1ConfigMap {
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: 'kube-proxy', namespace: 'kube-system', labels: { app: 'kube-proxy' } },
    data: { 'config.conf': kubeProxyConfig(mode, strictARP), 'kubeconfig.conf': KUBE_PROXY_KUBECONFIG },
  };
}

export function kubeProxyDaemonSet(): V1DaemonSet {
  const labels = { 'k8s-app': 'kube-proxy' };
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name: 'kube-proxy', namespace: 'kube-system', labels },
    spec: {
      selector: { matchLabels: labels },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels },
        spec: {
          priorityClassName: 'system-node-critical',
          serviceAccountName: 'kube-proxy',
          hostNetwork: true,
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [{ operator: 'Exists' }],
          containers: [{
            name: 'kube-proxy',
            image: `registry.k8s.io/kube-proxy:${K8S_VERSION}`,
            command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--hostname-override=$(NODE_NAME)'],
            env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            securityContext: { privileged: true },
            volumeMounts: [
              { name: 'kube-proxy', mountPath: '/var/lib/kube-proxy' },
              { name: 'xtables-lock', mountPath: '/run/xtables.lock' },
              { name: 'lib-modules', mountPath: '/lib/modules', readOnly: true },
            ],
          }],
          volumes: [
            { name: 'kube-proxy', configMap: { name: 'kube-proxy' } },
            { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
            { name: 'lib-modules', hostPath: { path: '/lib/modules' } },
          ],
        },
      },
    },
  };
}

async function ignoreExists(p: Promise<unknown>): Promise<void> {
  try { await p; } catch (e) { if (!isAlreadyExists(e)) throw e; }
}

/**
 * Creates the OpenELB CRDs and waits until the API server serves them (Established). They go
 * out as raw JSON, as `openelb deploy` sends them: the typed client re-serializes a CRD through
 * its model and silently drops `x-kubernetes-*` keys and `enum`, so the tests would run against
 * other CRDs than the ones we ship (e.g. a status.used that is not an atomic map).
 */
export async function installCrds(kc: KubeConfig, timeoutMs = 30_000): Promise<void> {
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const crds = buildCrds() as V1CustomResourceDefinition[];
  for (const body of crds) {
    await ignoreExists(restCall(kc, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body }));
  }
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    for (;;) {
      const got = await ext.readCustomResourceDefinition({ name });
      if (got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} not established after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Applies the kubeadm-like objects (and the CRDs) to the cluster behind a kubeconfig. */
export async function applyFixtures(kubeconfig: string | KubeConfig, opts: FixtureOptions = {}): Promise<void> {
  const kc = typeof kubeconfig === 'string' ? loadKubeConfig(kubeconfig) : kubeconfig;
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  for (const ns of opts.namespaces ?? []) {
    await ignoreExists(core.createNamespace({ body: { metadata: { name: ns } } }));
  }
  // Nodes accept status on create, so the InternalIP addresses land as a kubelet would set them.
  for (const n of opts.nodes ?? DEFAULT_NODES) await ignoreExists(core.createNode({ body: nodeObject(n) }));
  await ignoreExists(core.createNamespacedServiceAccount({
    namespace: 'kube-system', body: { metadata: { name: 'kube-proxy', namespace: 'kube-system' } },
  }));
  await ignoreExists(core.createNamespacedConfigMap({
    namespace: 'kube-system', body: kubeProxyConfigMap(opts.kubeProxyMode ?? 'ipvs', opts.strictARP ?? false),
  }));
  await ignoreExists(apps.createNamespacedDaemonSet({ namespace: 'kube-system', body: kubeProxyDaemonSet() }));
  if (opts.crds ?? true) await installCrds(kc);
}
