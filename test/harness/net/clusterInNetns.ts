// A real control plane reachable from the test's network namespaces: etcd and kube-apiserver
// run INSIDE a namespace of their own ("<prefix>-api"), attached to the topology's bridge at
// 172.31.255.20, so speakers in node1..3 reach the API server over the bridge exactly as on a
// real LAN. The root namespace is left untouched: the test process reaches the API server
// through a relay (a unix socket served inside the api namespace, exposed on 127.0.0.1 here).
//
// Two kubeconfigs are written: `kubeconfigInNs` (https://172.31.255.20:6443, for processes in
// the namespaces) and `kubeconfigLocal` (https://127.0.0.1:PORT, for the test and the controller).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { apiGet, binariesDir, kubeconfigText } from '../cluster/cluster';
import { applyFixtures, type NodeFixture } from '../cluster/fixtures';
import { HOSTS } from './topology';
import { startNsRelay, type NsRelay } from '../support/nsRelay';

export const API_ADDRESS = '172.31.255.20';
export const API_PORT = 6443;
export { REPO } from '../repo';
import { REPO } from '../repo';
export const NODES: NodeFixture[] = (['node1', 'node2', 'node3'] as const).map((n) => ({ name: n, ip: HOSTS[n].v4 }));

export interface NetCluster {
  kubeconfigInNs: string;
  kubeconfigLocal: string;
  /** Name of the namespace holding etcd and kube-apiserver. */
  ns: string;
  dir: string;
  stop(): Promise<void>;
}

function ip(args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`ip ${args.join(' ')}: ${(e as { stderr?: Buffer }).stderr?.toString().trim() ?? String(e)}`);
  }
}

/** A process in a namespace, logging to a file; `ip netns exec` execs it, so pid is the process. */
function launchIn(ns: string, argv: string[], log: string): ChildProcess {
  const fd = openSync(log, 'a');
  const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return child;
}

function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM', ms = 5000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const t = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', () => { clearTimeout(t); res(); });
    child.kill(signal);
  });
}

async function until(what: string, check: () => Promise<boolean>, ms: number, child?: ChildProcess, log?: string): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`${what}: the process exited; see ${log}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`${what}: not ready after ${ms} ms; see ${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Starts the control plane in a new namespace on the bridge `<prefix>-br` of a topology, with
 * the CRDs, the openelb-system namespace and Nodes node1..3 (InternalIP = their bridge address).
 */
export async function startNetCluster(prefix: string, dirArg: string, timeoutMs = 120_000): Promise<NetCluster> {
  const dir = resolve(dirArg);
  mkdirSync(dir, { recursive: true });
  const bin = binariesDir();
  const ns = `${prefix}-api`;
  const children: ChildProcess[] = [];
  let relay: NsRelay | undefined;
  const stop = async (): Promise<void> => {
    await relay?.close();
    for (const c of children.reverse()) await stopChild(c);
    try { ip(['netns', 'del', ns]); } catch { /* already gone */ }
  };
  try {
    ip(['netns', 'add', ns]);
    ip(['link', 'add', 'v-api', 'netns', `${prefix}-br`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    ip(['-n', `${prefix}-br`, 'link', 'set', 'v-api', 'master', 'br0', 'up']);
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
    ip(['-n', ns, 'addr', 'add', `${API_ADDRESS}/24`, 'dev', 'eth0']);

    const token = randomBytes(24).toString('hex');
    writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin,system:masters\n`, { mode: 0o600 });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));

    // etcd on the api namespace's own loopback: only kube-apiserver talks to it.
    const etcdLog = join(dir, 'etcd.log');
    const etcd = launchIn(ns, [join(bin, 'etcd'), '--name', 'test', '--data-dir', join(dir, 'etcd'),
      '--listen-client-urls', 'http://127.0.0.1:2379', '--advertise-client-urls', 'http://127.0.0.1:2379',
      '--listen-peer-urls', 'http://127.0.0.1:2380', '--initial-advertise-peer-urls', 'http://127.0.0.1:2380',
      '--initial-cluster', 'test=http://127.0.0.1:2380', '--unsafe-no-fsync', '--log-level', 'warn'], etcdLog);
    children.push(etcd);

    const apiLog = join(dir, 'apiserver.log');
    const api = launchIn(ns, [join(bin, 'kube-apiserver'), '--etcd-servers=http://127.0.0.1:2379',
      `--bind-address=${API_ADDRESS}`, `--secure-port=${API_PORT}`, `--advertise-address=${API_ADDRESS}`,
      `--cert-dir=${join(dir, 'certs')}`, `--token-auth-file=${join(dir, 'tokens.csv')}`, '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(dir, 'sa.pub')}`, `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/16,fd00:10:96::/112', '--allow-privileged=true',
      '--enable-priority-and-fairness=false', '--enable-aggregator-routing=true', '--v=1'], apiLog);
    children.push(api);

    relay = await startNsRelay(ns, join(dir, 'api.sock'), API_ADDRESS, API_PORT);
    const port = relay.port;
    const local = `https://127.0.0.1:${port}`;
    await until('kube-apiserver', async () => {
      const [status, body] = await apiGet(local, token, '/readyz');
      return status === 200 && body.trim() === 'ok';
    }, timeoutMs, api, apiLog);

    const kubeconfigInNs = join(dir, 'kubeconfig');
    const kubeconfigLocal = join(dir, 'kubeconfig-local');
    writeFileSync(kubeconfigInNs, kubeconfigText(`https://${API_ADDRESS}:${API_PORT}`, token), { mode: 0o600 });
    writeFileSync(kubeconfigLocal, kubeconfigText(local, token), { mode: 0o600 });
    await applyFixtures(kubeconfigLocal, { nodes: NODES, namespaces: ['openelb-system', 'test'] });
    // An Established CRD may still answer 429 "storage is (re)initializing" for a moment.
    for (const plural of ['eips', 'bgpconfs', 'bgppeers']) {
      await until(`listing ${plural}`, async () => (await apiGet(local, token, `/apis/network.kubesphere.io/v1alpha2/${plural}`))[0] === 200, 30_000);
    }
    return { kubeconfigInNs, kubeconfigLocal, ns, dir, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** `openelb speaker` running in a node's namespace (through tsx, so no build is needed). */
export class SpeakerProc {
  output = '';
  private readonly exited: Promise<void>;

  private constructor(readonly node: string, readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => { this.output = (this.output + d.toString()).slice(-20000); });
    child.stderr!.on('data', (d: Buffer) => { this.output = (this.output + d.toString()).slice(-20000); });
    this.exited = new Promise((r) => child.once('exit', () => r()));
  }

  static start(ns: string, node: string, kubeconfig: string, extra: string[] = []): SpeakerProc {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', join(REPO, 'runtime/src/cli/openelb.ts'),
      'speaker', '--kubeconfig', kubeconfig, '--node', node, '--metrics-port', '9464', ...extra],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    return new SpeakerProc(node, child);
  }

  get running(): boolean { return this.child.exitCode === null && this.child.signalCode === null; }

  /** Sends a signal and waits for the process to end (SIGKILL after 5 s). */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.running) return;
    const t = setTimeout(() => { try { this.child.kill('SIGKILL'); } catch { /* gone */ } }, 5000);
    this.child.kill(signal);
    await this.exited;
    clearTimeout(t);
  }
}
