// Upstream OpenELB (github.com/openelb/openelb v0.5.x manifest, v0.6.x manifest or chart) found in
// the cluster, for `openelb deploy` taking a cluster over and `openelb undeploy` saying what it leaves.
//
//   const found = await findUpstream(kc);   // [{ kind, name, namespace?, role, detail, ... }]
//
// Roles:
//   - webhook: upstream's admission webhooks (`mutating.eip.network.kubesphere.io` on Services,
//     `validate.eip.network.kubesphere.io` on Eips, failurePolicy Fail). Once upstream's manager is
//     gone nothing answers them, and every Service (or Eip) create and update fails; our
//     controller could not even set its finalizer.
//   - workload: upstream's controller/manager or speaker still scheduled: two controllers would
//     hand out the same addresses and two speakers answer for them.
//   - leftover: everything else upstream installed (RBAC, its webhook Service, cert Jobs, Secrets):
//     harmless, kept for the way back.
// Found by what upstream writes (webhook names and paths, images and commands), not only by the
// names of one manifest: the chart prefixes names with its release.
import type { KubeConfig } from '@kubernetes/client-node';
import { restCall } from '../kube/rest';
import { statusCode } from '../kube/errors';
import { byKindAndName, CLUSTER_KINDS, isOurs, namespaceContents, type FoundObject } from './foreign';
import { kubeCall } from './opsError';
import { CONTROLLER, NAMESPACE, SPEAKER } from './names';
import { buildManifests } from './manifests';

export type UpstreamRole = 'webhook' | 'workload' | 'leftover';

export interface UpstreamObject extends FoundObject {
  role: UpstreamRole;
  detail: string;
  /** A workload with the name of one of ours (v0.6 names): deploy cannot apply over it. */
  collides?: boolean;
  /** A leftover with the name of one of ours (v0.6 RBAC): deploy applies ours over it, and it is ours from then on. */
  takenOver?: boolean;
  /** A workload's pod selector (to wait for its pods after deleting it). */
  selector?: Record<string, string>;
}

interface Meta { name?: string; namespace?: string; labels?: Record<string, string> }

export interface WebhookConfig {
  metadata?: Meta;
  webhooks?: {
    name?: string;
    failurePolicy?: string;
    clientConfig?: { service?: { namespace?: string; name?: string; path?: string }; url?: string };
    rules?: { resources?: string[]; operations?: string[] }[];
  }[];
}

export interface Workload {
  metadata?: Meta;
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template?: { spec?: { containers?: { image?: string; command?: string[] }[] } };
  };
  status?: { readyReplicas?: number; numberReady?: number; desiredNumberScheduled?: number };
}

export interface RoleBinding {
  metadata?: Meta;
  roleRef?: { kind?: string; name?: string };
  subjects?: { kind?: string; name?: string; namespace?: string }[];
}

/** Upstream's webhooks: named `*.network.kubesphere.io`, served under `/validate-network-kubesphere-io-*`. */
const UPSTREAM_WEBHOOK_NAME = /(^|\.)network\.kubesphere\.io$/;
const UPSTREAM_WEBHOOK_PATH = /-network-kubesphere-io-/;
/** kubesphere/openelb (v0.5 manager), openelb-controller / openelb-speaker (v0.6), the vip speaker. */
const UPSTREAM_IMAGE = /(^|\/)(openelb|openelb-manager|openelb-controller|openelb-speaker|kube-keepalived-vip)(:|@|$)/;
const UPSTREAM_COMMANDS = new Set(['openelb-manager', 'openelb-controller', 'openelb-speaker']);

/** Our workloads' names: an upstream workload under one of them blocks the apply (immutable selector). */
const OUR_WORKLOADS = new Set([`Deployment ${NAMESPACE}/${CONTROLLER}`, `DaemonSet ${NAMESPACE}/${SPEAKER}`]);

const where = (ns: string | undefined, name: string | undefined): string => `${ns ? `${ns}/` : ''}${name ?? ''}`;

/** "Kind ns/name": one object, across kinds. */
export function keyOf(o: FoundObject): string {
  return `${o.kind} ${where(o.namespace, o.name)}`;
}

/** keyOf for one of the objects deploy applies. */
export const keyOfManifest = (o: { kind: string; metadata: { name: string; namespace?: string } }): string =>
  keyOf({ kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace });

/** Whether a webhook's Service can answer: absent, present without a ready endpoint, or served. */
export type Backend = 'missing' | 'no-endpoints' | 'served';

