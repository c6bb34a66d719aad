// A real Kubernetes control plane for tests: etcd + kube-apiserver, both built from their Go
// modules by build-binaries.sh, listening on free 127.0.0.1 ports. There is no kubelet and no
// controller-manager: objects are stored and watched, nothing runs them.
//
//   const c = await startCluster(dir);   // writes dir/kubeconfig, logs to dir/*.log
//   ...                                   // point the code under test at c.kubeconfigPath
//   await c.stop();
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, openSync, writeFileSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { httpsGet } from '../support/httpsGet';
import { join, resolve } from 'node:path';

export interface Cluster {
  /** Admin kubeconfig (token auth, TLS verification skipped: the server cert is self-signed). */
  kubeconfigPath: string;
  /** https://127.0.0.1:PORT */
  server: string;
  /** The admin bearer token (also in the kubeconfig). Never log it. */
  token: string;
  dir: string;
  /** Process ids, for a detached cluster that another process will stop. */
  pids(): { etcd?: number; apiserver?: number };
  /**
   * Stops kube-apiserver and starts it again on the same port, with the same data. The stop is
   * a SIGTERM; an API server still draining its watches after `graceMs` is killed.
   */
  restartApiServer(graceMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Leave the processes running after this Node process exits (used by `npm run cluster up`). */
  detached?: boolean;
  /** How long to wait for /readyz (ms). */
  readyTimeoutMs?: number;
}

// Test files run as CommonJS under tsx (package.json has no "type": "module").
const HERE = __dirname;

/** Builds (or finds, when cached) kube-apiserver and etcd; returns the folder holding both. */
export function binariesDir(): string {
  const out = execFileSync('bash', [join(HERE, 'build-binaries.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = out.trim().split('\n');
  return lines[lines.length - 1];
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

/** Every live child of every cluster in this process, killed if the process exits. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = (): void => {
    for (const p of live) {
      try { p.kill('SIGKILL'); } catch { /* already gone */ }
    }
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => { killAll(); process.exit(130); });
  }
}

function launch(bin: string, args: string[], logPath: string, detached: boolean): ChildProcess {
  const fd = openSync(logPath, 'a');
  const child = spawn(bin, args, { stdio: ['ignore', fd, fd], detached });
  closeSync(fd);
  if (detached) {
    child.unref();
  } else {
    installExitHook();
    live.add(child);
    child.once('exit', () => live.delete(child));
  }
  return child;
}

function stopProcess(child: ChildProcess | undefined, timeoutMs = 10_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => { clearTimeout(timer); live.delete(child); res(); });
    child.kill('SIGTERM');
  });
}

/** GET an https path on the API server with the admin token; resolves to [status, body]. */
export function apiGet(server: string, token: string, path: string): Promise<[number, string]> {
  return httpsGet(new URL(path, server), { rejectUnauthorized: false, headers: { Authorization: `Bearer ${token}` } });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, child?: ChildProcess, log?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`${what}: the process exited (code ${child.exitCode}, signal ${child.signalCode}); see ${log}`);
    }
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms; see ${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startCluster(dirArg: string, opts: StartOptions = {}): Promise<Cluster> {
  const dir = resolve(dirArg);
  const detached = opts.detached ?? false;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 90_000;
  mkdirSync(dir, { recursive: true });
  const bin = binariesDir();

  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const token = randomBytes(24).toString('hex');
  writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin,system:masters\n`, { mode: 0o600 });
  // Service-account signing keys, so the TokenRequest API (kubectl create token) works.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));

  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const etcdLog = join(dir, 'etcd.log');
  const etcd = launch(join(bin, 'etcd'), [
    '--name', 'test', '--data-dir', join(dir, 'etcd'),
    '--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl,
    '--listen-peer-urls', `http://127.0.0.1:${peerPort}`,
    '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
    '--initial-cluster', `test=http://127.0.0.1:${peerPort}`,
    '--unsafe-no-fsync', '--log-level', 'warn',
  ], etcdLog, detached);
  await waitFor('etcd', async () => (await fetch(`${etcdUrl}/health`)).ok, readyTimeoutMs, etcd, etcdLog);

  const server = `https://127.0.0.1:${apiPort}`;
  const apiLog = join(dir, 'apiserver.log');
  const apiArgs = [
    `--etcd-servers=${etcdUrl}`, '--bind-address=127.0.0.1', `--secure-port=${apiPort}`,
    `--cert-dir=${join(dir, 'certs')}`, `--token-auth-file=${join(dir, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${join(dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
    '--service-cluster-ip-range=10.96.0.0/16,fd00:10:96::/112', '--allow-privileged=true',
    '--enable-priority-and-fairness=false', '--enable-aggregator-routing=true', '--v=1',
  ];
  let api: ChildProcess | undefined;
  const startApi = async (): Promise<void> => {
    api = launch(join(bin, 'kube-apiserver'), apiArgs, apiLog, detached);
    await waitFor('kube-apiserver', async () => {
      const [status, body] = await apiGet(server, token, '/readyz');
      return status === 200 && body.trim() === 'ok';
    }, readyTimeoutMs, api, apiLog);
  };
  try {
    await startApi();
  } catch (e) {
    await stopProcess(api);
    await stopProcess(etcd);
    throw e;
  }

  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigText(server, token), { mode: 0o600 });
  writeFileSync(join(dir, 'pids'), JSON.stringify({ etcd: etcd.pid, apiserver: api?.pid }));

  return {
    kubeconfigPath, server, token, dir,
    pids: () => ({ etcd: etcd.pid, apiserver: api?.pid }),
    async restartApiServer(graceMs = 2000) {
      await stopProcess(api, graceMs);
      await startApi();
      writeFileSync(join(dir, 'pids'), JSON.stringify({ etcd: etcd.pid, apiserver: api?.pid }));
    },
    async stop() {
      await stopProcess(api);
      await stopProcess(etcd);
    },
  };
}

export function stopCluster(c: Cluster): Promise<void> {
  return c.stop();
}

export function kubeconfigText(server: string, token: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ${server}
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: ${token}
contexts:
- name: test
  context:
    cluster: test
    user: admin
current-context: test
`;
}
