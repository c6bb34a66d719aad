// Kubeconfig loading (runtime/src/kube/kubeconfig.ts), shared by the CLI, the controller, the
// speaker and the extension: where it is looked for, the multi-file merge as kubectl does it,
// --context, the in-cluster service account, and errors a user can act on (no credentials).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inClusterConfig, KubeConfigError, loadKubeConfig, mergeKubeConfigs, type KubeConfigSource } from '../../runtime/src/kube/kubeconfig';

const dir = mkdtempSync(join(tmpdir(), 'openelb-kubeconfig-'));
const emptyHome = mkdtempSync(join(tmpdir(), 'openelb-home-'));

/** A kubeconfig file with one context `ctx` → cluster `cluster` at `server`, optionally current. */
function file(name: string, ctx: string, server: string, o: { current?: boolean; cluster?: string; token?: string } = {}): string {
  const cluster = o.cluster ?? ctx;
  const p = join(dir, name);
  writeFileSync(p, `apiVersion: v1\nkind: Config\n${o.current ? `current-context: ${ctx}\n` : ''}clusters:\n- name: ${cluster}\n  cluster: {server: "${server}"}\n`
    + `users:\n- name: ${ctx}-user\n  user: {token: "${o.token ?? 't'}"}\ncontexts:\n- name: ${ctx}\n  context: {cluster: ${cluster}, user: ${ctx}-user}\n`);
  return p;
}

const a = file('a', 'alpha', 'https://a.example:6443', { current: true });
const b = file('b', 'beta', 'https://b.example:6443', { current: true });
// Defines a cluster named like a's with another server: must not shadow a's when merged after it.
const shadow = file('shadow', 'gamma', 'https://shadow.example:6443', { cluster: 'alpha' });
const noCurrent = file('none-current', 'delta', 'https://d.example:6443');

/** Loads with nothing from the machine running the test (env, home, service account). */
const load = (src: KubeConfigSource = {}) =>
  loadKubeConfig({ env: {}, home: emptyHome, serviceAccountDir: join(dir, 'no-sa'), ...src });

const failsWith = (fn: () => unknown, re: RegExp, reason: 'none' | 'invalid') =>
  assert.throws(fn, (e: unknown) => e instanceof KubeConfigError && e.reason === reason && re.test(e.message));

describe('kubeconfig merge', () => {
  it('merges KUBECONFIG files as kubectl does: the first definition of a name and the first current-context win', () => {
    const kc = load({ env: { KUBECONFIG: [join(dir, 'missing'), a, shadow, b].join(':') } });
    assert.deepEqual(kc.getContexts().map((c) => c.name), ['alpha', 'gamma', 'beta']);
    assert.equal(kc.getCurrentContext(), 'alpha');
    assert.equal(kc.getCurrentCluster()?.server, 'https://a.example:6443', 'the later "alpha" cluster does not shadow it');
    assert.equal(mergeKubeConfigs([]).getContexts().length, 0);
  });

  it('takes a --kubeconfig list like KUBECONFIG, and a single --kubeconfig over KUBECONFIG', () => {
    assert.equal(load({ kubeconfig: `${b}:${a}` }).getCurrentContext(), 'beta');
    assert.equal(load({ kubeconfig: b, env: { KUBECONFIG: a } }).getCurrentContext(), 'beta');
    assert.equal(loadKubeConfig(b).getCurrentContext(), 'beta', 'a string is a --kubeconfig value');
  });

  it('reads ~/.kube/config when nothing else is given', () => {
    const home = mkdtempSync(join(tmpdir(), 'openelb-home-'));
    mkdirSync(join(home, '.kube'));
    writeFileSync(join(home, '.kube', 'config'), `current-context: x\nclusters:\n- name: x\n  cluster: {server: "https://home.example"}\nusers:\n- name: x\n  user: {token: t}\ncontexts:\n- name: x\n  context: {cluster: x, user: x}\n`);
    assert.equal(load({ home }).getCurrentCluster()?.server, 'https://home.example');
  });
});

