// `npm run cluster -- up DIR`   starts etcd + kube-apiserver in the background, prints the
//                               kubeconfig path; the processes outlive this command.
// `npm run cluster -- down DIR` stops them (their pids are in DIR/pids).
// `npm run cluster -- fixtures DIR` adds kubeadm-like Nodes, namespaces, kube-proxy and the CRDs.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startCluster } from './cluster';
import { applyFixtures } from './fixtures';

function usage(): never {
  console.error('usage: npm run cluster -- up DIR | down DIR | fixtures DIR');
  process.exit(2);
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

async function down(dir: string): Promise<void> {
  const file = join(dir, 'pids');
  if (!existsSync(file)) {
    console.error(`no cluster recorded in ${dir} (no pids file)`);
    process.exit(1);
  }
  const pids = JSON.parse(readFileSync(file, 'utf8')) as { etcd?: number; apiserver?: number };
  // The API server first, then its store.
  for (const pid of [pids.apiserver, pids.etcd]) {
    if (!pid || !alive(pid)) continue;
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  rmSync(file);
  console.log(`stopped the cluster in ${dir}`);
}

async function main(): Promise<void> {
  const [cmd, dirArg] = process.argv.slice(2);
  if (!cmd || !dirArg) usage();
  const dir = resolve(dirArg);
  if (cmd === 'up') {
    const c = await startCluster(dir, { detached: true });
    console.log(c.kubeconfigPath);
  } else if (cmd === 'down') {
    await down(dir);
  } else if (cmd === 'fixtures') {
    await applyFixtures(join(dir, 'kubeconfig'));
    console.log('fixtures applied');
  } else {
    usage();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
