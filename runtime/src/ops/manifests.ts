// Every object of an OpenELB deployment, built in code: CRDs, namespace, the admission policy
// that keeps each speaker to its own node (nodeScope.ts), service accounts, RBAC, the runtime
// ConfigMap (our bundled CLI, run by a stock Node.js image), the controller Deployment and the
// speaker DaemonSet, both started by the digest-checking bootstrap (bootstrap.ts). Order
// matters: deploy applies them in this order.
import type { V1Container, V1DaemonSet, V1Deployment, V1EnvVar, V1Namespace, V1ServiceAccount, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { buildCrds } from '@openelb/core/api/crds';
import { HELPER_DIR_ENV } from '../speaker/layer2/helperPath';
import { DEFAULT_GOSSIP_PORT } from '../speaker/membership/gossipNode';
import { BOOTSTRAP, BUNDLE_DIGEST_ENV, helperDigestEnv } from './bootstrap';
import { nodeScopeBinding, nodeScopePolicy } from './nodeScope';
import { CONTROLLER_RULES, JOURNAL_RULES, rbacFor, SPEAKER_NAMESPACED_RULES, SPEAKER_RULES } from './rbac';
import type { KubeObject } from './resources';
import {
  CONTROLLER, DEFAULT_IMAGE, LABELS, METRICS_PORT, NAMESPACE, RUNTIME_CONFIGMAP, RUNTIME_DIR, runtimePodLabels, SPEAKER,
} from './names';
import { BUNDLE_NAME, runtimeConfigMap, runtimeDigests, type RuntimeDigests, type RuntimeFiles } from './runtimeFiles';

export interface ManifestOptions {
  /** Container image with Node.js 20+ (default DEFAULT_IMAGE, names.ts). */
  image?: string;
  runtime: RuntimeFiles;
  /** Give the speaker CAP_NET_ADMIN, which only vip mode needs (it adds addresses to interfaces). */
  vip?: boolean;
  /**
   * Confine each speaker to its own node with a ValidatingAdmissionPolicy (nodeScope.ts; default
   * true). Only false where the API server cannot enforce one (before Kubernetes 1.30).
   */
  confineSpeakers?: boolean;
  /** UDP port the speakers gossip on (default DEFAULT_GOSSIP_PORT); must be open between nodes. */
  gossipPort?: number;
}

/**
 * Pod Security admission for the namespace: `privileged`, the only level the speaker meets (it
 * needs hostNetwork, and NET_RAW/NET_ADMIN). Stated rather than left to the cluster's default so
 * deploy works, and says so, where the default is stricter. The controller pod itself meets
 * `restricted` (test/cluster/ops-speaker-scope.test.ts checks both against the real admission).
 */
export const POD_SECURITY_LABELS: Record<string, string> = {
  'pod-security.kubernetes.io/enforce': 'privileged',
};

export function namespaceObject(): V1Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels: { ...LABELS, ...POD_SECURITY_LABELS } } };
}

function serviceAccount(name: string): V1ServiceAccount {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: NAMESPACE, labels: LABELS } };
}

const RUNTIME_VOLUME: V1Volume = { name: 'runtime', configMap: { name: RUNTIME_CONFIGMAP, defaultMode: 0o555 } };
const RUNTIME_MOUNT: V1VolumeMount = { name: 'runtime', mountPath: RUNTIME_DIR, readOnly: true };
/** Where the speaker unpacks its helper: the root filesystem is read-only, /dev/shm often noexec. */
const HELPER_DIR = '/run/openelb';
const HELPER_VOLUME: V1Volume = { name: 'helper', emptyDir: { sizeLimit: '8Mi' } };
const HELPER_MOUNT: V1VolumeMount = { name: 'helper', mountPath: HELPER_DIR };
const SECCOMP = { seccompProfile: { type: 'RuntimeDefault' } };

/**
 * `node -e BOOTSTRAP /opt/openelb/openelb.js ARGS`: the check runs from the pod spec, the
 * bundle's path is argv[1] as if node ran the file. The digests to check against come with it.
 */
function runtimeCommand(args: string[]): Pick<V1Container, 'command' | 'terminationMessagePolicy'> {
  return { command: ['node', '-e', BOOTSTRAP, `${RUNTIME_DIR}/${BUNDLE_NAME}`, ...args], terminationMessagePolicy: 'FallbackToLogsOnError' };
}

