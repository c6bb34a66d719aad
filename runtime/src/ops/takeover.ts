// `openelb deploy` on a cluster that ran upstream OpenELB: refuse while upstream's webhooks or
// workloads are in place (naming them and the kubectl commands that remove them), or remove
// them when asked (--remove-upstream), waiting for upstream's pods to end so that two
// controllers never run together. Upstream's other objects stay: they are harmless, and the
// way back to upstream re-applies its manifest over them.
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { restCall } from '../kube/rest';
import { retryOnConflict } from '../kube/client';
import { statusCode } from '../kube/errors';
import { IPAM_FINALIZER } from '@openelb/core/api/annotations';
import { GROUP, PLURALS, STORAGE_VERSION } from '@openelb/core/api/types';
import { foundPath, kubectlDelete } from './foreign';
import { kubeCall, OpsError } from './opsError';
import { blocking, type UpstreamObject } from './upstream';

export interface TakeoverOptions {
  dryRun?: boolean;
  /** Delete upstream's webhook configurations and workloads before applying ours. */
  removeUpstream?: boolean;
  /** Deploy beside upstream's webhooks and workloads (two controllers then compete). */
  force?: boolean;
  /** How long to wait for upstream's pods to end after deleting its workloads (ms). */
  podTimeoutMs?: number;
  onNote?: (message: string) => void;
}

/**
 * Webhooks first: removed while upstream's manager still answers them, no request fails in
 * between; then the workloads.
 */
const removalOrder = (found: UpstreamObject[]): UpstreamObject[] => [...found.filter((f) => f.role === 'webhook'), ...found.filter((f) => f.role !== 'webhook')];

/** Thrown by deploy while upstream's webhooks or workloads are in place. */
export class UpstreamError extends OpsError {
  constructor(readonly found: UpstreamObject[], forced: boolean) {
    const stop = removalOrder(blocking(found));
    const collide = stop.filter((f) => f.collides);
    const lines = stop.map((f) => `  - ${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name}: ${f.detail}`);
    const how = forced && collide.length
      ? `--force cannot deploy over ${collide.map((f) => `${f.kind} ${f.namespace}/${f.name}`).join(', ')}: remove ${collide.length === 1 ? 'it' : 'them'} first, or pass --remove-upstream.`
      : 'Pass --remove-upstream to have deploy remove them (upstream\'s other objects stay, for the way back), '
        + 'or --force to deploy beside them (two controllers would then compete for the same addresses).';
    super(`upstream OpenELB is still installed:\n${lines.join('\n')}\nRemove ${stop.length === 1 ? 'it' : 'them'} with:\n`
      + `${removalCommands(stop).map((c) => `  ${c}`).join('\n')}\n${how}`);
  }
}

/** The kubectl commands that remove the given objects, in removal order. */
export function removalCommands(found: UpstreamObject[]): string[] {
  return removalOrder(found).map(kubectlDelete);
}

/**
 * Decides what deploy does about upstream: nothing blocks (returns []); blocked without a flag
 * (throws UpstreamError); --remove-upstream (returns the objects to remove); --force (returns []
 * unless an upstream workload has one of our names).
 */
export function takeoverPlan(found: UpstreamObject[], opts: TakeoverOptions): UpstreamObject[] {
  const stop = blocking(found);
  if (!stop.length) return [];
  if (opts.removeUpstream) return removalOrder(stop);
  if (opts.force && !stop.some((f) => f.collides)) return [];
  throw new UpstreamError(found, opts.force ?? false);
}

/** Deletes one upstream object (dry run: asks the API server only); a missing one is fine. */
export async function removeUpstream(kc: KubeConfig, o: UpstreamObject, dryRun = false): Promise<void> {
  const path = foundPath(o);
  await kubeCall(kc, 'delete', `${o.kind} ${o.name}`, () => restCall(kc, 'DELETE', path, {
    body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', ...(dryRun ? { dryRun: ['All'] } : {}) },
    query: { dryRun: dryRun ? 'All' : undefined },
  }).catch((e: unknown) => { if (statusCode(e) !== 404) throw e; }));
}

const selectorText = (s: Record<string, string>): string => Object.entries(s).map(([k, v]) => `${k}=${v}`).join(',');

/** Pods of the removed workloads still present. */
async function upstreamPods(kc: KubeConfig, workloads: UpstreamObject[]): Promise<string[]> {
  const names = await Promise.all(workloads.filter((w) => w.selector && Object.keys(w.selector).length).map(async (w) => {
    const list = await kubeCall(kc, 'list', `pods in ${w.namespace}`, () => restCall(kc, 'GET', `/api/v1/namespaces/${encodeURIComponent(w.namespace ?? '')}/pods`,
      { query: { labelSelector: selectorText(w.selector!) } })) as { items?: V1Pod[] };
    return (list.items ?? []).map((p) => `${w.namespace}/${p.metadata?.name}`);
  }));
  return [...new Set(names.flat())].sort();
}

/**
 * Waits (bounded) until the pods of upstream's removed workloads are gone, so its controller
 * has stopped before ours starts. Returns the pods still there at the deadline.
 */
export async function waitUpstreamPodsGone(kc: KubeConfig, workloads: UpstreamObject[], timeoutMs = 60_000, note: (m: string) => void = () => {}): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const pods = await upstreamPods(kc, workloads);
    if (!pods.length) return pods;
    if (Date.now() >= deadline) {
      note(`upstream pod(s) still present after ${Math.round(timeoutMs / 1000)} s: ${pods.join(', ')}; continuing`);
      return pods;
    }
    if (pods.join() !== last) note(`waiting for upstream pod(s) to stop: ${pods.join(', ')}`);
    last = pods.join();
    await new Promise((r) => setTimeout(r, 1000));
  }
}

interface EipMeta { metadata?: { name?: string; resourceVersion?: string; finalizers?: string[] } }

/**
 * Removes upstream's finalizer from every Eip that carries it; returns their names. Our runtime
 * never sets it, and nothing would remove it once the CRDs are being deleted.
 */
export async function releaseEipFinalizers(kc: KubeConfig, dryRun = false): Promise<string[]> {
  const path = `/apis/${GROUP}/${STORAGE_VERSION}/${PLURALS.Eip}`;
  const list = await kubeCall(kc, 'list', `eips.${GROUP}`, () => restCall(kc, 'GET', path))
    .catch((e: unknown) => { if (statusCode(e) === 404) return { items: [] }; throw e; }) as { items?: EipMeta[] };
  const held = (list.items ?? []).filter((e) => e.metadata?.finalizers?.includes(IPAM_FINALIZER));
  for (const e of held) {
    const name = e.metadata?.name ?? '';
    await kubeCall(kc, 'patch', `eips ${name}`, () => retryOnConflict(async () => {
      const now = await restCall(kc, 'GET', `${path}/${encodeURIComponent(name)}`) as EipMeta;
      const finalizers = (now.metadata?.finalizers ?? []).filter((f) => f !== IPAM_FINALIZER);
      // The resourceVersion makes the merge patch conditional: the list replaced is the one read.
      await restCall(kc, 'PATCH', `${path}/${encodeURIComponent(name)}`, {
        body: { metadata: { finalizers, resourceVersion: now.metadata?.resourceVersion } },
        contentType: 'application/merge-patch+json',
        query: { dryRun: dryRun ? 'All' : undefined },
      });
    }));
  }
  return held.map((e) => e.metadata?.name ?? '');
}
