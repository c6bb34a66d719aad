// Confines each speaker to its own node. RBAC cannot: it grants "patch nodes" or "update
// eips/status" for all of them, and Lease names are not known at deploy time (and `create`
// cannot be limited by name). A ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1,
// Kubernetes 1.30+) reads the node a speaker runs on from its pod-bound ServiceAccount token
// (user extra `authentication.kubernetes.io/node-name`, on by default since 1.30) and refuses a
// speaker's write unless it touches only that node's part:
//   Node            its own, and only the interfaces annotation (no labels, taints, spec);
//   Lease           openelb-speaker-<node> only (create, update, delete);
//   Eip status      only the condition Speaker.<node>, every other field as it was;
//   BgpPeer/BgpConf status  only the key <node> of nodesPeerStatus / nodesConfStatus.
// A speaker token without the node name is refused outright (fail closed).
import { NODE_INTERFACES_ANNOTATION } from '@openelb/core/api/annotations';
import { buildCrd } from '@openelb/core/api/crds';
import { GROUP, STORAGE_VERSION, type JSONSchemaProps } from '@openelb/core/api/types';
import { SPEAKER_LEASE_PREFIX } from '../speaker/node/liveness';
import { LABELS, NAMESPACE, SPEAKER } from './names';

export const NODE_SCOPE_POLICY = 'openelb-speaker-own-node';
export const NODE_NAME_EXTRA = 'authentication.kubernetes.io/node-name';
const ADMISSION = 'admissionregistration.k8s.io/v1';

const str = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const NODE = 'variables.node';
/** `o.status.f` exists, guarding `status` itself (an Eip may have none yet). */
const hasField = (o: string, f: string): string => `(has(${o}.status) && has(${o}.status.${f}))`;

/** status.f the same before and after (both absent, or both present and equal). */
function unchanged(f: string): string {
  return `(${hasField('object', f)} == ${hasField('oldObject', f)} && (!${hasField('object', f)} || object.status.${f} == oldObject.status.${f}))`;
}

/** Every status field of the stored version but `except`, unchanged: read from the served CRD schema. */
function othersUnchanged(kind: 'Eip' | 'BgpPeer' | 'BgpConf', except: string): string {
  const crd = buildCrd(kind) as { spec: { versions: { name: string; schema: { openAPIV3Schema: JSONSchemaProps } }[] } };
  const schema = crd.spec.versions.find((v) => v.name === STORAGE_VERSION)?.schema.openAPIV3Schema;
  const fields = Object.keys(schema?.properties?.status?.properties ?? {}).filter((f) => f !== except).sort();
  if (!fields.length) return 'true';
  return fields.map(unchanged).join(' && ');
}

/** In a map status.f only the key <node> may differ. */
function onlyOwnKey(f: string): string {
  const inOther = (a: string, b: string, extra: string) =>
    `(!${hasField(a, f)} || ${a}.status.${f}.all(k, k == ${NODE} || (${hasField(b, f)} && k in ${b}.status.${f}${extra})))`;
  return `${inOther('object', 'oldObject', ` && ${'oldObject'}.status.${f}[k] == object.status.${f}[k]`)} && ${inOther('oldObject', 'object', '')}`;
}

/**
 * In the list status.conditions only the entry of type Speaker.<node> may differ. Compared as
 * the lists without it, in order (the speaker keeps the others' order): linear in the nodes.
 */
function onlyOwnCondition(): string {
  const others = (o: string) => `(${hasField(o, 'conditions')} ? ${o}.status.conditions.filter(c, c.type != 'Speaker.' + ${NODE}) : [])`;
  return `${others('object')} == ${others('oldObject')}`;
}

const annotations = (o: string) => `${o}.metadata.annotations`;
/** Node metadata and spec unchanged but the interfaces annotation. */
function onlyInterfacesAnnotation(): string {
  const key = str(NODE_INTERFACES_ANNOTATION);
  const sameLabels = `(has(object.metadata.labels) == has(oldObject.metadata.labels) && (!has(object.metadata.labels) || object.metadata.labels == oldObject.metadata.labels))`;
  const kept = (a: string, b: string, eq: boolean) =>
    `(!has(${annotations(a)}) || ${annotations(a)}.all(k, k == ${key} || (has(${annotations(b)}) && k in ${annotations(b)}${eq ? ` && ${annotations(b)}[k] == ${annotations(a)}[k]` : ''})))`;
  return `object.spec == oldObject.spec && ${sameLabels} && ${kept('object', 'oldObject', true)} && ${kept('oldObject', 'object', false)}`;
}