/** What one of upstream's webhook configurations breaks, or undefined when it is not upstream's (pure). */
export function webhookFinding(kind: string, cfg: WebhookConfig, backend: (ns: string, name: string) => Backend): UpstreamObject | undefined {
  if (isOurs(cfg.metadata)) return undefined;
  const hooks = (cfg.webhooks ?? []).filter((w) => UPSTREAM_WEBHOOK_NAME.test(w.name ?? '') || UPSTREAM_WEBHOOK_PATH.test(w.clientConfig?.service?.path ?? ''));
  if (!hooks.length) return undefined;
  const parts = hooks.map((w) => {
    const svc = w.clientConfig?.service;
    const resources = [...new Set((w.rules ?? []).flatMap((r) => r.resources ?? []))].join('/') || 'objects';
    const target = svc ? `Service ${where(svc.namespace, svc.name)}` : `URL ${w.clientConfig?.url ?? '?'}`;
    const state = svc ? backend(svc.namespace ?? 'default', svc.name ?? '') : 'served';
    const fails = (w.failurePolicy ?? 'Fail') === 'Fail';
    const effect = !fails ? 'failurePolicy Ignore: it only slows requests down'
      : state === 'missing' ? `which does not exist: every create and update of ${resources} fails`
        : state === 'no-endpoints' ? `which has no ready endpoint: every create and update of ${resources} fails`
          : `every create and update of ${resources} fails once upstream's manager is gone`;
    return `webhook ${w.name} calls ${target}, ${effect}`;
  });
  return { kind, name: cfg.metadata?.name ?? '', role: 'webhook', detail: parts.join('; ') };
}

/** Upstream's controller, manager or speaker (by image or command), or undefined (pure). */
export function workloadFinding(kind: 'Deployment' | 'DaemonSet', w: Workload): UpstreamObject | undefined {
  if (isOurs(w.metadata)) return undefined;
  const containers = w.spec?.template?.spec?.containers ?? [];
  const c = containers.find((x) => UPSTREAM_IMAGE.test(x.image ?? '') || UPSTREAM_COMMANDS.has((x.command?.[0] ?? '').split('/').pop() ?? ''));
  if (!c) return undefined;
  const { name = '', namespace } = w.metadata ?? {};
  const collides = OUR_WORKLOADS.has(`${kind} ${where(namespace, name)}`);
  const desired = kind === 'Deployment' ? (w.spec?.replicas ?? 1) : (w.status?.desiredNumberScheduled ?? 0);
  const ready = (kind === 'Deployment' ? w.status?.readyReplicas : w.status?.numberReady) ?? 0;
  const scheduled = kind === 'Deployment' ? desired > 0 : true; // a DaemonSet runs wherever nodes fit
  const job = kind === 'Deployment' ? 'allocate addresses' : 'announce addresses';
  const detail = `upstream OpenELB (image ${c.image ?? '?'}, ${ready}/${desired} ready): it would ${job} alongside ours`
    + (collides ? `; it has the name of our ${kind}, so deploy cannot apply over it` : '');
  return {
    kind, name, namespace, detail, role: scheduled || collides ? 'workload' : 'leftover',
    ...(collides ? { collides } : {}), selector: w.spec?.selector?.matchLabels ?? {},
  };
}

/**
 * Upstream's cluster RBAC: bindings (not ours) granting to ServiceAccounts of the given
 * namespaces, and the ClusterRoles they name (pure).
 */
export function rbacFindings(bindings: RoleBinding[], roles: Meta[], namespaces: Set<string>): UpstreamObject[] {
  const out: UpstreamObject[] = [];
  const roleNames = new Set<string>();
  const detail = (): string => 'upstream\'s; harmless';
  for (const b of bindings) {
    if (isOurs(b.metadata)) continue;
    if (!(b.subjects ?? []).some((s) => s.kind === 'ServiceAccount' && namespaces.has(s.namespace ?? ''))) continue;
    const name = b.metadata?.name ?? '';
    out.push({ kind: 'ClusterRoleBinding', name, role: 'leftover', detail: detail() });
    if (b.roleRef?.kind === 'ClusterRole' && b.roleRef.name) roleNames.add(b.roleRef.name);
  }
  for (const r of roles) {
    if (r.name && roleNames.has(r.name) && !isOurs(r)) out.push({ kind: 'ClusterRole', name: r.name, role: 'leftover', detail: detail() });
  }
  return out;
}

async function list<T>(kc: KubeConfig, path: string, what: string): Promise<T[]> {
  const got = await kubeCall(kc, 'list', what, () => restCall(kc, 'GET', path)) as { items?: T[] };
  return got.items ?? [];
}

interface EndpointSlice { endpoints?: { conditions?: { ready?: boolean } }[] }

