// `openelb controller` and `openelb speaker` load their kubeconfig like every cluster command
// (runtime/src/kube/kubeconfig.ts): a multi-file KUBECONFIG or --kubeconfig list, merged, and
// --context choosing the live cluster over a current-context that points nowhere. Run as the
// built CLI, each proves it reached the API server by holding its Lease.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { startCluster, type Cluster } from '../harness/cluster/cluster';
import { applyFixtures } from '../harness/cluster/fixtures';
import { BUNDLE, requireBundle, runCli } from './opsHelpers';
import { loadKubeConfig } from '../../runtime/src/kube/kubeconfig';
import { poll } from '../harness/support/poll';
import { restCall } from '../../runtime/src/kube/rest';

let cluster: Cluster;
let kc: KubeConfig;
/** current-context "dead" (nothing listens there), and a second file with the context "live". */
let deadFile: string;
let liveFile: string;
const children: ChildProcess[] = [];

before(async () => {
  requireBundle();
  cluster = await startCluster(mkdtempSync(join(tmpdir(), 'openelb-runtime-context-')));
  await applyFixtures(cluster.kubeconfigPath, { namespaces: ['openelb-system'] });
  kc = loadKubeConfig(cluster.kubeconfigPath);
  // The CRDs' storage answers 429 for a moment after they are created; this test is about the
  // kubeconfig, so start the commands once the Eips can be listed.
  await poll('Eips listed', async () => { await restCall(kc, 'GET', '/apis/network.kubesphere.io/v1alpha2/eips'); return true; }, { timeoutMs: 60_000, everyMs: 200 });
  deadFile = join(cluster.dir, 'dead.kubeconfig');
  writeFileSync(deadFile, kubeconfig('dead', 'https://127.0.0.1:1', 'x', true), { mode: 0o600 });
  liveFile = join(cluster.dir, 'live.kubeconfig');
  writeFileSync(liveFile, kubeconfig('live', cluster.server, cluster.token, false), { mode: 0o600 });
});
after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await cluster?.stop();
});

function kubeconfig(name: string, server: string, token: string, current: boolean): string {
  return `apiVersion: v1\nkind: Config\n${current ? `current-context: ${name}\n` : ''}`
    + `clusters:\n- name: ${name}-cluster\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true\n`
    + `users:\n- name: ${name}-user\n  user:\n    token: ${token}\n`
    + `contexts:\n- name: ${name}\n  context:\n    cluster: ${name}-cluster\n    user: ${name}-user\n`;
}

/** Starts `node dist/openelb.js ARGS`; its stderr is kept for failure messages. */
function startCli(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, [BUNDLE, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { err += d; });
  return { child, stderr: () => err };
}

const lease = (name: string) => kc.makeApiClient(CoordinationV1Api)
  .readNamespacedLease({ name, namespace: 'openelb-system' }).catch(() => undefined);

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return exited;
}

test('openelb controller --context picks the context of a multi-file KUBECONFIG', async () => {
  const KUBECONFIG = `${deadFile}:${liveFile}`;
  // Without --context the current context (the first file's "dead") is used: its server cannot
  // be reached, which the controller waits out (as for an API server restart), saying so.
  const dead = startCli(['controller', '--metrics-port', '0'], { KUBECONFIG });
  await poll('the controller says it cannot reach the "dead" context\'s server and waits', async () =>
    /cannot list Eips: .*127\.0\.0\.1:1.*ECONNREFUSED.*; trying again in/.test(dead.stderr()), { timeoutMs: 30_000, everyMs: 100, context: dead.stderr });
  dead.child.kill('SIGKILL');
  const bad = runCli(['controller', '--context', 'nope'], { KUBECONFIG });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown context "nope" \(the kubeconfig has: dead, live\)/);

  const { child, stderr } = startCli(['controller', '--context', 'live', '--metrics-port', '0'], { KUBECONFIG });
  await poll('the controller leads through context "live"', async () =>
    (await lease('openelb-controller'))?.spec?.holderIdentity?.endsWith(`_${child.pid}`), { timeoutMs: 60_000, everyMs: 100, context: stderr });
  assert.equal(await stop(child), 0, stderr());
});

test('openelb speaker --context picks the context of a --kubeconfig list', async () => {
  const { child, stderr } = startCli(['speaker', '--kubeconfig', `${deadFile}:${liveFile}`, '--context', 'live', '--node', 'worker1', '--metrics-port', '0']);
  await poll('the speaker renews its Lease through context "live"', async () =>
    (await lease('openelb-speaker-worker1'))?.spec?.holderIdentity, { timeoutMs: 60_000, everyMs: 100, context: stderr });
  assert.equal(await stop(child), 0, stderr());
  // A clean stop deletes the Lease, so another node takes over at once.
  await poll('the Lease is released', async () => (await lease('openelb-speaker-worker1')) === undefined, { timeoutMs: 10_000, everyMs: 100 });
});