interface Check { resource: string; expression: string; message: string }

function checks(): Check[] {
  const who = "the speaker on node '\" + variables.node + \"'";
  return [
    { resource: 'nodes', expression: `object.metadata.name == ${NODE}`, message: `may change only its own Node` },
    { resource: 'nodes', expression: onlyInterfacesAnnotation(), message: `may change only the ${NODE_INTERFACES_ANNOTATION} annotation of its Node` },
    { resource: 'leases', expression: `request.name == ${str(SPEAKER_LEASE_PREFIX)} + ${NODE}`, message: `may write only its own Lease ${SPEAKER_LEASE_PREFIX}<node>` },
    { resource: 'eips', expression: `${onlyOwnCondition()} && ${othersUnchanged('Eip', 'conditions')}`, message: 'may change only its own condition Speaker.<node> of an Eip status' },
    { resource: 'bgppeers', expression: `${onlyOwnKey('nodesPeerStatus')} && ${othersUnchanged('BgpPeer', 'nodesPeerStatus')}`, message: 'may change only its own key of a BgpPeer status.nodesPeerStatus' },
    { resource: 'bgpconfs', expression: `${onlyOwnKey('nodesConfStatus')} && ${othersUnchanged('BgpConf', 'nodesConfStatus')}`, message: 'may change only its own key of a BgpConf status.nodesConfStatus' },
  ].map((c) => ({ ...c, message: `"${who} ${c.message}"` }));
}

/** The policy: applies to the speaker ServiceAccount only, fails closed. */
export function nodeScopePolicy(): object {
  const speaker = `system:serviceaccount:${NAMESPACE}:${SPEAKER}`;
  const guarded = (c: Check) => `request.resource.resource != ${str(c.resource)} || (${c.expression})`;
  return {
    apiVersion: ADMISSION, kind: 'ValidatingAdmissionPolicy',
    metadata: { name: NODE_SCOPE_POLICY, labels: LABELS },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [
          { apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['nodes'] },
          { apiGroups: ['coordination.k8s.io'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE', 'DELETE'], resources: ['leases'] },
          { apiGroups: [GROUP], apiVersions: ['*'], operations: ['UPDATE'], resources: ['eips/status', 'bgppeers/status', 'bgpconfs/status'] },
        ],
      },
      matchConditions: [{ name: 'openelb-speaker', expression: `request.userInfo.username == ${str(speaker)}` }],
      variables: [{
        name: 'node',
        expression: `${str(NODE_NAME_EXTRA)} in request.userInfo.extra && size(request.userInfo.extra[${str(NODE_NAME_EXTRA)}]) > 0 ? request.userInfo.extra[${str(NODE_NAME_EXTRA)}][0] : ''`,
      }],
      validations: [
        {
          expression: `${NODE} != ''`,
          message: `the openelb speaker's token names no node (user extra ${NODE_NAME_EXTRA}): use the pod's own ServiceAccount token on Kubernetes 1.30+ (ServiceAccountTokenPodNodeInfo)`,
          reason: 'Forbidden',
        },
        ...checks().map((c) => ({ expression: guarded(c), messageExpression: c.message, reason: 'Forbidden' })),
      ],
    },
  };
}

export function nodeScopeBinding(): object {
  return {
    apiVersion: ADMISSION, kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: NODE_SCOPE_POLICY, labels: LABELS },
    spec: { policyName: NODE_SCOPE_POLICY, validationActions: ['Deny'] },
  };
}

/** The API path deploy asks to learn whether the server enforces such policies. */
export const ADMISSION_DISCOVERY = `/apis/${ADMISSION}`;
export const POLICY_RESOURCE = 'validatingadmissionpolicies';
