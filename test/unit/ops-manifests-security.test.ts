// What the deployed objects allow the runtime: the speaker's rights confined to its own node by
// an admission policy, capabilities (NET_ADMIN only for vip), seccomp, Pod Security labels, the
// runtime digests in the pod specs. The policy's effect is checked on a real API server in
// test/cluster/ops-speaker-scope.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Container, V1PodSpec, V1PolicyRule } from '@kubernetes/client-node';
import { buildManifests, type ManifestOptions } from '../../runtime/src/ops/manifests';
import { runtimeDigests, type RuntimeFiles } from '../../runtime/src/ops/runtimeFiles';
import { NODE_SCOPE_POLICY } from '../../runtime/src/ops/nodeScope';
import type { KubeObject } from '../../runtime/src/ops/resources';

const FILES: RuntimeFiles = { bundle: Buffer.from('bundle'), helpers: { amd64: Buffer.from('A'), arm64: Buffer.from('B') } };
const objects = (o: Partial<ManifestOptions> = {}) => buildManifests({ runtime: FILES, ...o });
const find = (os: KubeObject[], kind: string, name?: string) => os.find((o) => o.kind === kind && (!name || o.metadata.name === name));
const podOf = (o: KubeObject | undefined): V1PodSpec => (o!.spec as { template: { spec: V1PodSpec } }).template.spec;
const container = (o: KubeObject | undefined): V1Container => podOf(o).containers[0];
const envOf = (c: V1Container) => Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));

test('the speaker gets NET_RAW only; NET_ADMIN only when vip mode is deployed', () => {
  assert.deepEqual(container(find(objects(), 'DaemonSet')).securityContext?.capabilities, { drop: ['ALL'], add: ['NET_RAW'] });
  assert.deepEqual(container(find(objects({ vip: true }), 'DaemonSet')).securityContext?.capabilities, { drop: ['ALL'], add: ['NET_RAW', 'NET_ADMIN'] });
});

test('both pods run under the RuntimeDefault seccomp profile; the controller meets Pod Security "restricted"', () => {
  const os = objects();
  for (const kind of ['DaemonSet', 'Deployment']) assert.deepEqual(podOf(find(os, kind)).securityContext?.seccompProfile, { type: 'RuntimeDefault' }, kind);
  const ctl = podOf(find(os, 'Deployment'));
  const sc = ctl.containers[0].securityContext!;
  assert.equal(ctl.securityContext?.runAsNonRoot, true);
  assert.equal(sc.allowPrivilegeEscalation, false);
  assert.deepEqual(sc.capabilities, { drop: ['ALL'] });
  assert.equal(ctl.hostNetwork, undefined);
});

test('the namespace states Pod Security "privileged": the speaker needs hostNetwork and raw sockets', () => {
  const ns = find(objects(), 'Namespace')!;
  assert.equal(ns.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'privileged');
  assert.equal(podOf(find(objects(), 'DaemonSet')).hostNetwork, true);
});

test('each pod carries the SHA-256 of the files it runs; the speaker also those of the helpers', () => {
  const d = runtimeDigests(FILES);
  const os = objects();
  assert.deepEqual(envOf(container(find(os, 'Deployment'))), { OPENELB_BUNDLE_SHA256: d.bundle });
  const speaker = envOf(container(find(os, 'DaemonSet')));
  assert.equal(speaker.OPENELB_BUNDLE_SHA256, d.bundle);
  assert.equal(speaker.OPENELB_HELPER_SHA256_AMD64, d.helpers.amd64);
  assert.equal(speaker.OPENELB_HELPER_SHA256_ARM64, d.helpers.arm64);
  assert.match(d.bundle, /^[0-9a-f]{64}$/);
  // A different bundle is a different pod template: the pods roll.
  const other = objects({ runtime: { ...FILES, bundle: Buffer.from('bundle 2') } });
  assert.notEqual(envOf(container(find(other, 'DaemonSet'))).OPENELB_BUNDLE_SHA256, d.bundle);
  // The check runs from the pod spec (node -e), not from the ConfigMap it checks.
  const cmd = container(find(os, 'DaemonSet')).command!;
  assert.deepEqual([cmd[0], cmd[1], cmd[3], ...cmd.slice(4)], ['node', '-e', '/opt/openelb/openelb.js', 'speaker', '--node', '$(NODE_NAME)', '--gossip-port', '7947']);
  assert.match(cmd[2], /OPENELB_BUNDLE_SHA256|refusing to start/);
  assert.equal(container(find(os, 'DaemonSet')).terminationMessagePolicy, 'FallbackToLogsOnError');
});

