// A cluster as upstream OpenELB (github.com/openelb/openelb v0.5.1, plus v0.6.0's speaker) leaves
// it once its pods are gone: objects shaped as its manifest and its controllers write them
// (written here from their documented shapes, not copied). Pure data, used by the takeover tests.
import type { V1Service } from '@kubernetes/client-node';

export const NS = 'openelb-system';
export const GROUP = 'network.kubesphere.io';
export const SERVICE_FINALIZER = 'finalizer.lb.kubesphere.io/v1alpha1';
export const IPAM_FINALIZER = 'finalizer.ipam.kubesphere.io/v1alpha1';
export const POOL_LABEL = 'eip.openelb.kubesphere.io/v1alpha2';

const COLUMNS = [
  { name: 'cidr', type: 'string', jsonPath: '.spec.address' },
  { name: 'usage', type: 'integer', jsonPath: '.status.usage' },
  { name: 'total', type: 'integer', jsonPath: '.status.poolSize' },
];

/** Upstream's Eip CRD: v1alpha1 served, v1alpha2 stored with the status subresource; status as its EipStatus. */
export function upstreamEipCrd(): object {
  const spec = {
    type: 'object', required: ['address'],
    properties: {
      address: { type: 'string' }, protocol: { type: 'string', enum: ['bgp', 'layer2', 'vip'] }, interface: { type: 'string' },
      disable: { type: 'boolean' }, usingKnownIPs: { type: 'boolean' }, priority: { type: 'integer' },
      namespaces: { type: 'array', items: { type: 'string' } }, namespaceSelector: { type: 'object', additionalProperties: { type: 'string' } },
    },
  };
  const status = {
    type: 'object',
    properties: {
      occupied: { type: 'boolean' }, usage: { type: 'integer' }, poolSize: { type: 'integer' },
      used: { type: 'object', additionalProperties: { type: 'string' } },
      firstIP: { type: 'string' }, lastIP: { type: 'string' }, ready: { type: 'boolean' }, v4: { type: 'boolean' },
    },
  };
  const schema = { openAPIV3Schema: { type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec, status } } };
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: `eips.${GROUP}`, annotations: { 'controller-gen.kubebuilder.io/version': 'v0.4.0' } },
    spec: {
      group: GROUP, scope: 'Cluster',
      names: { kind: 'Eip', listKind: 'EipList', plural: 'eips', singular: 'eip', categories: ['networking'] },
      versions: [
        { name: 'v1alpha1', served: true, storage: false, schema, additionalPrinterColumns: COLUMNS },
        { name: 'v1alpha2', served: true, storage: true, schema, subresources: { status: {} }, additionalPrinterColumns: COLUMNS },
      ],
    },
  };
}

/** v0.5.1's webhooks: Services mutated, Eips validated, both by the manager's Service, failurePolicy Fail. */
export const MUTATING_WEBHOOK = {
  apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'openelb-admission' },
  webhooks: [{
    name: 'mutating.eip.network.kubesphere.io', admissionReviewVersions: ['v1beta1', 'v1'], failurePolicy: 'Fail', sideEffects: 'NoneOnDryRun',
    clientConfig: { service: { name: 'openelb-admission', namespace: NS, path: '/validate-network-kubesphere-io-v1alpha2-svc' } },
    rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['services'] }],
  }],
};

export const VALIDATING_WEBHOOK = {
  apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'openelb-admission' },
  webhooks: [{
    name: 'validate.eip.network.kubesphere.io', admissionReviewVersions: ['v1beta1', 'v1'], failurePolicy: 'Fail', sideEffects: 'None', matchPolicy: 'Equivalent',
    clientConfig: { service: { name: 'openelb-admission', namespace: NS, path: '/validate-network-kubesphere-io-v1alpha2-eip' } },
    rules: [{ apiGroups: [GROUP], apiVersions: ['v1alpha2'], operations: ['CREATE', 'UPDATE'], resources: ['eips'] }],
  }],
};

