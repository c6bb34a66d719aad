// `npm start`: the whole thing on one machine, for a newcomer.
// A real kube-apiserver + etcd (built once from Go modules), kubeadm-like fixtures, the runtime
// deployed (CRDs, RBAC, ConfigMap) with the controller running out of cluster (this test cluster
// has no kubelet to run pods), the example pools and Services applied, and code-server with the
// packaged extension opened on examples/. Prints the URL; Ctrl-C stops everything.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { runController } from '../runtime/src/controller/runController';
import { deploy } from '../runtime/src/ops/deploy';
import { restCall } from '../runtime/src/kube/rest';
import { objectPath } from '../runtime/src/ops/resources';
import { startCluster } from '../test/cluster/cluster';
import { applyFixtures } from '../test/cluster/fixtures';
import { startCodeServer } from '../test/editor/support/codeServer';

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

async function main(): Promise<void> {
  say('building (dist/ and the .vsix)');
  sh('npm', ['run', '--silent', 'build']);
  sh('npm', ['run', '--silent', 'package']);
  say('kube-apiserver + etcd (cached after the first run)');
  sh('bash', ['test/cluster/build-binaries.sh']);
  if (!existsSync(join(process.env.OPENELB_CACHE ?? join(process.env.HOME ?? '/root', '.cache', 'openelb-toolkit'), 'code-server'))) say('installing code-server (a few minutes, once)');
  sh('bash', ['test/editor/install-code-server.sh']);

  const cluster = await startCluster(join(work, 'cluster'));
  say(`API server at ${cluster.server}; kubeconfig ${cluster.kubeconfigPath}`);
  await applyFixtures(cluster.kubeconfigPath);
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  const result = await deploy(kc, { onProgress: (c) => say(`deploy: ${c.action} ${c.kind} ${c.name}`) });
  say(`runtime deployed (${result.changes.length} objects)`);
  const controller = await runController({ kubeconfig: cluster.kubeconfigPath, metricsPort: 0 });
  say(`controller running (metrics on 127.0.0.1:${controller.metricsPort})`);
  say(`applied ${await applyExamples(kc)} example objects`);

  const vsix = readdirSync(root).filter((f) => f.endsWith('.vsix')).sort().pop();
  if (!vsix) throw new Error('npm run package made no .vsix');
  const editor = await startCodeServer({
    dir: join(work, 'code-server'), vsix: join(root, vsix), workspace: join(root, 'examples'),
    settings: { 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'git.openRepositoryInParentFolders': 'never', 'openelb.kubeconfig': cluster.kubeconfigPath },
  });
  console.log(`\n  VS Code with OpenELB:  ${editor.url}\n  kubeconfig:            ${cluster.kubeconfigPath}\n  Ctrl-C stops everything.\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('stopping');
    await editor.stop();
    await controller.stop();
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e: unknown) => {
  console.error(`openelb start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
