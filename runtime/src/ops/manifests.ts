// Every object of an OpenELB deployment, built in code: CRDs, namespace, service accounts,
// RBAC, the runtime ConfigMap (our bundled CLI, run by a stock Node.js image), the controller
// Deployment and the speaker DaemonSet. Order matters: deploy applies them in this order.
import type { V1DaemonSet, V1Deployment, V1Namespace, V1ServiceAccount, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { buildCrds } from '@openelb/core/api/crds';
import { HELPER_DIR_ENV } from '../speaker/layer2/helperPath';
import { CONTROLLER_RULES, JOURNAL_RULES, rbacFor, SPEAKER_LEASE_RULES, SPEAKER_RULES } from './rbac';
import type { KubeObject } from './resources';
import {
  CONTROLLER, DEFAULT_IMAGE, LABELS, METRICS_PORT, NAMESPACE, RUNTIME_CONFIGMAP, RUNTIME_DIR, SPEAKER,
} from './names';
import { BUNDLE_NAME, runtimeConfigMap, runtimeDigest, type RuntimeFiles } from './runtimeFiles';

export interface ManifestOptions {
  /** Container image with Node.js 20+ (default DEFAULT_IMAGE, names.ts). */
  image?: string;
  runtime: RuntimeFiles;
}

export function namespaceObject(): V1Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels: LABELS } };
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
const podLabels = (component: string): Record<string, string> => ({ 'app.kubernetes.io/name': 'openelb', 'app.kubernetes.io/component': component });

export function controllerDeployment(image: string, digest: string): V1Deployment {
  const selector = podLabels('controller');
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: CONTROLLER, namespace: NAMESPACE, labels: { ...LABELS, 'app.kubernetes.io/component': 'controller' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...selector, ...LABELS }, annotations: { 'openelb.kubesphere.io/runtime-digest': digest } },
        spec: {
          serviceAccountName: CONTROLLER,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'controller',
            image,
            command: ['node', `${RUNTIME_DIR}/${BUNDLE_NAME}`, 'controller', '--metrics-port', String(METRICS_PORT)],
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

export function speakerDaemonSet(image: string, digest: string): V1DaemonSet {
  const selector = podLabels('speaker');
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name: SPEAKER, namespace: NAMESPACE, labels: { ...LABELS, 'app.kubernetes.io/component': 'speaker' } },
    spec: {
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...selector, ...LABELS }, annotations: { 'openelb.kubesphere.io/runtime-digest': digest } },
        spec: {
          serviceAccountName: SPEAKER,
          // ARP/NDP replies and BGP sessions happen on the node's own interfaces.
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          tolerations: [{ operator: 'Exists' }],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          containers: [{
            name: 'speaker',
            image,
            command: ['node', `${RUNTIME_DIR}/${BUNDLE_NAME}`, 'speaker', '--node', '$(NODE_NAME)'],
            env: [
              { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              { name: HELPER_DIR_ENV, value: HELPER_DIR },
            ],
            resources: { requests: { cpu: '20m', memory: '64Mi' }, limits: { memory: '256Mi' } },
            // Raw sockets for ARP/NDP (NET_RAW) and interface/route changes (NET_ADMIN); nothing else.
            securityContext: {
              allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'], add: ['NET_RAW', 'NET_ADMIN'] },
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
  const digest = runtimeDigest(opts.runtime);
  const objects: object[] = [
    ...buildCrds().map(withLabels),
    namespaceObject(),
    serviceAccount(CONTROLLER),
    serviceAccount(SPEAKER),
    ...rbacFor(CONTROLLER, CONTROLLER_RULES, JOURNAL_RULES),
    ...rbacFor(SPEAKER, SPEAKER_RULES, SPEAKER_LEASE_RULES),
    runtimeConfigMap(opts.runtime),
    controllerDeployment(image, digest),
    speakerDaemonSet(image, digest),
  ];
  return objects as KubeObject[];
}

function withLabels(o: object): object {
  const k = o as KubeObject;
  return { ...k, metadata: { ...k.metadata, labels: { ...k.metadata.labels, ...LABELS } } };
}