const container = (name: string, image: string, command: string) => ({ name, image, command: [command] });

/** v0.5.1's manager (controller, BGP and layer2 in one), still scheduled. */
export const MANAGER = {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'openelb-manager', namespace: NS, labels: { app: 'openelb-manager', 'control-plane': 'openelb-manager' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'openelb-manager', 'control-plane': 'openelb-manager' } },
    template: {
      metadata: { labels: { app: 'openelb-manager', 'control-plane': 'openelb-manager' } },
      spec: { serviceAccountName: 'openelb-admission', hostNetwork: true, containers: [container('openelb-manager', 'kubesphere/openelb:v0.5.1', 'openelb-manager')] },
    },
  },
};

/** v0.6.0's speaker: the name of our DaemonSet, another (immutable) selector. */
export const SPEAKER_V06 = {
  apiVersion: 'apps/v1', kind: 'DaemonSet',
  metadata: { name: 'openelb-speaker', namespace: NS, labels: { app: 'openelb', component: 'speaker' } },
  spec: {
    selector: { matchLabels: { app: 'openelb', component: 'speaker' } },
    template: {
      metadata: { labels: { app: 'openelb', component: 'speaker' } },
      spec: { serviceAccountName: 'openelb-speaker', hostNetwork: true, containers: [container('openelb-speaker', 'kubesphere/openelb-speaker:v0.6.0', 'openelb-speaker')] },
    },
  },
};

const rbac = 'rbac.authorization.k8s.io';
const sa = (name: string) => ({ kind: 'ServiceAccount', name, namespace: NS });
const job = (name: string) => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: NS },
  spec: { template: { spec: { restartPolicy: 'OnFailure', serviceAccountName: 'openelb-admission', containers: [{ name: 'certgen', image: 'k8s.gcr.io/ingress-nginx/kube-webhook-certgen:v1.1.1' }] } } },
});

/** What else upstream installs: harmless once its pods are gone, kept for the way back. */
export const LEFTOVERS: object[] = [
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'openelb-admission', namespace: NS } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'openelb-speaker', namespace: NS } },
  { apiVersion: `${rbac}/v1`, kind: 'Role', metadata: { name: 'leader-election-role', namespace: NS }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] },
  { apiVersion: `${rbac}/v1`, kind: 'RoleBinding', metadata: { name: 'leader-election-rolebinding', namespace: NS }, roleRef: { apiGroup: rbac, kind: 'Role', name: 'leader-election-role' }, subjects: [sa('openelb-admission')] },
  { apiVersion: `${rbac}/v1`, kind: 'ClusterRole', metadata: { name: 'openelb-manager-role' }, rules: [{ apiGroups: [''], resources: ['services'], verbs: ['get'] }] },
  { apiVersion: `${rbac}/v1`, kind: 'ClusterRoleBinding', metadata: { name: 'openelb-manager-rolebinding' }, roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'openelb-manager-role' }, subjects: [sa('openelb-admission')] },
  // v0.6.0's speaker RBAC has our names: deploy applies ours over it.
  { apiVersion: `${rbac}/v1`, kind: 'ClusterRole', metadata: { name: 'openelb-speaker' }, rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }] },
  { apiVersion: `${rbac}/v1`, kind: 'ClusterRoleBinding', metadata: { name: 'openelb-speaker' }, roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'openelb-speaker' }, subjects: [sa('openelb-speaker')] },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'openelb-admission', namespace: NS }, spec: { ports: [{ name: 'https-webhook', port: 443, targetPort: 'webhook' }], selector: { app: 'openelb-manager' } } },
  // A stand-in for the webhook certificate Secret (not a real key).
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'openelb-admission', namespace: NS }, data: { cert: Buffer.from('not a certificate').toString('base64') } },
  job('openelb-admission-create'),
  job('openelb-admission-patch'),
];

