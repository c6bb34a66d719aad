// What a namespace holds besides our own objects. After a takeover from upstream OpenELB,
// openelb-system still holds upstream's objects (its webhook Service, Jobs, Secrets, RBAC): undeploy
// deletes only ours, keeps the namespace while others' objects remain, and lists them.
//
//   const { ours, others } = await namespaceContents(kc, 'openelb-system');
//
// Listed as metadata only (PartialObjectMetadata): names and labels, never a Secret's data.
import type { KubeConfig } from '@kubernetes/client-node';
import { restCall } from '../kube/rest';
import { statusCode } from '../kube/errors';
import { LEASE_DURATION_MS_ANNOTATION, SPEAKER_LEASE_PREFIX } from '../speaker/node/liveness';
import { kubeCall } from './opsError';
import { MANAGED_BY } from './names';

export interface FoundObject {
  kind: string;
  name: string;
  namespace?: string;
  /** Words for people ("not created by openelb deploy"). */
  detail?: string;
}

interface Meta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: unknown[];
  deletionTimestamp?: string;
}

/** Lists as metadata only: a Secret's data never leaves the API server. */
const METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

/** The namespaced kinds a namespace is searched for: what upstream and people put in openelb-system. */
export const NAMESPACED_KINDS: { kind: string; api: string; plural: string; kubectl: string }[] = [
  { kind: 'Deployment', api: '/apis/apps/v1', plural: 'deployments', kubectl: 'deployment' },
  { kind: 'DaemonSet', api: '/apis/apps/v1', plural: 'daemonsets', kubectl: 'daemonset' },
  { kind: 'StatefulSet', api: '/apis/apps/v1', plural: 'statefulsets', kubectl: 'statefulset' },
  { kind: 'ReplicaSet', api: '/apis/apps/v1', plural: 'replicasets', kubectl: 'replicaset' },
  { kind: 'Job', api: '/apis/batch/v1', plural: 'jobs', kubectl: 'job' },
  { kind: 'CronJob', api: '/apis/batch/v1', plural: 'cronjobs', kubectl: 'cronjob' },
  { kind: 'Pod', api: '/api/v1', plural: 'pods', kubectl: 'pod' },
  { kind: 'Service', api: '/api/v1', plural: 'services', kubectl: 'service' },
  { kind: 'ConfigMap', api: '/api/v1', plural: 'configmaps', kubectl: 'configmap' },
  { kind: 'Secret', api: '/api/v1', plural: 'secrets', kubectl: 'secret' },
  { kind: 'PersistentVolumeClaim', api: '/api/v1', plural: 'persistentvolumeclaims', kubectl: 'pvc' },
  { kind: 'ServiceAccount', api: '/api/v1', plural: 'serviceaccounts', kubectl: 'serviceaccount' },
  { kind: 'Role', api: '/apis/rbac.authorization.k8s.io/v1', plural: 'roles', kubectl: 'role' },
  { kind: 'RoleBinding', api: '/apis/rbac.authorization.k8s.io/v1', plural: 'rolebindings', kubectl: 'rolebinding' },
  { kind: 'Lease', api: '/apis/coordination.k8s.io/v1', plural: 'leases', kubectl: 'lease' },
];

/** Does the object carry our managed-by label (deploy's objects, the controller's journal and Lease)? */
export function isOurs(md: Meta | undefined): boolean {
  return md?.labels?.['app.kubernetes.io/managed-by'] === MANAGED_BY;
}

/**
 * Objects Kubernetes makes in every namespace or for other objects: they go with their owner or
 * the namespace and say nothing about who else uses it.
 */
export function isAutomatic(kind: string, md: Meta): boolean {
  if (md.ownerReferences?.length) return true;
  if (kind === 'ConfigMap' && md.name === 'kube-root-ca.crt') return true;
  if (kind === 'ServiceAccount' && md.name === 'default') return true;
  // Legacy token Secrets follow their ServiceAccount.
  if (kind === 'Secret' && md.annotations?.['kubernetes.io/service-account.name']) return true;
  return false;
}

