// `openelb deploy` / `openelb undeploy`: server-side apply of the objects from manifests.ts.
//
//   const { changes } = await deploy(kc, { dryRun: true });   // [{ kind, name, action }]
//
// Each object is applied with fieldManager "openelb" (force: these objects are ours). Whether
// an object was created, updated or left unchanged is decided by comparing the live object
// with the apply result, both stripped of server bookkeeping; dry-run sends the same apply with
// dryRun=All, so the answer is the API server's own (defaults, admission) and nothing is stored.
import type { KubeConfig } from '@kubernetes/client-node';
import { ensureGossipSecret } from './gossipSecret';
import { buildManifests } from './manifests';
import { FIELD_MANAGER, GOSSIP_SECRET, NAMESPACE } from './names';
import { kubeCall, OpsError } from './opsError';
import { restCall } from '../kube/rest';
import { STORAGE_VERSION } from '@openelb/core/api/types';
import { describeObject, objectPath, type KubeObject } from './resources';
import { readRuntimeFiles, requireHelper, shippedArchs, type RuntimeFiles } from './runtimeFiles';
import { checkImage } from './image';
import { findHeldServices, heldDetail, HeldServicesError, releaseService, type HeldService } from './heldServices';
import { POD_WAIT_MS, waitPodsGone } from './podsGone';
import { statusCode } from '../kube/errors';
import { findUpstream, keyOf, keyOfManifest, type UpstreamObject } from './upstream';
import { releaseEipFinalizers, removeUpstream, takeoverPlan, waitUpstreamPodsGone } from './takeover';
import { foundPath, isOurs, namespaceContents, type FoundObject } from './foreign';
import { servesAdmissionPolicies, UNCONFINED_WARNING, vipInUse } from './clusterSupport';

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
  /** UDP port the speakers gossip on (default DEFAULT_GOSSIP_PORT). */
  gossipPort?: number;
  image?: string;
  /** Path of the bundle to ship (default: the running bundle, or dist/openelb.js). */
  bundlePath?: string;
  /** Or the runtime files themselves. */
  runtime?: RuntimeFiles;
  onProgress?: (change: Change) => void;
  /** How long to wait for the CRDs to become Established (ms). */
  crdTimeoutMs?: number;
  /** Delete upstream OpenELB's webhook configurations and workloads first (takeover.ts). */
  removeUpstream?: boolean;
  /** Deploy although upstream's webhooks or workloads are in place. */
  force?: boolean;
  /** Messages while waiting for upstream's pods to stop. */
  onNote?: (message: string) => void;
  /** How long to wait for upstream's pods to stop (ms, default 60 s). */
  podTimeoutMs?: number;
  /** Called with the upstream OpenELB objects found, before anything is changed. */
  onUpstream?: (found: UpstreamObject[]) => void;
  /**
   * Give the speaker CAP_NET_ADMIN for vip mode (true) or not (false). Default: when an Eip uses
   * vip or the deployed speaker has it already; pass true before creating the first vip Eip.
   */
  vip?: boolean;
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
  /** deploy: upstream OpenELB objects found before it started (upstream.ts). */
  upstream?: UpstreamObject[];
  /** deploy: whether an admission policy keeps each speaker to its own node (Kubernetes 1.30+). */
  speakersConfined?: boolean;
  /** undeploy: objects found and left (others' objects in openelb-system, upstream's elsewhere). */
  left?: UpstreamObject[];
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

interface Applied { action: Action; detail?: string }