/** The state of one webhook Service: its EndpointSlices say whether any pod answers. */
async function backendOf(kc: KubeConfig, ns: string, name: string): Promise<Backend> {
  const base = `/api/v1/namespaces/${encodeURIComponent(ns)}/services/${encodeURIComponent(name)}`;
  try {
    await kubeCall(kc, 'get', `services ${ns}/${name}`, () => restCall(kc, 'GET', base));
  } catch (e) {
    if (statusCode(e) === 404) return 'missing';
    throw e;
  }
  const slices = await list<EndpointSlice>(kc, `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${name}`)}`, `endpointslices of ${ns}/${name}`);
  return slices.some((s) => (s.endpoints ?? []).some((ep) => ep.conditions?.ready !== false)) ? 'served' : 'no-endpoints';
}

/** "ns/name" → state, for every Service the webhooks call. */
async function backends(kc: KubeConfig, hooks: WebhookConfig[]): Promise<Map<string, Backend>> {
  const wanted = new Set(hooks.flatMap((h) => (h.webhooks ?? []).flatMap((w) => (w.clientConfig?.service ? [where(w.clientConfig.service.namespace ?? 'default', w.clientConfig.service.name)] : []))));
  return new Map(await Promise.all([...wanted].map(async (key): Promise<[string, Backend]> => {
    const [ns, name] = key.split('/');
    return [key, await backendOf(kc, ns, name)];
  })));
}

/**
 * Every upstream object found: webhooks and workloads anywhere, upstream's cluster RBAC, and the
 * objects of others in openelb-system (sorted: webhooks, workloads, leftovers).
 */
export async function findUpstream(kc: KubeConfig): Promise<UpstreamObject[]> {
  const [mutating, validating, deployments, daemonsets] = await Promise.all([
    list<WebhookConfig>(kc, `${CLUSTER_KINDS[0].api}/${CLUSTER_KINDS[0].plural}`, CLUSTER_KINDS[0].plural),
    list<WebhookConfig>(kc, `${CLUSTER_KINDS[1].api}/${CLUSTER_KINDS[1].plural}`, CLUSTER_KINDS[1].plural),
    list<Workload>(kc, '/apis/apps/v1/deployments', 'deployments (all namespaces)'),
    list<Workload>(kc, '/apis/apps/v1/daemonsets', 'daemonsets (all namespaces)'),
  ]);
  const states = await backends(kc, [...mutating, ...validating]);
  const exists = (ns: string, name: string): Backend => states.get(`${ns}/${name}`) ?? 'missing';
  const found: UpstreamObject[] = [
    ...mutating.flatMap((c) => webhookFinding('MutatingWebhookConfiguration', c, exists) ?? []),
    ...validating.flatMap((c) => webhookFinding('ValidatingWebhookConfiguration', c, exists) ?? []),
    ...deployments.flatMap((d) => workloadFinding('Deployment', d) ?? []),
    ...daemonsets.flatMap((d) => workloadFinding('DaemonSet', d) ?? []),
  ];
  // Where upstream lives: its workloads' namespaces and those of the Services its webhooks call.
  const hookNamespaces = [...mutating, ...validating].filter((c) => found.some((f) => f.role === 'webhook' && f.name === c.metadata?.name))
    .flatMap((c) => (c.webhooks ?? []).flatMap((w) => w.clientConfig?.service?.namespace ?? []));
  const namespaces = new Set([NAMESPACE, ...hookNamespaces, ...found.flatMap((f) => (f.namespace ? [f.namespace] : []))]);
  const [bindings, roles, contents] = await Promise.all([
    list<RoleBinding>(kc, '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', 'clusterrolebindings'),
    list<{ metadata?: Meta }>(kc, '/apis/rbac.authorization.k8s.io/v1/clusterroles', 'clusterroles'),
    namespaceContents(kc, NAMESPACE),
  ]);
  found.push(...rbacFindings(bindings, roles.map((r) => r.metadata ?? {}), namespaces));
  const seen = new Set(found.map(keyOf));
  for (const o of contents.others) {
    if (!seen.has(keyOf(o))) found.push({ ...o, role: 'leftover', detail: 'upstream\'s or someone else\'s; not touched' });
  }
  const order: UpstreamRole[] = ['webhook', 'workload', 'leftover'];
  return markTakenOver(found).sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role) || byKindAndName(a, b));
}

/** Every object deploy applies, as "Kind ns/name" (the runtime's content does not matter here). */
let ourKeys: Set<string> | undefined;
function ours(): Set<string> {
  return (ourKeys ??= new Set(buildManifests({ runtime: { bundle: Buffer.alloc(0), helpers: {} } })
    .map(keyOfManifest)));
}

/** Leftovers under our names (v0.6's ServiceAccounts and RBAC): deploy applies ours over them (pure). */
export function markTakenOver(found: UpstreamObject[]): UpstreamObject[] {
  return found.map((f) => (f.role === 'leftover' && ours().has(keyOf(f))
    ? { ...f, takenOver: true, detail: 'upstream\'s; deploy applies ours over it, and it is ours from then on' }
    : f));
}


/** The findings that stop a deploy: live webhooks and scheduled workloads. */
export const blocking = (found: UpstreamObject[]): UpstreamObject[] => found.filter((f) => f.role !== 'leftover');