test('the node-scope policy and its binding come before the speaker\'s rights; left out only when asked', () => {
  const os = objects();
  const at = (kind: string, name?: string) => os.indexOf(find(os, kind, name)!);
  assert.ok(at('ValidatingAdmissionPolicy') >= 0 && at('ValidatingAdmissionPolicyBinding') > at('ValidatingAdmissionPolicy'));
  assert.ok(at('ValidatingAdmissionPolicyBinding') < at('ClusterRoleBinding', 'openelb-speaker'));
  const policy = find(os, 'ValidatingAdmissionPolicy')!;
  assert.equal(policy.metadata.name, NODE_SCOPE_POLICY);
  const spec = policy.spec as { failurePolicy: string; matchConditions: { expression: string }[]; validations: { expression: string }[] };
  assert.equal(spec.failurePolicy, 'Fail');
  assert.match(spec.matchConditions[0].expression, /system:serviceaccount:openelb-system:openelb-speaker/);
  // Every status field but the speaker's own part is compared, as the served CRD schema lists them.
  const eip = spec.validations.find((v) => v.expression.startsWith("request.resource.resource != 'eips'"))!.expression;
  for (const f of ['used', 'journalGen', 'poolSize', 'firstIP']) assert.match(eip, new RegExp(`object\\.status\\.${f} == oldObject\\.status\\.${f}`), f);
  assert.deepEqual((find(os, 'ValidatingAdmissionPolicyBinding')!.spec as { validationActions: string[] }).validationActions, ['Deny']);
  const loose = objects({ confineSpeakers: false });
  assert.equal(find(loose, 'ValidatingAdmissionPolicy'), undefined);
  assert.equal(find(loose, 'ValidatingAdmissionPolicyBinding'), undefined);
});

test('the speaker\'s rules: what the bgp and layer2 code write, and no wildcard, secret or Node delete', () => {
  const rules = (find(objects(), 'ClusterRole', 'openelb-speaker')!.rules as V1PolicyRule[]);
  const verbsOn = (group: string, resource: string) => new Set(rules.filter((r) => r.apiGroups?.includes(group) && r.resources?.includes(resource)).flatMap((r) => r.verbs));
  assert.deepEqual([...verbsOn('', 'nodes')].sort(), ['get', 'list', 'patch', 'watch']);
  for (const r of ['eips/status', 'bgppeers/status', 'bgpconfs/status']) assert.ok(verbsOn('network.kubesphere.io', r).has('update') || verbsOn('network.kubesphere.io', r).has('patch'), r);
  assert.ok(verbsOn('', 'events').has('create'));
  assert.doesNotMatch(JSON.stringify(rules), /secrets|"\*"|"delete"/);
  const role = find(objects(), 'Role', 'openelb-speaker')!.rules as V1PolicyRule[];
  const core = role.filter((r) => !r.apiGroups?.every((g) => g === 'coordination.k8s.io'));
  // In openelb-system: Leases, the gossip key by name (get only: list/watch would show every
  // Secret of the namespace), and the pods (who runs a speaker).
  assert.deepEqual(core, [
    { apiGroups: [''], resources: ['secrets'], resourceNames: ['openelb-speaker-gossip'], verbs: ['get'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
  ]);
  const ctlRole = find(objects(), 'Role', 'openelb-controller')!.rules as V1PolicyRule[];
  assert.doesNotMatch(JSON.stringify(ctlRole), /secrets/, 'the controller never reads the gossip key');
});

test('the speaker gossips on the port deploy was given (default 7947)', () => {
  const cmd = (o: Partial<ManifestOptions> = {}) => container(find(objects(o), 'DaemonSet')).command!;
  assert.deepEqual(cmd().slice(-2), ['--gossip-port', '7947']);
  assert.deepEqual(cmd({ gossipPort: 17947 }).slice(-2), ['--gossip-port', '17947']);
  assert.equal(objects().some((o) => o.kind === 'Secret'), false, 'the key is never part of the applied (compared, printed) manifests');
});