async function applyOne(kc: KubeConfig, o: KubeObject, dryRun: boolean, namespaceMissing: boolean, replaced: Set<string>): Promise<Applied> {
  const what = describeObject(o);
  const live = await kubeCall(kc, 'get', what, () => readLive(kc, o));
  // A dry run cannot create objects inside a namespace that the same dry run only pretends to create,
  // nor apply over an upstream object that the same dry run only pretends to delete.
  if (dryRun && ((namespaceMissing && o.metadata.namespace === NAMESPACE) || replaced.has(keyOfManifest(o)))) return { action: 'create' };
  // A namespace someone else made (upstream's, after a takeover) is used as it is: undeploy
  // deletes only a namespace carrying our label, so it must not get it.
  if (live && o.kind === 'Namespace' && !isOurs(live.metadata)) return { action: 'unchanged', detail: 'exists, not created by openelb deploy: used as it is' };
  const applied = await kubeCall(kc, live ? 'patch' : 'create', what, () => restCall(kc, 'PATCH', objectPath(o), {
    body: o,
    contentType: 'application/apply-patch+yaml',
    query: { fieldManager: FIELD_MANAGER, force: 'true', dryRun: dryRun ? 'All' : undefined },
  })) as KubeObject;
  if (!live) return { action: 'create' };
  if (!isOurs(live.metadata)) return { action: 'update', detail: 'taken over: it was not created by openelb deploy' };
  return { action: comparable(live) === comparable(applied) ? 'unchanged' : 'update' };
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
  const confineSpeakers = await servesAdmissionPolicies(kc);
  if (!confineSpeakers) opts.onNote?.(UNCONFINED_WARNING);
  const vip = opts.vip ?? await vipInUse(kc);
  const objects = buildManifests({ image, runtime, confineSpeakers, vip, gossipPort: opts.gossipPort });
  const changes: Change[] = [];
  const record = (change: Change): void => { changes.push(change); opts.onProgress?.(change); };
  const upstream = await findUpstream(kc);
  if (upstream.length) opts.onUpstream?.(upstream);
  const removing = takeoverPlan(upstream, opts);
  for (const u of removing) {
    await removeUpstream(kc, u, dryRun);
    record({ kind: u.kind, name: u.name, ...(u.namespace ? { namespace: u.namespace } : {}), action: 'delete', detail: `upstream OpenELB ${u.role}` });
  }
  const workloads = removing.filter((u) => u.role === 'workload');
  if (!dryRun && workloads.length) await waitUpstreamPodsGone(kc, workloads, opts.podTimeoutMs ?? POD_WAIT_MS, opts.onNote);
  const replaced = new Set(removing.map(keyOf));
  let namespaceMissing = false;
  for (const o of objects) {
    // The gossip key before the speakers: a speaker started without it runs on Leases alone.
    if (o.kind === 'DaemonSet') record({ kind: 'Secret', name: GOSSIP_SECRET, namespace: NAMESPACE, action: await ensureGossipSecret(kc, dryRun, namespaceMissing) });
    const { action, detail } = await applyOne(kc, o, dryRun, namespaceMissing, replaced);
    if (o.kind === 'Namespace' && o.metadata.name === NAMESPACE) namespaceMissing = action === 'create';
    if (o.kind === 'CustomResourceDefinition' && !dryRun) await waitEstablished(kc, o, opts.crdTimeoutMs ?? 60_000);
    record({ ...changeOf(o, action), ...(detail ? { detail } : {}) });
  }
  return { changes, architectures: shippedArchs(runtime), upstream, speakersConfined: confineSpeakers };
}

