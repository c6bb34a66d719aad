// Shared setup of the controller tests: one real API server with the fixtures and CRDs, and
// small helpers to create Eips/Services and wait (with a deadline) for what the controller does.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Service } from '@kubernetes/client-node';
import { startCluster, type Cluster } from './cluster';
import { applyFixtures } from './fixtures';
import { loadKubeConfig } from '../../runtime/src/kube/client';
import { runController, type ControllerHandle, type ControllerOptions } from '../../runtime/src/controller/runController';
import type { EipObject } from '../../runtime/src/allocator';

export const GROUP = 'network.kubesphere.io';

export interface Env {
  cluster: Cluster;
  kc: KubeConfig;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  /** Controller log lines, kept for failure messages. */
  logs: string[];
}

export async function setupEnv(namespaces: string[] = []): Promise<Env> {
  const cluster = await startCluster(mkdtempSync(join(tmpdir(), 'openelb-ctl-')));
  await applyFixtures(cluster.kubeconfigPath, { namespaces: ['openelb-system', ...namespaces] });
  const kc = loadKubeConfig(cluster.kubeconfigPath);
  return { cluster, kc, core: kc.makeApiClient(CoreV1Api), custom: kc.makeApiClient(CustomObjectsApi), logs: [] };
}

export function startController(env: Env, identity: string, extra: Partial<ControllerOptions> = {}): Promise<ControllerHandle> {
  return runController({
    kubeconfig: env.cluster.kubeconfigPath, leaseNamespace: 'openelb-system', identity,
    leaseDurationSeconds: 4, retryPeriodMs: 300,
    log: (m) => env.logs.push(`${identity}: ${m}`), ...extra,
  });
}

export async function waitFor<T>(what: string, get: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await get();
      if (v !== undefined && v !== false) return v;
    } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface EipSpec {
  address: string;
  protocol?: string;
  interface?: string;
  disable?: boolean;
  priority?: number;
  namespaces?: string[];
  namespaceSelector?: Record<string, string>;
}

export async function createEip(env: Env, name: string, spec: EipSpec, opts: { isDefault?: boolean } = {}): Promise<void> {
  await env.custom.createClusterCustomObject({
    group: GROUP, version: 'v1alpha2', plural: 'eips',
    body: {
      apiVersion: `${GROUP}/v1alpha2`, kind: 'Eip',
      metadata: { name, ...(opts.isDefault ? { annotations: { 'eip.openelb.kubesphere.io/is-default-eip': 'true' } } : {}) },
      spec,
    },
  });
}

export function getEip(env: Env, name: string): Promise<EipObject & { status?: Record<string, unknown> }> {
  return env.custom.getClusterCustomObject({ group: GROUP, version: 'v1alpha2', plural: 'eips', name }) as Promise<EipObject>;
}

export interface SvcOpts {
  annotations?: Record<string, string>;
  openelb?: boolean;
  type?: string;
  loadBalancerIP?: string;
  ipv6?: boolean;
}

export function serviceBody(ns: string, name: string, o: SvcOpts = {}): V1Service {
  const annotations = { ...(o.openelb === false ? {} : { 'lb.kubesphere.io/v1alpha1': 'openelb' }), ...o.annotations };
  const type = o.type ?? 'LoadBalancer';
  return {
    metadata: { name, namespace: ns, annotations },
    spec: {
      type, ports: [{ name: 'http', port: 80, protocol: 'TCP' }], selector: { app: name },
      ...(type === 'LoadBalancer' ? { allocateLoadBalancerNodePorts: false } : {}),
      ...(o.loadBalancerIP ? { loadBalancerIP: o.loadBalancerIP } : {}),
      ...(o.ipv6 ? { ipFamilies: ['IPv6'], ipFamilyPolicy: 'SingleStack' } : {}),
    },
  };
}

export async function createService(env: Env, ns: string, name: string, o: SvcOpts = {}): Promise<void> {
  await env.core.createNamespacedService({ namespace: ns, body: serviceBody(ns, name, o) });
}

export async function ingressIp(env: Env, ns: string, name: string): Promise<string | undefined> {
  const s = await env.core.readNamespacedService({ namespace: ns, name });
  return s.status?.loadBalancer?.ingress?.[0]?.ip;
}

/** Waits until the Service shows an address in its status; returns it. */
export function waitForIp(env: Env, ns: string, name: string, timeoutMs?: number): Promise<string> {
  return waitFor(`an address on Service ${ns}/${name}`, () => ingressIp(env, ns, name), timeoutMs);
}

/** Event reasons recorded about an object, oldest first. */
export async function eventReasons(env: Env, namespace: string, kind: string, name: string): Promise<{ reason: string; type: string; message: string }[]> {
  const list = await env.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}` });
  return list.items.map((e) => ({ reason: e.reason ?? '', type: e.type ?? '', message: e.message ?? '' }));
}

/** Waits until the controllers have nothing queued, failing (not hanging) after a deadline. */
export async function settled(handles: ControllerHandle[], timeoutMs = 30_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`controllers still busy after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.all(handles.map((h) => h.idle())), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
