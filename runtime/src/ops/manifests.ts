// Every object of an OpenELB deployment, built in code: CRDs, namespace, service accounts,
// RBAC, the runtime ConfigMap (our bundled CLI, run by a stock Node.js image), the controller
// Deployment and the speaker DaemonSet. Order matters: deploy applies them in this order.
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { V1ConfigMap, V1DaemonSet, V1Deployment, V1Namespace, V1ServiceAccount, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { buildCrds } from '../../../server/src/core/api/crds';
import { CONTROLLER_RULES, JOURNAL_RULES, rbacFor, SPEAKER_RULES } from './rbac';
import type { KubeObject } from './resources';
import {
  CONTROLLER, DEFAULT_IMAGE, LABELS, METRICS_PORT, NAMESPACE, RUNTIME_CONFIGMAP, RUNTIME_DIR, SPEAKER,
} from './names';
import { OpsError } from './kubeconfig';

export const BUNDLE_NAME = 'openelb.js';
export const HELPER_NAME = 'openelb-packet-helper';
/** The API server refuses ConfigMaps over 1 MiB (data + binaryData). */
export const CONFIGMAP_LIMIT = 1024 * 1024;

export interface RuntimeFiles {
  /** The bundled CLI (dist/openelb.js). */
  bundle: Buffer;
  /** The compiled packet helper for Layer2, when it was built. */
  helper?: Buffer;
}

/**
 * Finds the bundle to ship: the running script itself when we run from dist/ (esbuild keeps
 * __dirname as the bundle's folder), else dist/ of the source tree (tests run through tsx).
 */
export function findRuntimeBundle(explicit?: string): string {
  const candidates = explicit ? [resolve(explicit)] : [join(__dirname, BUNDLE_NAME), resolve(__dirname, '../../../dist', BUNDLE_NAME)];
  for (const p of candidates) if (existsSync(p)) return p;
  throw new OpsError(`the runtime bundle ${BUNDLE_NAME} was not found (looked in ${candidates.join(', ')}); run \`npm run build\` first`);
}

/** Reads the bundle and, next to it, the packet helper if present. */
export function readRuntimeFiles(bundlePath?: string): RuntimeFiles {
  const path = findRuntimeBundle(bundlePath);
  const helperPath = join(dirname(path), HELPER_NAME);
  return { bundle: readFileSync(path), helper: existsSync(helperPath) ? readFileSync(helperPath) : undefined };
}

export interface ManifestOptions {
  /** Container image with Node.js 20+ (default node:20-bookworm-slim). */
  image?: string;
  runtime: RuntimeFiles;
}

export function namespaceObject(): V1Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels: LABELS } };
}

function serviceAccount(name: string): V1ServiceAccount {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: NAMESPACE, labels: LABELS } };
}

/**
 * The pod-side entry, stored as `openelb.js`: the bundled CLI is several MB, so it ships
 * brotli-compressed next to it and this loader runs it as if it were the file itself
 * (same folder, so the packet helper is found next to it and `node openelb.js ARGS` works).
 */
export const RUNTIME_LOADER = `'use strict';
// OpenELB runtime loader (written by \`openelb deploy\`): runs the compressed bundle ${BUNDLE_NAME}.br.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { brotliDecompressSync } = require('node:zlib');
const Module = require('node:module');
const file = join(__dirname, 'openelb-bundle.js');
const m = new Module(file, module);
m.filename = file;
m.paths = Module._nodeModulePaths(__dirname);
m._compile(brotliDecompressSync(readFileSync(join(__dirname, '${BUNDLE_NAME}.br'))).toString('utf8'), file);
`;

/** Brotli at quality 9: about 6% of the bundle's size in well under a second, deterministic. */
export function compressBundle(bundle: Buffer): Buffer {
  return brotliCompressSync(bundle, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: bundle.length } });
}

export function runtimeConfigMap(files: RuntimeFiles): V1ConfigMap {
  const packed = compressBundle(files.bundle);
  const size = RUNTIME_LOADER.length + packed.length + (files.helper?.length ?? 0);
  if (size > CONFIGMAP_LIMIT - 4096) {
    throw new OpsError(`the runtime (${size} bytes compressed) does not fit in a ConfigMap (limit ${CONFIGMAP_LIMIT} bytes)`);
  }
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: RUNTIME_CONFIGMAP, namespace: NAMESPACE, labels: LABELS },
    data: { [BUNDLE_NAME]: RUNTIME_LOADER },
    binaryData: {
      [`${BUNDLE_NAME}.br`]: packed.toString('base64'),
      ...(files.helper ? { [HELPER_NAME]: files.helper.toString('base64') } : {}),
    },
  };
}

/** A short digest of the runtime, put on the pod templates so a new bundle rolls the pods. */
export function runtimeDigest(files: RuntimeFiles): string {
  const h = createHash('sha256').update(files.bundle);
  if (files.helper) h.update(files.helper);
  return h.digest('hex').slice(0, 16);
}

const RUNTIME_VOLUME: V1Volume = { name: 'runtime', configMap: { name: RUNTIME_CONFIGMAP, defaultMode: 0o555 } };
const RUNTIME_MOUNT: V1VolumeMount = { name: 'runtime', mountPath: RUNTIME_DIR, readOnly: true };
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
            env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            resources: { requests: { cpu: '20m', memory: '64Mi' }, limits: { memory: '256Mi' } },
            // Raw sockets for ARP/NDP (NET_RAW) and interface/route changes (NET_ADMIN); nothing else.
            securityContext: {
              allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'], add: ['NET_RAW', 'NET_ADMIN'] },
            },
            volumeMounts: [RUNTIME_MOUNT],
          }],
          volumes: [RUNTIME_VOLUME],
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
    ...rbacFor(SPEAKER, SPEAKER_RULES),
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