/**
 * Deletes what deploy created; objects not labelled as ours are left alone. Order: the controller
 * and speaker first, then (once their pods are gone, so they could release their Leases and
 * nothing re-adds finalizers) the Services' OpenELB state if asked, then the ConfigMap, RBAC,
 * ServiceAccounts, the runtime's journal and Leases, and the Namespace if we created it and
 * nothing of others' is in it. CRDs are kept unless includeCrds: deleting a CRD deletes every
 * object of that kind. Refuses (HeldServicesError) while Services hold OpenELB state, unless
 * releaseServices. The result's `left` lists what remains of others (upstream's, after a takeover).
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
  const isNamespace = (o: KubeObject): boolean => o.kind === 'Namespace';
  const rest = objects.filter((o) => !isWorkload(o) && !isNamespace(o) && o.kind !== 'CustomResourceDefinition');
  for (const o of rest) record(changeOf(o, await deleteOurs(kc, o, opts.dryRun)));
  await deleteNamespaceIfOnlyOurs(kc, objects, opts.dryRun ?? false, record);
  if (opts.includeCrds) {
    // Upstream's Eip finalizer would leave every Eip, and so the CRD, Terminating for good.
    for (const name of await releaseEipFinalizers(kc, opts.dryRun)) {
      record({ kind: 'Eip', name, action: 'release', detail: 'upstream\'s finalizer removed' });
    }
    for (const o of objects.filter((x) => x.kind === 'CustomResourceDefinition')) record(changeOf(o, await deleteOurs(kc, o, opts.dryRun)));
  }
  return { changes, left: await findUpstream(kc) };
}

/**
 * Deletes the runtime's own state in the namespace (the journal ConfigMap, Leases), then the
 * namespace itself only when we created it (our label) and nobody else's objects are in it;
 * otherwise it stays, saying why (the objects are listed in the result's `left`).
 */
async function deleteNamespaceIfOnlyOurs(kc: KubeConfig, objects: KubeObject[], dryRun: boolean, record: (c: Change) => void): Promise<void> {
  const ns = objects.find((o) => o.kind === 'Namespace')!;
  const { ours, others } = await namespaceContents(kc, NAMESPACE);
  // The manifests' objects were handled above (a dry run leaves them in place).
  const handled = new Set(objects.map(keyOfManifest));
  for (const o of ours.filter((x) => !handled.has(keyOf(x)))) {
    await deleteFound(kc, o, dryRun);
    record({ kind: o.kind, name: o.name, namespace: o.namespace, action: 'delete' });
  }
  const live = await kubeCall(kc, 'get', describeObject(ns), () => readLive(kc, ns));
  if (live && !live.metadata.deletionTimestamp && (!isOurs(live.metadata) || others.length)) {
    const why = !isOurs(live.metadata) ? 'not created by openelb deploy' : `it holds ${others.length} object(s) not created by openelb deploy`;
    record({ ...changeOf(ns, 'unchanged'), detail: `kept: ${why}` });
    return;
  }
  record(changeOf(ns, await deleteOurs(kc, ns, dryRun)));
}

async function deleteFound(kc: KubeConfig, o: FoundObject, dryRun: boolean): Promise<void> {
  await kubeCall(kc, 'delete', `${o.kind} ${o.namespace}/${o.name}`, () => restCall(kc, 'DELETE', foundPath(o), {
    body: { kind: 'DeleteOptions', apiVersion: 'v1', ...(dryRun ? { dryRun: ['All'] } : {}) },
    query: { dryRun: dryRun ? 'All' : undefined },
  }).catch((e: unknown) => { if (statusCode(e) !== 404) throw e; }));
}

function releaseChange(h: HeldService): Change {
  return { kind: 'Service', name: h.name, namespace: h.namespace, action: 'release', detail: heldDetail(h) };
}

/** Deletes `o` if it exists and is ours ('delete'), else leaves it ('unchanged'). */
async function deleteOurs(kc: KubeConfig, o: KubeObject, dryRun = false): Promise<Action> {
  const what = describeObject(o);
  const live = await kubeCall(kc, 'get', what, () => readLive(kc, o));
  if (!live || !isOurs(live.metadata) || live.metadata.deletionTimestamp) return 'unchanged';
  await kubeCall(kc, 'delete', what, () => restCall(kc, 'DELETE', objectPath(o), {
    // dryRun in the body too: the API server reads DeleteOptions from the body over the query.
    body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', ...(dryRun ? { dryRun: ['All'] } : {}) },
    query: { dryRun: dryRun ? 'All' : undefined },
  }).catch((e: unknown) => { if (statusCode(e) !== 404) throw e; }));
  return 'delete';
}

/** The warning undeploy prints when it keeps the CRDs. */
export const CRD_WARNING = 'CRDs kept: deleting them also deletes every Eip, BgpConf and BgpPeer in the cluster; pass --include-crds to delete them too.';
