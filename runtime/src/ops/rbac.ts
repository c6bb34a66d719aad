// Least-privilege RBAC for the two OpenELB components. Each rule is here because the component
// makes that call; nothing uses wildcards, and the only Secret granted is the speaker's gossip key,
// by name, read-only, in openelb-system (SPEAKER_NAMESPACED_RULES). RBAC cannot say "only
// this node's": the speaker's Node, Lease and status writes are narrowed to its own node's part
// by the admission policy in nodeScope.ts.
import type { V1ClusterRole, V1ClusterRoleBinding, V1PolicyRule, V1Role, V1RoleBinding } from '@kubernetes/client-node';
import { GROUP } from '@openelb/core/api/types';
import { GOSSIP_SECRET, JOURNAL_CONFIGMAP, LABELS, NAMESPACE } from './names';

const READ = ['get', 'list', 'watch'];

/** The controller allocates IPs: it watches Services, Eips and Namespaces and writes their status. */
export const CONTROLLER_RULES: V1PolicyRule[] = [
  // finalizer + pool label on the Service, and the assigned IP in its status
  { apiGroups: [''], resources: ['services'], verbs: [...READ, 'update', 'patch'] },
  { apiGroups: [''], resources: ['services/status'], verbs: ['get', 'update', 'patch'] },
  { apiGroups: [GROUP], resources: ['eips'], verbs: [...READ, 'update', 'patch'] },
  { apiGroups: [GROUP], resources: ['eips/status'], verbs: ['get', 'update', 'patch'] },
  // Eips can be restricted to namespaces by label (spec.namespaceSelector)
  { apiGroups: [''], resources: ['namespaces'], verbs: READ },
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
];

/**
 * The speaker announces IPs: it reads pools, peers and Services and reports per-node state (its
 * Eip condition, its BgpPeer/BgpConf status entry, Events about them: the bgp and layer2 code).
 */
export const SPEAKER_RULES: V1PolicyRule[] = [
  { apiGroups: [GROUP], resources: ['eips', 'bgpconfs', 'bgppeers'], verbs: READ },
  { apiGroups: [GROUP], resources: ['eips/status', 'bgpconfs/status', 'bgppeers/status'], verbs: ['get', 'update', 'patch'] },
  // the node's interfaces annotation, and node addresses for next hops
  { apiGroups: [''], resources: ['nodes'], verbs: [...READ, 'patch'] },
  { apiGroups: [''], resources: ['services', 'endpoints'], verbs: READ },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
];

/**
 * Leader election and per-component coordination, only in openelb-system. The controller hands
 * its Lease back by updating it (leaderElection.ts), so it needs no delete.
 */
export const LEASE_RULES: V1PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: [...READ, 'create', 'update', 'patch'] },
];

/**
 * A stopping speaker deletes its Lease `openelb-speaker-<node>` so the other nodes take over at
 * once (speakerLease.ts). RBAC can limit delete to resourceNames, but node names are not known
 * at deploy time and change with the cluster, so this is delete on Leases of openelb-system; the
 * node-scope admission policy then allows a speaker only its own Lease's name. No deletecollection.
 */
export const SPEAKER_LEASE_RULES: V1PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['delete'] },
];

/**
 * The speaker's gossip membership, only in openelb-system: the key Secret by name (get only: no
 * list or watch, which would show every Secret of the namespace), and the pods there, to know
 * which nodes run a speaker (the gossip members).
 */
export const SPEAKER_NAMESPACED_RULES: V1PolicyRule[] = [
  ...SPEAKER_LEASE_RULES,
  { apiGroups: [''], resources: ['secrets'], resourceNames: [GOSSIP_SECRET], verbs: ['get'] },
  { apiGroups: [''], resources: ['pods'], verbs: READ },
];

/**
 * The controller's allocation journal (controller/journal.ts), only in openelb-system: one
 * ConfigMap by name (create cannot be limited to a name in RBAC; get and update are).
 */
export const JOURNAL_RULES: V1PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps'], resourceNames: [JOURNAL_CONFIGMAP], verbs: ['get', 'update'] },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
];

type RbacObject = V1ClusterRole | V1ClusterRoleBinding | V1Role | V1RoleBinding;

/** ClusterRole + binding and the openelb-system Role (leases, plus `namespaced`) + binding of one ServiceAccount. */
export function rbacFor(account: string, rules: V1PolicyRule[], namespaced: V1PolicyRule[] = []): RbacObject[] {
  const subject = { kind: 'ServiceAccount', name: account, namespace: NAMESPACE };
  const rbac = 'rbac.authorization.k8s.io';
  return [
    { apiVersion: `${rbac}/v1`, kind: 'ClusterRole', metadata: { name: account, labels: LABELS }, rules },
    {
      apiVersion: `${rbac}/v1`, kind: 'ClusterRoleBinding', metadata: { name: account, labels: LABELS },
      roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: account }, subjects: [subject],
    },
    { apiVersion: `${rbac}/v1`, kind: 'Role', metadata: { name: account, namespace: NAMESPACE, labels: LABELS }, rules: [...LEASE_RULES, ...namespaced] },
    {
      apiVersion: `${rbac}/v1`, kind: 'RoleBinding', metadata: { name: account, namespace: NAMESPACE, labels: LABELS },
      roleRef: { apiGroup: rbac, kind: 'Role', name: account }, subjects: [subject],
    },
  ];
}