function digestEnv(d: RuntimeDigests, withHelpers: boolean): V1EnvVar[] {
  const helpers = withHelpers ? Object.entries(d.helpers).map(([arch, sha]) => ({ name: helperDigestEnv(arch as keyof RuntimeDigests['helpers']), value: sha })) : [];
  return [{ name: BUNDLE_DIGEST_ENV, value: d.bundle }, ...helpers];
}

export function controllerDeployment(image: string, digests: RuntimeDigests): V1Deployment {
  const selector = runtimePodLabels('controller');
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: CONTROLLER, namespace: NAMESPACE, labels: { ...LABELS, 'app.kubernetes.io/component': 'controller' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...selector, ...LABELS } },
        spec: {
          serviceAccountName: CONTROLLER,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, ...SECCOMP },
          containers: [{
            name: 'controller',
            image,
            ...runtimeCommand(['controller', '--metrics-port', String(METRICS_PORT)]),
            env: digestEnv(digests, false),
            ports: [{ name: 'metrics', containerPort: METRICS_PORT }],
            livenessProbe: { httpGet: { path: '/healthz', port: 'metrics' }, initialDelaySeconds: 10, periodSeconds: 10 },
            readinessProbe: { httpGet: { path: '/healthz', port: 'metrics' }, periodSeconds: 10 },
            resources: { requests: { cpu: '20m', memory: '64Mi' }, limits: { memory: '256Mi' } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            volumeMounts: [RUNTIME_MOUNT],
          }],
          volumes: [RUNTIME_VOLUME],
        },
      },
    },
  };
}

export function speakerDaemonSet(image: string, digests: RuntimeDigests, vip = false, gossipPort = DEFAULT_GOSSIP_PORT): V1DaemonSet {
  const selector = runtimePodLabels('speaker');
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name: SPEAKER, namespace: NAMESPACE, labels: { ...LABELS, 'app.kubernetes.io/component': 'speaker' } },
    spec: {
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...selector, ...LABELS } },
        spec: {
          serviceAccountName: SPEAKER,
          securityContext: SECCOMP,
          // ARP/NDP replies and BGP sessions happen on the node's own interfaces.
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          tolerations: [{ operator: 'Exists' }],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          containers: [{
            name: 'speaker',
            image,
            ...runtimeCommand(['speaker', '--node', '$(NODE_NAME)', '--gossip-port', String(gossipPort)]),
            env: [
              { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              { name: HELPER_DIR_ENV, value: HELPER_DIR },
              // V8 sizes its heap from the host's memory, not the pod's limit: bound it below the
              // limit so garbage (route churn to a peer that reads slowly) is collected, not OOM-killed.
              { name: 'NODE_OPTIONS', value: '--max-old-space-size=160' },
              ...digestEnv(digests, true),
            ],
            resources: { requests: { cpu: '20m', memory: '64Mi' }, limits: { memory: '256Mi' } },
            // Raw sockets for ARP/NDP (NET_RAW); adding vip addresses to interfaces (NET_ADMIN)
            // only when vip mode is deployed. Nothing else.
            securityContext: {
              allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'], add: vip ? ['NET_RAW', 'NET_ADMIN'] : ['NET_RAW'] },
            },
            volumeMounts: [RUNTIME_MOUNT, HELPER_MOUNT],
          }],
          volumes: [RUNTIME_VOLUME, HELPER_VOLUME],
        },
      },
    },
  };
}

/** All objects, in apply order (CRDs first). */
export function buildManifests(opts: ManifestOptions): KubeObject[] {
  const image = opts.image ?? DEFAULT_IMAGE;
  const digests = runtimeDigests(opts.runtime);
  const objects: object[] = [
    ...buildCrds().map(withLabels),
    namespaceObject(),
    // The policy before the speaker's rights, so no speaker ever holds them unconfined.
    ...(opts.confineSpeakers ?? true ? [nodeScopePolicy(), nodeScopeBinding()] : []),
    serviceAccount(CONTROLLER),
    serviceAccount(SPEAKER),
    ...rbacFor(CONTROLLER, CONTROLLER_RULES, JOURNAL_RULES),
    ...rbacFor(SPEAKER, SPEAKER_RULES, SPEAKER_NAMESPACED_RULES),
    runtimeConfigMap(opts.runtime),
    controllerDeployment(image, digests),
    speakerDaemonSet(image, digests, opts.vip ?? false, opts.gossipPort),
  ];
  return objects as KubeObject[];
}

function withLabels(o: object): object {
  const k = o as KubeObject;
  return { ...k, metadata: { ...k.metadata, labels: { ...k.metadata.labels, ...LABELS } } };
}
