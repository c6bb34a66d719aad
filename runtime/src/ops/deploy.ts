// `openelb deploy` / `openelb undeploy`: server-side apply of the objects from manifests.ts.
//
//   const { changes } = await deploy(kc, { dryRun: true });   // [{ kind, name, action }]
//
// Each object is applied with fieldManager "openelb" (force: these objects are ours). Whether
// an object was created, updated or left unchanged is decided by comparing the live object
// with the apply result, both stripped of server bookkeeping; dry-run sends the same apply with
// dryRun=All, so the answer is the API server's own (defaults, admission) and nothing is stored.
import type { KubeConfig } from '@kubernetes/client-node';
import { buildManifests } from './manifests';
import { FIELD_MANAGER, MANAGED_BY, NAMESPACE } from './names';
import { kubeCall, OpsError } from './kubeconfig';
import { restCall } from '../kube/rest';
import { STORAGE_VERSION } from '../../../server/src/core/api/types';
import { describeObject, objectPath, type KubeObject } from './resources';
import { readRuntimeFiles, requireHelper, shippedArchs, type RuntimeFiles } from './runtimeFiles';
import { checkImage } from './image';
import { findHeldServices, heldDetail, HeldServicesError, releaseService, type HeldService } from './heldServices';
import { POD_WAIT_MS, waitPodsGone } from './podsGone';
import { statusCode } from '../kube/client';

/** 'release': a Service's OpenELB finalizer, pool label and addresses removed (undeploy). */
export type Action = 'create' | 'update' | 'unchanged' | 'delete' | 'release';

export interface Change {
  kind: string;
  name: string;
  namespace?: string;
  action: Action;
  /** Extra words for people, e.g. the addresses a released Service gave back. */
  detail?: string;
}

export interface DeployOptions {
  dryRun?: boolean;
  image?: string;
  /** Path of the bundle to ship (default: the running bundle, or dist/openelb.js). */
  bundlePath?: string;
  /** Or the runtime files themselves. */
  runtime?: RuntimeFiles;
  onProgress?: (change: Change) => void;
  /** How long to wait for the CRDs to become Established (ms). */
  crdTimeoutMs?: number;
}

export interface UndeployOptions {
  dryRun?: boolean;
  /** Also delete the CRDs, and with them every Eip, BgpConf and BgpPeer in the cluster. */
  includeCrds?: boolean;
  /** Release Services holding OpenELB addresses or its finalizer; without it undeploy refuses. */
  releaseServices?: boolean;
  onProgress?: (change: Change) => void;
  /** Messages while waiting for the runtime's pods to stop. */
  onNote?: (message: string) => void;
  /** How long to wait for the runtime's pods to stop (ms, default 60 s). */
  podTimeoutMs?: number;
}

export interface DeployResult {
  changes: Change[];
  /** deploy: the CPU architectures whose packet helper was shipped ("amd64", "arm64"). */
  architectures?: string[];
}


/** Reads an object, or undefined when it does not exist. */
async function readLive(kc: KubeConfig, o: KubeObject): Promise<KubeObject | undefined> {
  try {
    return await restCall(kc, 'GET', objectPath(o)) as KubeObject;
  } catch (e) {
    if (statusCode(e) === 404) return undefined;
    throw e;
  }
}

/** An object without what the server maintains on its own, for "did anything change?". */
export function comparable(o: KubeObject | undefined): string {
  if (!o) return '';
  const { status: _status, ...rest } = o;
  const md = { ...o.metadata };
  for (const k of ['managedFields', 'resourceVersion', 'generation', 'creationTimestamp', 'uid', 'selfLink']) delete md[k];
  return JSON.stringify(sortKeys({ ...rest, metadata: md }));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

function changeOf(o: KubeObject, action: Action): Change {
  return { kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}), action };
}

async function applyOne(kc: KubeConfig, o: KubeObject, dryRun: boolean, namespaceMissing: boolean): Promise<Action> {
  const what = describeObject(o);
  const live = await kubeCall(kc, 'get', what, () => readLive(kc, o));
  // A dry run cannot create objects inside a namespace that the same dry run only pretends to create.
  if (dryRun && namespaceMissing && o.metadata.namespace === NAMESPACE) return 'create';
  const applied = await kubeCall(kc, live ? 'patch' : 'create', what, () => restCall(kc, 'PATCH', objectPath(o), {
    body: o,
    contentType: 'application/apply-patch+yaml',
    query: { fieldManager: FIELD_MANAGER, force: 'true', dryRun: dryRun ? 'All' : undefined },
  })) as KubeObject;
  if (!live) return 'create';
  return comparable(live) === comparable(applied) ? 'unchanged' : 'update';
}