/** Expected "Kind ns/name" of the namespaced leftovers, sorted by kind then name. */
export const LEFTOVER_KEYS = [
  'ClusterRole openelb-manager-role', 'ClusterRoleBinding openelb-manager-rolebinding',
  `Job ${NS}/openelb-admission-create`, `Job ${NS}/openelb-admission-patch`,
  `Role ${NS}/leader-election-role`, `RoleBinding ${NS}/leader-election-rolebinding`,
  `Secret ${NS}/openelb-admission`, `Service ${NS}/openelb-admission`, `ServiceAccount ${NS}/openelb-admission`,
];

/** The pool as upstream's IPAM leaves it: finalizer, default annotation, and status.used "ip" → "ns/name;ns/name". */
export const POOL = {
  name: 'eip-pool', address: '192.168.0.100-192.168.0.110',
  used: {
    '192.168.0.100': 'default/web',
    '192.168.0.101': 'shop/api',
    '192.168.0.105': 'default/shared-a;default/shared-b',
    '192.168.0.106': 'default/gone',
    '192.168.0.107': 'default/leaving',
  },
};

export function upstreamEip(): object {
  return {
    apiVersion: `${GROUP}/v1alpha2`, kind: 'Eip',
    metadata: { name: POOL.name, finalizers: [IPAM_FINALIZER], annotations: { 'eip.openelb.kubesphere.io/is-default-eip': 'true' } },
    spec: { address: POOL.address, protocol: 'layer2', interface: 'eth0' },
  };
}

/** status as upstream's IPAM writes it (no conditions, no journalGen). */
export function upstreamEipStatus(): Record<string, unknown> {
  return { occupied: false, usage: 5, poolSize: 11, used: POOL.used, firstIP: '192.168.0.100', lastIP: '192.168.0.110', ready: true, v4: true };
}

export interface UpstreamService { ns: string; name: string; ip?: string; requestedIp?: string; finalizer?: boolean }

/**
 * Services as v0.5.1 leaves them: its webhook added the pool and protocol annotations, its
 * controller the finalizer, the pool label and the ingress; its layer2 code the node annotation.
 * `lost` shows an address no status.used lists; `a-pending` was never given one.
 */
export const SERVICES: UpstreamService[] = [
  { ns: 'default', name: 'web', ip: '192.168.0.100', finalizer: true },
  { ns: 'shop', name: 'api', ip: '192.168.0.101', finalizer: true },
  { ns: 'default', name: 'shared-a', ip: '192.168.0.105', requestedIp: '192.168.0.105', finalizer: true },
  { ns: 'default', name: 'shared-b', ip: '192.168.0.105', requestedIp: '192.168.0.105', finalizer: true },
  { ns: 'default', name: 'lost', ip: '192.168.0.102', finalizer: true },
  { ns: 'default', name: 'a-pending' },
  { ns: 'default', name: 'leaving', ip: '192.168.0.107', finalizer: true },
];

export function upstreamService(s: UpstreamService): V1Service {
  return {
    metadata: {
      name: s.name, namespace: s.ns,
      annotations: {
        'lb.kubesphere.io/v1alpha1': 'openelb', 'protocol.openelb.kubesphere.io/v1alpha1': 'layer2', [POOL_LABEL]: POOL.name,
        ...(s.ip ? { 'layer2.openelb.kubesphere.io/v1alpha1': 'worker1' } : {}),
        ...(s.requestedIp ? { 'eip.openelb.kubesphere.io/v1alpha1': s.requestedIp } : {}),
      },
      ...(s.ip ? { labels: { [POOL_LABEL]: POOL.name } } : {}),
      ...(s.finalizer ? { finalizers: [SERVICE_FINALIZER] } : {}),
    },
    spec: { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ name: 'http', port: 80, protocol: 'TCP' }], selector: { app: s.name } },
  };
}
