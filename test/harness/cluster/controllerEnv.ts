// Shared setup of the controller tests: one real API server with the fixtures and CRDs, and
// small helpers to create Eips/Services and wait (with a deadline) for what the controller does.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, Watch, type KubeConfig, type V1Service } from '@kubernetes/client-node';
import { startCluster, type Cluster } from './cluster';
import { applyFixtures } from './fixtures';
import { describeError, isAlreadyExists, loadKubeConfig, statusCode } from '../../../runtime/src/kube/client';
import { restCall } from '../../../runtime/src/kube/rest';
import { runController, type ControllerHandle, type ControllerOptions } from '../../../runtime/src/controller/runController';
import type { EipObject } from '../../../runtime/src/allocator';
import { poll } from '../support/poll';

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
  const kc = loadKubeConfig(cluster.kubeconfigPath); // reuses connections (creating 1,000 Services)
  return { cluster, kc, core: kc.makeApiClient(CoreV1Api), custom: kc.makeApiClient(CustomObjectsApi), logs: [] };
}

export function startController(env: Env, identity: string, extra: Partial<ControllerOptions> = {}): Promise<ControllerHandle> {
  return runController({
    kubeconfig: env.cluster.kubeconfigPath, leaseNamespace: 'openelb-system', identity,
    leaseDurationSeconds: 4, retryPeriodMs: 300,
    log: (m) => env.logs.push(`${identity}: ${m}`), ...extra,
  });
}

export function waitFor<T>(what: string, get: () => Promise<T | undefined | false>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  return poll(what, get, { timeoutMs, everyMs: intervalMs });
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

export async function createEip(env: Env, name: string, spec: EipSpec, opts: { isDefault?: boolean; annotations?: Record<string, string> } = {}): Promise<void> {
  const annotations = { ...(opts.isDefault ? { 'eip.openelb.kubesphere.io/is-default-eip': 'true' } : {}), ...opts.annotations };
  await env.custom.createClusterCustomObject({
    group: GROUP, version: 'v1alpha2', plural: 'eips',
    body: {
      apiVersion: `${GROUP}/v1alpha2`, kind: 'Eip',
      metadata: { name, ...(Object.keys(annotations).length ? { annotations } : {}) },
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

/**
 * Creates a Service. Plain JSON (the same body the typed client would send): the typed client's
 * model walk made the bench's own process, which creates 1,000 Services in a burst, a noticeable
 * CPU competitor of the API server and the controller on a small machine.
 */
export async function createService(env: Env, ns: string, name: string, o: SvcOpts = {}): Promise<void> {
  await restCall(env.kc, 'POST', `/api/v1/namespaces/${encodeURIComponent(ns)}/services`, { body: serviceBody(ns, name, o) });
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

// ---- Many Services at once (scale tests and bench/controller.ts) ----

/**
 * Creates the named Services, `concurrency` requests in flight at a time. A create that fails
 * because the API server is away (no HTTP status, or 5xx) is retried for up to `retryMs`; an
 * "already exists" on a retry means the earlier attempt landed. Returns, per name, the time
 * (performance.now()) the create response arrived.
 */
export async function createServices(env: Env, ns: string, names: string[], o: SvcOpts = {}, concurrency = 20, retryMs = 60_000): Promise<Map<string, number>> {
  const created = new Map<string, number>();
  let next = 0;
  const createOne = async (name: string): Promise<void> => {
    const deadline = Date.now() + retryMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await createService(env, ns, name, o);
        return;
      } catch (e) {
        if (attempt > 0 && isAlreadyExists(e)) return;
        const code = statusCode(e);
        const transient = code === undefined || code >= 500;
        if (!transient || Date.now() > deadline) throw new Error(`creating Service ${ns}/${name}: ${describeError(e)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const name = names[next++];
      await createOne(name);
      created.set(name, performance.now());
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, worker));
  return created;
}

export interface Allocated { ip?: string; rv?: string }

/** Every Service of a namespace: its first ingress address and its resourceVersion. */
export async function allocationsIn(env: Env, ns: string): Promise<Map<string, Allocated>> {
  const list = await env.core.listNamespacedService({ namespace: ns });
  return new Map(list.items.map((s) => [s.metadata!.name!, { ip: s.status?.loadBalancer?.ingress?.[0]?.ip, rv: s.metadata?.resourceVersion }]));
}

/** Waits (listing every half second: a list of 1,000 Services is not free) until n Services show an address. */
export function waitAllocated(env: Env, ns: string, n: number, timeoutMs = 120_000): Promise<Map<string, Allocated>> {
  return waitFor(`${n} Services in ${ns} with an address`, async () => {
    const m = await allocationsIn(env, ns);
    return [...m.values()].filter((v) => v.ip).length >= n ? m : undefined;
  }, timeoutMs, 500);
}

/** Addresses given to more than one Service, as "ip: a, b" lines (empty when none). */
export function duplicates(m: Map<string, Allocated>): string[] {
  const byIp = new Map<string, string[]>();
  for (const [name, v] of m) if (v.ip) byIp.set(v.ip, [...(byIp.get(v.ip) ?? []), name]);
  return [...byIp].filter(([, names]) => names.length > 1).map(([ip, names]) => `${ip}: ${names.join(', ')}`);
}

export interface IngressWatch {
  /** Per Service name: the first address seen and when (performance.now()). */
  first: Map<string, { ip: string; at: number }>;
  /** Resolves once n Services have shown an address; rejects after the deadline. */
  waitCount(n: number, timeoutMs: number): Promise<void>;
  stop(): void;
}

/**
 * Watches a namespace's Services and notes when each first shows status.loadBalancer.ingress.
 * `onFirst` runs synchronously at that moment (the bench samples memory there).
 */
export async function watchIngress(kc: KubeConfig, ns: string, onFirst?: (count: number) => void): Promise<IngressWatch> {
  const first = new Map<string, { ip: string; at: number }>();
  const waiters: { n: number; resolve: () => void }[] = [];
  let failure: Error | undefined;
  let stopped = false;
  const abort = await new Watch(kc).watch(`/api/v1/namespaces/${ns}/services`, {}, (_phase, obj: V1Service) => {
    const name = obj.metadata?.name ?? '';
    const ip = obj.status?.loadBalancer?.ingress?.[0]?.ip;
    if (!ip || first.has(name)) return;
    first.set(name, { ip, at: performance.now() });
    onFirst?.(first.size);
    for (const w of waiters.filter((x) => first.size >= x.n)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
  }, (err: unknown) => {
    if (err && !stopped) failure = new Error(`watch of Services in ${ns} ended: ${describeError(err)}`);
  });
  return {
    first,
    waitCount(n, timeoutMs) {
      if (first.size >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(failure ?? new Error(`only ${first.size} of ${n} Services in ${ns} got an address within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ n, resolve: () => { clearTimeout(timer); resolve(); } });
      });
    },
    stop() { stopped = true; abort.abort(); },
  };
}