/** Our runtime's own coordination records: a speaker's Lease carries its duration annotation. */
function isRuntimeState(kind: string, md: Meta): boolean {
  return kind === 'Lease' && md.annotations?.[LEASE_DURATION_MS_ANNOTATION] !== undefined && (md.name ?? '').startsWith(SPEAKER_LEASE_PREFIX);
}

export interface NamespaceContents {
  /** Ours: labelled (or our speakers' Leases), not already being deleted. */
  ours: FoundObject[];
  /** Everyone else's, sorted by kind then name. */
  others: FoundObject[];
}

/** Sorts people-facing lists: kind, namespace, name. */
export function byKindAndName(a: FoundObject, b: FoundObject): number {
  return a.kind.localeCompare(b.kind) || (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.name.localeCompare(b.name);
}

/** Splits a namespace's objects (of NAMESPACED_KINDS) into ours and others' (pure). */
export function splitContents(lists: { kind: string; items: Meta[] }[], namespace: string): NamespaceContents {
  const ours: FoundObject[] = [];
  const others: FoundObject[] = [];
  for (const { kind, items } of lists) {
    for (const md of items) {
      if (md.deletionTimestamp || isAutomatic(kind, md)) continue;
      const o = { kind, name: md.name ?? '', namespace };
      if (isOurs(md) || isRuntimeState(kind, md)) ours.push(o);
      else others.push({ ...o, detail: 'not created by openelb deploy' });
    }
  }
  return { ours: ours.sort(byKindAndName), others: others.sort(byKindAndName) };
}

/** Lists the namespace (metadata only); a missing namespace is empty. */
export async function namespaceContents(kc: KubeConfig, namespace: string): Promise<NamespaceContents> {
  const lists = await Promise.all(NAMESPACED_KINDS.map(async ({ kind, api, plural }) => {
    const path = `${api}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
    const got = await kubeCall(kc, 'list', `${plural} in ${namespace}`, () => restCall(kc, 'GET', path, { accept: METADATA_LIST }))
      .catch((e: unknown) => { if (statusCode(e) === 404) return { items: [] }; throw e; }) as { items?: { metadata?: Meta }[] };
    return { kind, items: (got.items ?? []).map((i) => i.metadata ?? {}) };
  }));
  return splitContents(lists, namespace);
}

/** Cluster-scoped kinds upstream leaves behind. */
export const CLUSTER_KINDS: { kind: string; api: string; plural: string; kubectl: string }[] = [
  { kind: 'MutatingWebhookConfiguration', api: '/apis/admissionregistration.k8s.io/v1', plural: 'mutatingwebhookconfigurations', kubectl: 'mutatingwebhookconfiguration' },
  { kind: 'ValidatingWebhookConfiguration', api: '/apis/admissionregistration.k8s.io/v1', plural: 'validatingwebhookconfigurations', kubectl: 'validatingwebhookconfiguration' },
  { kind: 'ClusterRole', api: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterroles', kubectl: 'clusterrole' },
  { kind: 'ClusterRoleBinding', api: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterrolebindings', kubectl: 'clusterrolebinding' },
];

const kindInfo = (kind: string) => NAMESPACED_KINDS.find((x) => x.kind === kind) ?? CLUSTER_KINDS.find((x) => x.kind === kind);

/** The REST path of a found object (kinds of NAMESPACED_KINDS and CLUSTER_KINDS). */
export function foundPath(o: FoundObject): string {
  const k = kindInfo(o.kind);
  if (!k) throw new Error(`no REST mapping for ${o.kind}`);
  const ns = o.namespace ? `/namespaces/${encodeURIComponent(o.namespace)}` : '';
  return `${k.api}${ns}/${k.plural}/${encodeURIComponent(o.name)}`;
}

/** "kubectl -n openelb-system delete job openelb-admission-create". */
export function kubectlDelete(o: FoundObject): string {
  const k = kindInfo(o.kind)?.kubectl ?? o.kind.toLowerCase();
  return `kubectl ${o.namespace ? `-n ${o.namespace} ` : ''}delete ${k} ${o.name}`;
}