async function waitEstablished(kc: KubeConfig, crd: KubeObject, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await kubeCall(kc, 'get', describeObject(crd), () => restCall(kc, 'GET', objectPath(crd))) as {
      status?: { conditions?: { type: string; status: string; message?: string }[] };
    };
    const conds = got.status?.conditions ?? [];
    if (conds.some((c) => c.type === 'Established' && c.status === 'True')) {
      // Established means accepted; listing once (kubeCall retries the 429 the API server sends
      // while the new resource's storage initializes) means Eips can be used right away.
      const spec = (crd as unknown as { spec: { group: string; names: { plural: string } } }).spec;
      await kubeCall(kc, 'list', `${spec.names.plural}.${spec.group}`,
        () => restCall(kc, 'GET', `/apis/${spec.group}/${STORAGE_VERSION}/${spec.names.plural}`, { query: { limit: '1' } }));
      return;
    }
    if (Date.now() > deadline) {
      const why = conds.map((c) => `${c.type}=${c.status}${c.message ? ` (${c.message})` : ''}`).join(', ');
      throw new OpsError(`CRD ${crd.metadata.name} is not Established after ${timeoutMs} ms${why ? `: ${why}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Applies every object; CRDs first, each waited on until Established. */
export async function deploy(kc: KubeConfig, opts: DeployOptions = {}): Promise<DeployResult> {
  const dryRun = opts.dryRun ?? false;
  const image = opts.image === undefined ? undefined : checkImage(opts.image);
  const runtime = opts.runtime ?? readRuntimeFiles(opts.bundlePath);
  requireHelper(runtime);
  const objects = buildManifests({ image, runtime });
  const changes: Change[] = [];
  let namespaceMissing = false;
  for (const o of objects) {
    const action = await applyOne(kc, o, dryRun, namespaceMissing);
    if (o.kind === 'Namespace' && o.metadata.name === NAMESPACE) namespaceMissing = action === 'create';
    if (o.kind === 'CustomResourceDefinition' && !dryRun) await waitEstablished(kc, o, opts.crdTimeoutMs ?? 60_000);
    const change = changeOf(o, action);
    changes.push(change);
    opts.onProgress?.(change);
  }
  return { changes, architectures: shippedArchs(runtime) };
}

/**
 * Deletes what deploy created; objects not labelled as ours are left alone. Order: the controller
 * and speaker first, then (once their pods are gone, so they could release their Leases and
 * nothing re-adds finalizers) the Services' OpenELB state if asked, then the ConfigMap, RBAC,
 * ServiceAccounts and Namespace. CRDs are kept unless includeCrds: deleting a CRD deletes every
 * object of that kind. Refuses (HeldServicesError) while Services hold OpenELB state, unless
 * releaseServices.
 */
export async function undeploy(kc: KubeConfig, opts: UndeployOptions = {}): Promise<DeployResult> {
  const held = await findHeldServices(kc);
  if (held.length && !opts.releaseServices) throw new HeldServicesError(held);
  // The runtime's content does not matter for deletion; an empty stand-in avoids needing the bundle.
  const objects = buildManifests({ runtime: { bundle: Buffer.alloc(0), helpers: {} } }).reverse();
  const isWorkload = (o: KubeObject): boolean => o.kind === 'Deployment' || o.kind === 'DaemonSet';
  const changes: Change[] = [];
  const record = (change: Change): void => { changes.push(change); opts.onProgress?.(change); };
  for (const o of objects.filter(isWorkload)) record(changeOf(o, await deleteOurs(kc, o, opts.dryRun)));
  if (!opts.dryRun && changes.some((c) => c.action === 'delete')) await waitPodsGone(kc, opts.podTimeoutMs ?? POD_WAIT_MS, opts.onNote);
  if (opts.releaseServices) {
    // Listed again: the controller may have given out addresses while it was stopping.
    for (const h of opts.dryRun ? held : await findHeldServices(kc)) {
      if (!opts.dryRun) await releaseService(kc, h);
      record(releaseChange(h));
    }
  }
  const rest = objects.filter((o) => !isWorkload(o) && o.kind !== 'CustomResourceDefinition');
  const crds = opts.includeCrds ? objects.filter((o) => o.kind === 'CustomResourceDefinition') : [];
  for (const o of [...rest, ...crds]) record(changeOf(o, await deleteOurs(kc, o, opts.dryRun)));
  return { changes };
}

function releaseChange(h: HeldService): Change {
  return { kind: 'Service', name: h.name, namespace: h.namespace, action: 'release', detail: heldDetail(h) };
}

/** Deletes `o` if it exists and is ours ('delete'), else leaves it ('unchanged'). */
async function deleteOurs(kc: KubeConfig, o: KubeObject, dryRun = false): Promise<Action> {
  const what = describeObject(o);
  const live = await kubeCall(kc, 'get', what, () => readLive(kc, o));
  if (!live || live.metadata.labels?.['app.kubernetes.io/managed-by'] !== MANAGED_BY || live.metadata.deletionTimestamp) return 'unchanged';
  await kubeCall(kc, 'delete', what, () => restCall(kc, 'DELETE', objectPath(o), {
    // dryRun in the body too: the API server reads DeleteOptions from the body over the query.
    body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', ...(dryRun ? { dryRun: ['All'] } : {}) },
    query: { dryRun: dryRun ? 'All' : undefined },
  }).catch((e: unknown) => { if (statusCode(e) !== 404) throw e; }));
  return 'delete';
}

/** The warning undeploy prints when it keeps the CRDs. */
export const CRD_WARNING = 'CRDs kept: deleting them also deletes every Eip, BgpConf and BgpPeer in the cluster; pass --include-crds to delete them too.';
