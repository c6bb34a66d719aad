// `openelb deploy` / `openelb undeploy`: server-side apply of the objects from manifests.ts.
//
//   const { changes } = await deploy(kc, { dryRun: true });   // [{ kind, name, action }]
//
// Each object is applied with fieldManager "openelb" (force: these objects are ours). Whether
// an object was created, updated or left unchanged is decided by comparing the live object
// with the apply result, both stripped of server bookkeeping; dry-run sends the same apply with
// dryRun=All, so the answer is the API server's own (defaults, admission) and nothing is stored.
import type { KubeConfig } from '@kubernetes/client-node';
import { buildManifests, readRuntimeFiles, type RuntimeFiles } from './manifests';
import { FIELD_MANAGER, MANAGED_BY, NAMESPACE } from './names';
import { kubeCall, OpsError } from './kubeconfig';
import { restCall } from '../kube/rest';
import { STORAGE_VERSION } from '../../../server/src/core/api/types';
import { describeObject, objectPath, type KubeObject } from './resources';

export type Action = 'create' | 'update' | 'unchanged' | 'delete';

export interface Change {
  kind: string;
  name: string;
  namespace?: string;
  action: Action;
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
  onProgress?: (change: Change) => void;
}

export interface DeployResult { changes: Change[] }

const code = (e: unknown): number | undefined => (e as { code?: unknown })?.code as number | undefined;

/** Reads an object, or undefined when it does not exist. */
async function readLive(kc: KubeConfig, o: KubeObject): Promise<KubeObject | undefined> {
  try {
    return await restCall(kc, 'GET', objectPath(o)) as KubeObject;
  } catch (e) {
    if (code(e) === 404) return undefined;
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
  const runtime = opts.runtime ?? readRuntimeFiles(opts.bundlePath);
  const objects = buildManifests({ image: opts.image, runtime });
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
  return { changes };
}

/**
 * Deletes what deploy created, in reverse order; objects not labelled as ours are left alone.
 * CRDs are kept unless includeCrds: deleting a CRD deletes every object of that kind.
 */
export async function undeploy(kc: KubeConfig, opts: UndeployOptions = {}): Promise<DeployResult> {
  // The runtime's content does not matter for deletion; an empty stand-in avoids needing the bundle.
  const objects = buildManifests({ runtime: { bundle: Buffer.alloc(0) } }).reverse();
  const ordered = [
    ...objects.filter((o) => o.kind !== 'CustomResourceDefinition'),
    ...(opts.includeCrds ? objects.filter((o) => o.kind === 'CustomResourceDefinition') : []),
  ];
  const changes: Change[] = [];
  for (const o of ordered) {
    const what = describeObject(o);
    const live = await kubeCall(kc, 'get', what, () => readLive(kc, o));
    let action: Action = 'unchanged';
    if (live && live.metadata.labels?.['app.kubernetes.io/managed-by'] === MANAGED_BY && !live.metadata.deletionTimestamp) {
      await kubeCall(kc, 'delete', what, () => restCall(kc, 'DELETE', objectPath(o), {
        // dryRun in the body too: the API server reads DeleteOptions from the body over the query.
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', ...(opts.dryRun ? { dryRun: ['All'] } : {}) },
        query: { dryRun: opts.dryRun ? 'All' : undefined },
      }).catch((e: unknown) => { if (code(e) !== 404) throw e; }));
      action = 'delete';
    }
    const change = changeOf(o, action);
    changes.push(change);
    opts.onProgress?.(change);
  }
  return { changes };
}

/** The warning undeploy prints when it keeps the CRDs. */
export const CRD_WARNING = 'CRDs kept: deleting them also deletes every Eip, BgpConf and BgpPeer in the cluster; pass --include-crds to delete them too.';
