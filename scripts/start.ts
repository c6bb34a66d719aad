// `npm start`: the whole thing on one machine, for a newcomer.
// Where the machine can run kubelets (root, Linux network namespaces): the node tier's real
// two-node cluster (test/harness/nodes/nodeCluster.ts), the runtime deployed as pods exactly as
// **Deploy Runtime** does, a backend and a LAN pool that really answer. Elsewhere: a bare
// kube-apiserver + etcd with the controller running out of cluster, and it says so. Then the
// example pools and Services, and code-server with the packaged extension opened on examples/.
// Prints the URL; Ctrl-C stops everything.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { runController } from '../runtime/src/controller/runController';
import { deploy } from '../runtime/src/ops/deploy';
import { restCall } from '../runtime/src/kube/rest';
import { objectPath } from '../runtime/src/ops/resources';
import { startCluster } from '../test/harness/cluster/cluster';
import { applyFixtures } from '../test/harness/cluster/fixtures';
import { startCodeServer } from '../test/harness/codeServer/codeServer';
import { startNodeCluster } from '../test/harness/nodes/nodeCluster';
import { applyBackend, applyEip, applyService, openelb, waitRuntimeReady } from '../test/harness/nodes/steps';
import { L2_RANGE_V4 } from '../test/harness/nodes/layout';

const root = resolve(import.meta.dirname, '..');
const work = join(root, '.cache', 'start');
const say = (s: string) => console.log(`openelb start: ${s}`);

function sh(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
}

async function applyExamples(kc: KubeConfig): Promise<number> {
  let n = 0;
  const dir = join(root, 'examples');
  for (const f of readdirSync(dir).filter((x) => /\.ya?ml$/.test(x)).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) {
      const obj = doc.toJSON() as { kind?: string; apiVersion?: string; metadata?: { name?: string; namespace?: string } } | null;
      if (!obj?.kind || !obj.metadata?.name) continue;
      if (obj.kind === 'Service' && !obj.metadata.namespace) obj.metadata.namespace = 'default';
      await restCall(kc, 'PATCH', objectPath(obj as never), {
        body: obj, contentType: 'application/apply-patch+yaml', query: { fieldManager: 'openelb', force: 'true' },
      });
      n++;
    }
  }
  return n;
}

interface Demo {
  kubeconfig: string;
  kc: KubeConfig;
  notes: string[];
  stop(): Promise<unknown>;
}

/** Real nodes: kubelets in network namespaces, the runtime as pods. Throws when the machine cannot. */
async function startWithNodes(): Promise<Demo> {
  if (process.getuid?.() !== 0) throw new Error('real nodes need root (network namespaces, kubelet, containerd)');
  say('node binaries, packages and images (cached after the first run; a few minutes the first time)');
  sh('bash', ['scripts/provision.sh', 'node']);
  // A signal while this runs tears the nodes down (startNodeCluster's own handler).
  const c = await startNodeCluster({ log: (m) => say(m) });
  try {
    // The CLI, as a user runs it (and as the extension's Deploy Runtime does, from its own process).
    const r = await openelb(c, ['deploy']);
    process.stdout.write(r.stdout);
    if (r.status !== 0) throw new Error(`openelb deploy failed: ${r.stderr.trim()}`);
    say('runtime deployed; waiting for its pods');
    await waitRuntimeReady(c);
    await applyBackend(c);
    await applyEip(c, 'eip-lan', { address: L2_RANGE_V4, protocol: 'layer2', interface: 'eth0' });
    await applyService(c, 'web-lan', { 'eip.openelb.kubesphere.io/v1alpha2': 'eip-lan' });
  } catch (e) {
    await c.stop();
    throw e;
  }
  return {
    kubeconfig: c.kubeconfig, kc: c.kc, stop: () => c.stop(),
    notes: [
      'nodes:                 node1, node2 (real kubelets; the controller and speakers run as pods)',
      `try it:                sudo nsenter --net=/run/netns/${c.ns('cl')} curl http://172.31.70.200/`,
    ],
  };
}

/** No kubelet: the API server alone, the controller as a process of this script. */
async function startApiOnly(why: string): Promise<Demo> {
  say(`real nodes are not available here (${why}); falling back to an API server without nodes, with the controller running out of cluster`);
  sh('bash', ['test/harness/cluster/build-binaries.sh']);
  const cluster = await startCluster(join(work, 'cluster'));
  await applyFixtures(cluster.kubeconfigPath);
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  const result = await deploy(kc, { onProgress: (c) => say(`deploy: ${c.action} ${c.kind} ${c.name}`) });
  say(`runtime objects applied (${result.changes.length}); no kubelet runs its pods`);
  const controller = await runController({ kubeconfig: cluster.kubeconfigPath, metricsPort: 0 });
  return {
    kubeconfig: cluster.kubeconfigPath, kc,
    notes: ['nodes:                 none (API server only; the controller runs in this process, no speaker answers)'],
    stop: async () => { await controller.stop(); await cluster.stop(); },
  };
}

async function main(): Promise<void> {
  say('building (dist/ and the .vsix)');
  sh('npm', ['run', '--silent', 'build']);
  sh('npm', ['run', '--silent', 'package']);
  if (!existsSync(join(process.env.OPENELB_CACHE ?? join(process.env.HOME ?? '/root', '.cache', 'openelb-toolkit'), 'code-server'))) say('installing code-server (a few minutes, once)');
  sh('bash', ['test/harness/codeServer/install-code-server.sh']);

  let demo: Demo;
  try {
    demo = await startWithNodes();
  } catch (e) {
    demo = await startApiOnly(e instanceof Error ? e.message.split('\n')[0] : String(e));
  }
  say(`applied ${await applyExamples(demo.kc)} example objects`);

  const vsix = readdirSync(root).filter((f) => f.endsWith('.vsix')).sort().pop();
  if (!vsix) throw new Error('npm run package made no .vsix');
  const editor = await startCodeServer({
    dir: join(work, 'code-server'), vsix: join(root, vsix), workspace: join(root, 'examples'),
    settings: { 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'git.openRepositoryInParentFolders': 'never', 'openelb.kubeconfig': demo.kubeconfig },
  });
  console.log(`\n  VS Code with OpenELB:  ${editor.url}\n  kubeconfig:            ${demo.kubeconfig}\n  ${demo.notes.join('\n  ')}\n  Ctrl-C stops everything.\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('stopping');
    await editor.stop();
    await demo.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e: unknown) => {
  console.error(`openelb start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
