// A throwaway Layer2 network in namespaces: one bridge (in its own namespace,
// so the root namespace is untouched) and hosts client/node1/node2/node3/router
// attached by veth pairs, each with eth0 in 172.31.255.0/24 and fd00:31::/64.
// Every name carries a per-run prefix; teardown() deletes everything and kills
// the processes started through spawnIn().
import { type ChildProcess, execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { poll } from '../support/poll';

export const HOSTS = {
  router: { v4: '172.31.255.1', v6: 'fd00:31::1' },
  node1: { v4: '172.31.255.2', v6: 'fd00:31::2' },
  node2: { v4: '172.31.255.3', v6: 'fd00:31::3' },
  node3: { v4: '172.31.255.4', v6: 'fd00:31::4' },
  client: { v4: '172.31.255.9', v6: 'fd00:31::9' },
} as const;
export type HostName = keyof typeof HOSTS;

export interface Host {
  name: HostName;
  /** The network namespace's name. */
  ns: string;
  v4: string;
  v6: string;
  mac: string;
}

const STEM = 'oelbt';

/** Fails with a clear message when not root or a command is missing. */
export function requireNetTools(tools: string[]): void {
  if (process.getuid?.() !== 0) throw new Error('network tests need root (network namespaces, raw sockets)');
  const missing = tools.filter((t) => {
    try { execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }); return false; } catch { return true; }
  });
  if (missing.length) {
    throw new Error(`network tests need: ${missing.join(', ')} ` +
      '(apt-get install -y --no-install-recommends iproute2 iputils-arping iputils-ping ndisc6)');
  }
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${e.stderr?.trim() || e.message}`);
  }
}

/** Deletes namespaces left by earlier runs whose process is gone. */
function removeStale(): void {
  let names: string[] = [];
  try { names = readdirSync('/run/netns'); } catch { return; }
  for (const n of names) {
    const m = /^oelbt(\d+)x/.exec(n);
    if (!m) continue;
    try { process.kill(Number(m[1]), 0); } catch { try { run('ip', ['netns', 'del', n]); } catch { /* raced */ } }
  }
}

export class Topology {
  readonly hosts = {} as Record<HostName, Host>;
  private readonly namespaces: string[] = [];
  private readonly children = new Set<ChildProcess>();

  private constructor(readonly prefix: string) {}

  static create(): Topology {
    removeStale();
    const t = new Topology(`${STEM}${process.pid}x${Math.random().toString(36).slice(2, 6)}`);
    try {
      t.build();
    } catch (err) {
      t.teardown();
      throw err;
    }
    return t;
  }

  private build(): void {
    const br = `${this.prefix}-br`;
    this.addNs(br);
    run('ip', ['-n', br, 'link', 'add', 'br0', 'type', 'bridge']);
    run('ip', ['-n', br, 'link', 'set', 'br0', 'up']);
    for (const name of Object.keys(HOSTS) as HostName[]) {
      const ns = `${this.prefix}-${name}`;
      this.addNs(ns);
      run('ip', ['link', 'add', `v-${name}`, 'netns', br, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      run('ip', ['-n', br, 'link', 'set', `v-${name}`, 'master', 'br0', 'up']);
      // No duplicate address detection: addresses are usable at once.
      run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.eth0.accept_dad=0']);
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
      run('ip', ['-n', ns, 'addr', 'add', `${HOSTS[name].v4}/24`, 'dev', 'eth0']);
      run('ip', ['-n', ns, 'addr', 'add', `${HOSTS[name].v6}/64`, 'dev', 'eth0', 'nodad']);
      const link = JSON.parse(run('ip', ['-j', '-n', ns, 'link', 'show', 'eth0'])) as { address: string }[];
      this.hosts[name] = { name, ns, ...HOSTS[name], mac: link[0].address };
    }
  }

  private addNs(ns: string): void {
    run('ip', ['netns', 'add', ns]);
    this.namespaces.push(ns);
  }

  /** Runs a command inside a host's namespace and returns stdout; throws on failure. */
  exec(host: HostName, cmd: string, args: string[]): string {
    return run('ip', ['netns', 'exec', this.hosts[host].ns, cmd, ...args]);
  }

  /** Like exec but never throws: gives exit status and output. */
  tryExec(host: HostName, cmd: string, args: string[]): { status: number; stdout: string } {
    try {
      return { status: 0, stdout: this.exec(host, cmd, args) };
    } catch (err) {
      return { status: 1, stdout: (err as Error).message };
    }
  }

  /** Starts a long-running process in a host's namespace; teardown() kills it if still running. */
  spawnIn(host: HostName, cmd: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    // `ip netns exec` execs the command, so child.pid is the process itself.
    const child = spawn('ip', ['netns', 'exec', this.hosts[host].ns, cmd, ...args], { stdio: 'pipe', ...options });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** The MAC in `host`'s neighbour table for `ip`, if it has a usable entry. */
  neighbourMac(host: HostName, ip: string): string | undefined {
    const out = run('ip', ['-j', '-n', this.hosts[host].ns, 'neigh', 'show', ip, 'dev', 'eth0']);
    const entries = JSON.parse(out || '[]') as { lladdr?: string; state?: string[] }[];
    return entries.find((e) => e.lladdr && !e.state?.includes('FAILED'))?.lladdr;
  }

  teardown(): void {
    for (const c of this.children) if (c.pid && c.exitCode === null) c.kill('SIGKILL');
    this.children.clear();
    for (const ns of this.namespaces.reverse()) {
      try { run('ip', ['netns', 'del', ns]); } catch { /* already gone */ }
    }
    this.namespaces.length = 0;
  }
}

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
export function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 5000, everyMs = 20): Promise<T> {
  return poll(what, check, { timeoutMs, everyMs, accept: (v) => v !== undefined });
}
