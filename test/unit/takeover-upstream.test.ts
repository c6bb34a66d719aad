// Recognising upstream OpenELB's objects (pure): its webhooks and what they break, its workloads
// (and those with our names), its cluster RBAC, the namespace's others' objects, and what deploy
// does about them (refuse with kubectl commands, remove, or deploy beside them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubectlDelete, splitContents } from '../../runtime/src/ops/foreign';
import { markTakenOver, rbacFindings, webhookFinding, workloadFinding, type RoleBinding, type Workload } from '../../runtime/src/ops/upstream';
import { removalCommands, takeoverPlan, UpstreamError } from '../../runtime/src/ops/takeover';
import { LABELS } from '../../runtime/src/ops/names';
import { deployCommand } from '../../runtime/src/cli/deploy';
import { controllerDeployment, speakerDaemonSet } from '../../runtime/src/ops/manifests';
import { LEFTOVERS, MANAGER, MUTATING_WEBHOOK, SPEAKER_V06, VALIDATING_WEBHOOK } from '../cluster/takeoverFixtures';

const none = (): 'missing' => 'missing';

test('upstream webhooks: named, with the Service they call and what fails without it', () => {
  const m = webhookFinding('MutatingWebhookConfiguration', MUTATING_WEBHOOK, none)!;
  assert.equal(m.role, 'webhook');
  assert.equal(m.detail, 'webhook mutating.eip.network.kubesphere.io calls Service openelb-system/openelb-admission, which does not exist: every create and update of services fails');
  const v = webhookFinding('ValidatingWebhookConfiguration', VALIDATING_WEBHOOK, () => 'served')!;
  assert.equal(v.detail, 'webhook validate.eip.network.kubesphere.io calls Service openelb-system/openelb-admission, every create and update of eips fails once upstream\'s manager is gone');
  const idle = webhookFinding('ValidatingWebhookConfiguration', VALIDATING_WEBHOOK, () => 'no-endpoints')!;
  assert.match(idle.detail, /openelb-admission, which has no ready endpoint: every create and update of eips fails$/);
  // Someone else's webhook, or one carrying our label, is not upstream's.
  const other = { metadata: { name: 'cert-manager' }, webhooks: [{ name: 'webhook.cert-manager.io', clientConfig: { service: { namespace: 'cert-manager', name: 'cm', path: '/validate' } } }] };
  assert.equal(webhookFinding('ValidatingWebhookConfiguration', other, none), undefined);
  assert.equal(webhookFinding('MutatingWebhookConfiguration', { ...MUTATING_WEBHOOK, metadata: { name: 'x', labels: LABELS } }, none), undefined);
});

test('upstream workloads by image or command; ours never; a scaled-down one is a leftover; our names collide', () => {
  const manager = workloadFinding('Deployment', MANAGER as Workload)!;
  assert.deepEqual([manager.role, manager.collides], ['workload', undefined]);
  assert.match(manager.detail, /^upstream OpenELB \(image kubesphere\/openelb:v0\.5\.1, 0\/1 ready\): it would allocate addresses alongside ours$/);
  assert.deepEqual(manager.selector, { app: 'openelb-manager', 'control-plane': 'openelb-manager' });
  const speaker = workloadFinding('DaemonSet', SPEAKER_V06 as Workload)!;
  assert.deepEqual([speaker.role, speaker.collides], ['workload', true]);
  assert.match(speaker.detail, /announce addresses alongside ours; it has the name of our DaemonSet, so deploy cannot apply over it$/);
  const scaledDown = { ...MANAGER, spec: { ...MANAGER.spec, replicas: 0 } } as Workload;
  assert.equal(workloadFinding('Deployment', scaledDown)!.role, 'leftover');
  // A private registry copy is still upstream's; our own workloads (node image, our label) are not.
  const mirrored = { ...MANAGER, spec: { ...MANAGER.spec, template: { spec: { containers: [{ image: 'registry.example:5000/kubesphere/openelb-controller@sha256:' + 'a'.repeat(64) }] } } } } as Workload;
  assert.ok(workloadFinding('Deployment', mirrored));
  assert.equal(workloadFinding('Deployment', controllerDeployment('node:24-bookworm-slim', { bundle: 'd', helpers: {} }) as Workload), undefined);
  assert.equal(workloadFinding('DaemonSet', speakerDaemonSet('node:24-bookworm-slim', { bundle: 'd', helpers: {} }) as Workload), undefined);
  const nginx = { metadata: { name: 'web', namespace: 'default' }, spec: { template: { spec: { containers: [{ image: 'nginx:alpine' }] } } } };
  assert.equal(workloadFinding('Deployment', nginx), undefined);
});