describe('context selection', () => {
  it('selects --context across files', () => {
    const kc = load({ env: { KUBECONFIG: `${a}:${b}` }, context: 'beta' });
    assert.equal(kc.getCurrentContext(), 'beta');
    assert.equal(kc.getCurrentCluster()?.server, 'https://b.example:6443');
    assert.equal(kc.getCurrentUser()?.name, 'beta-user');
  });

  it('names the contexts there are when --context is unknown, and asks for one when none is current', () => {
    failsWith(() => load({ env: { KUBECONFIG: `${a}:${b}` }, context: 'nope' }), /^unknown context "nope" \(the kubeconfig has: alpha, beta\)$/, 'invalid');
    failsWith(() => load({ kubeconfig: noCurrent }), /no current-context; pass --context NAME/, 'invalid');
    assert.equal(load({ kubeconfig: noCurrent, context: 'delta' }).getCurrentContext(), 'delta');
  });
});

describe('in-cluster', () => {
  const sa = join(dir, 'serviceaccount');
  mkdirSync(sa);
  writeFileSync(join(sa, 'token'), 'pod-token');
  writeFileSync(join(sa, 'ca.crt'), 'not really a CA');
  writeFileSync(join(sa, 'namespace'), 'openelb-system\n');
  const pod = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };

  it('uses the service account in a pod when no kubeconfig is found', async () => {
    const kc = load({ env: pod, serviceAccountDir: sa });
    assert.equal(kc.getCurrentCluster()?.server, 'https://10.96.0.1:443');
    assert.equal(kc.getCurrentCluster()?.caFile, join(sa, 'ca.crt'));
    assert.equal(kc.getContextObject(kc.getCurrentContext())?.namespace, 'openelb-system');
    const opts: { headers: Record<string, string> } = { headers: {} };
    await kc.applyToHTTPSOptions(opts as never);
    assert.equal(opts.headers.Authorization, 'Bearer pod-token', 'the token is read from its file');
  });

  it('brackets an IPv6 service host; a KUBECONFIG still wins in a pod; --context applies too', () => {
    assert.equal(inClusterConfig({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, sa)?.getCurrentCluster()?.server, 'https://[fd00::1]:443');
    assert.equal(inClusterConfig({}, sa), undefined);
    assert.equal(load({ env: { ...pod, KUBECONFIG: a }, serviceAccountDir: sa }).getCurrentContext(), 'alpha');
    failsWith(() => load({ env: pod, serviceAccountDir: sa, context: 'alpha' }), /unknown context "alpha" \(the kubeconfig has: inClusterContext\)/, 'invalid');
  });

  it('says so when a pod has no token mounted', () => {
    failsWith(() => load({ env: pod, serviceAccountDir: join(dir, 'no-sa') }), /running in a pod .* without a service account token/, 'none');
  });
});

describe('kubeconfig errors', () => {
  it('says what is missing, where it looked, and tells unusable files apart', () => {
    failsWith(() => load(), /^no kubeconfig found: pass --kubeconfig PATH or set KUBECONFIG \(looked for .*\.kube\/config\)$/, 'none');
    failsWith(() => load({ kubeconfig: join(dir, 'nope') }), /^kubeconfig file not found: .*nope \(from --kubeconfig\)$/, 'none');
    failsWith(() => load({ env: { KUBECONFIG: `${join(dir, 'x')}:${join(dir, 'y')}` } }), /none of the KUBECONFIG files exist/, 'none');
    const broken = join(dir, 'broken');
    writeFileSync(broken, 'users:\n- name: u\n  user: {token: "SECRET"\n');
    failsWith(() => load({ kubeconfig: broken }), /^cannot read kubeconfig .*broken: /, 'invalid');
    assert.throws(() => load({ kubeconfig: broken }), (e: Error) => !e.message.includes('SECRET') && !e.message.includes('\n'));
    const dangling = join(dir, 'dangling');
    writeFileSync(dangling, 'current-context: x\ncontexts:\n- name: x\n  context: {cluster: gone, user: u}\n');
    failsWith(() => load({ kubeconfig: dangling }), /context "x" names a cluster the kubeconfig does not define/, 'invalid');
  });
});
