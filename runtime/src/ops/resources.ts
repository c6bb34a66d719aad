// Where each kind we deploy or apply lives in the API (group, version, plural, scope), so deploy and
// undeploy can build REST paths without a discovery round-trip.
import { PLURALS } from '@openelb/core/api/types';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

interface ResourceInfo { plural: string; namespaced: boolean }

const RESOURCES: Record<string, ResourceInfo> = {
  CustomResourceDefinition: { plural: 'customresourcedefinitions', namespaced: false },
  Namespace: { plural: 'namespaces', namespaced: false },
  ServiceAccount: { plural: 'serviceaccounts', namespaced: true },
  ClusterRole: { plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { plural: 'clusterrolebindings', namespaced: false },
  Role: { plural: 'roles', namespaced: true },
  RoleBinding: { plural: 'rolebindings', namespaced: true },
  ValidatingAdmissionPolicy: { plural: 'validatingadmissionpolicies', namespaced: false },
  ValidatingAdmissionPolicyBinding: { plural: 'validatingadmissionpolicybindings', namespaced: false },
  ConfigMap: { plural: 'configmaps', namespaced: true },
  Deployment: { plural: 'deployments', namespaced: true },
  DaemonSet: { plural: 'daemonsets', namespaced: true },
  Service: { plural: 'services', namespaced: true },
  Eip: { plural: PLURALS.Eip, namespaced: false },
  BgpConf: { plural: PLURALS.BgpConf, namespaced: false },
  BgpPeer: { plural: PLURALS.BgpPeer, namespaced: false },
};

/** The plural resource name of a kind we deploy ("configmaps"). */
export function pluralOfKind(kind: string): string {
  const r = RESOURCES[kind];
  if (!r) throw new Error(`no REST mapping for kind ${kind}`);
  return r.plural;
}

/** The REST path of one object: /api/v1/namespaces/NS/configmaps/NAME, /apis/G/V/PLURAL/NAME. */
export function objectPath(o: KubeObject): string {
  const r = RESOURCES[o.kind];
  if (!r) throw new Error(`no REST mapping for kind ${o.kind}`);
  const base = o.apiVersion.includes('/') ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`;
  const ns = r.namespaced ? `/namespaces/${encodeURIComponent(o.metadata.namespace ?? 'default')}` : '';
  return `${base}${ns}/${r.plural}/${encodeURIComponent(o.metadata.name)}`;
}

/** "configmaps openelb-system/openelb-runtime", for messages. */
export function describeObject(o: KubeObject): string {
  const ns = o.metadata.namespace ? `${o.metadata.namespace}/` : '';
  return `${pluralOfKind(o.kind)} ${ns}${o.metadata.name}`;
}