test('upstream cluster RBAC: bindings to its ServiceAccounts and their roles; ours and others\' skipped', () => {
  const objects = LEFTOVERS as { kind: string; metadata: { name: string } }[];
  const bindings = objects.filter((o) => o.kind === 'ClusterRoleBinding') as RoleBinding[];
  const roles = objects.filter((o) => o.kind === 'ClusterRole').map((o) => o.metadata);
  const foreign: RoleBinding = { metadata: { name: 'cluster-admin-x' }, roleRef: { kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'x', namespace: 'kube-system' }] };
  const found = markTakenOver(rbacFindings([...bindings, foreign], [...roles, { name: 'cluster-admin' }], new Set(['openelb-system'])));
  assert.deepEqual(found.map((f) => `${f.kind} ${f.name}: ${f.detail}`), [
    'ClusterRoleBinding openelb-manager-rolebinding: upstream\'s; harmless',
    'ClusterRoleBinding openelb-speaker: upstream\'s; deploy applies ours over it, and it is ours from then on',
    'ClusterRole openelb-manager-role: upstream\'s; harmless',
    'ClusterRole openelb-speaker: upstream\'s; deploy applies ours over it, and it is ours from then on',
  ]);
});

test('namespace contents: ours (label, speaker Leases) apart from others\'; automatic objects ignored', () => {
  const got = splitContents([
    { kind: 'ConfigMap', items: [{ name: 'openelb-journal', labels: LABELS }, { name: 'kube-root-ca.crt' }, { name: 'openelb-images' }] },
    { kind: 'ServiceAccount', items: [{ name: 'default' }, { name: 'openelb-admission' }] },
    { kind: 'Secret', items: [{ name: 'openelb-admission-token-x', annotations: { 'kubernetes.io/service-account.name': 'openelb-admission' } }, { name: 'openelb-admission' }] },
    { kind: 'Pod', items: [{ name: 'openelb-manager-abc', ownerReferences: [{}] }] },
    { kind: 'Lease', items: [{ name: 'openelb-speaker-worker1', annotations: { 'openelb.kubesphere.io/lease-duration-ms': '800' } }, { name: 'openelb-controller', labels: LABELS }, { name: 'other-lock' }] },
    { kind: 'Job', items: [{ name: 'gone', deletionTimestamp: '2026-01-01T00:00:00Z' }] },
  ], 'openelb-system');
  assert.deepEqual(got.ours.map((o) => `${o.kind} ${o.name}`), ['ConfigMap openelb-journal', 'Lease openelb-controller', 'Lease openelb-speaker-worker1']);
  assert.deepEqual(got.others.map((o) => `${o.kind} ${o.name}`), ['ConfigMap openelb-images', 'Lease other-lock', 'Secret openelb-admission', 'ServiceAccount openelb-admission']);
});

test('deploy refuses with the kubectl commands (webhooks first); --remove-upstream removes; --force cannot cross our names', () => {
  const found = [
    workloadFinding('Deployment', MANAGER as Workload)!,
    webhookFinding('MutatingWebhookConfiguration', MUTATING_WEBHOOK, none)!,
    webhookFinding('ValidatingWebhookConfiguration', VALIDATING_WEBHOOK, none)!,
    { kind: 'Job', name: 'openelb-admission-create', namespace: 'openelb-system', role: 'leftover' as const, detail: 'x' },
  ];
  assert.deepEqual(removalCommands(found.slice(0, 3)), [
    'kubectl delete mutatingwebhookconfiguration openelb-admission',
    'kubectl delete validatingwebhookconfiguration openelb-admission',
    'kubectl -n openelb-system delete deployment openelb-manager',
  ]);
  assert.throws(() => takeoverPlan(found, {}), (e: Error) => e instanceof UpstreamError
    && /^upstream OpenELB is still installed:\n {2}- MutatingWebhookConfiguration openelb-admission: webhook mutating/.test(e.message)
    && e.message.includes('  - Deployment openelb-system/openelb-manager: upstream OpenELB')
    && e.message.includes('Remove them with:\n  kubectl delete mutatingwebhookconfiguration openelb-admission\n')
    && !e.message.includes('openelb-admission-create')
    && /Pass --remove-upstream .* or --force/.test(e.message));
  assert.deepEqual(takeoverPlan(found, { removeUpstream: true }).map((f) => f.kind), ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'Deployment']);
  assert.deepEqual(takeoverPlan(found, { force: true }), []);
  assert.deepEqual(takeoverPlan(found.slice(3), {}), [], 'leftovers alone never block');
  const withSpeaker = [...found, workloadFinding('DaemonSet', SPEAKER_V06 as Workload)!];
  assert.throws(() => takeoverPlan(withSpeaker, { force: true }), /--force cannot deploy over DaemonSet openelb-system\/openelb-speaker: remove it first, or pass --remove-upstream\.$/);
  assert.equal(kubectlDelete({ kind: 'ClusterRole', name: 'openelb-manager-role' }), 'kubectl delete clusterrole openelb-manager-role');
});

test('deploy: --remove-upstream and --force exclude each other (usage error, before any cluster access)', async () => {
  const err: string[] = [];
  const code = await deployCommand(['--remove-upstream', '--force', '--kubeconfig', '/nonexistent'], () => {}, (t) => err.push(t));
  assert.equal(code, 2);
  assert.match(err.join('\n'), /^openelb deploy: --remove-upstream and --force exclude each other\n/);
});
