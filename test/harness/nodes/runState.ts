// What a node-tier run changed on the machine, written to disk as it happens, so the teardown of
// this run, or the sweep at the next start after a run was killed outright, can undo exactly that.
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { DaemonRecord } from './daemons';

/** Where runs keep their files (overlay snapshots need a real filesystem, not tmpfs). */
export const RUNS_DIR = '/var/tmp/openelb-node-tier';

/** Global kernel settings the kubelet changes at start; restored once every kubelet runs. */
export const KUBELET_SYSCTLS = ['vm.overcommit_memory', 'kernel.panic', 'kernel.panic_on_oops', 'vm.panic_on_oom',
  'kernel.keys.root_maxkeys', 'kernel.keys.root_maxbytes'];

/** System folders that kubelet, containerd and libcni create outside the run directory. */
export const SYSTEM_DIRS = ['/run/containerd', '/var/lib/cni', '/var/log/containers', '/var/log/pods', '/var/lib/kubelet'];

export interface RunState {
  prefix: string;
  /** The test process that owns the run. */
  pid: number;
  runDir: string;
  namespaces: string[];
  daemons: DaemonRecord[];
  cgroups: string[];
  /** Node containerd sockets, to find their shims. */
  sockets: string[];
  cniNetworks: string[];
  /** The kubelets' kernel settings as they were before the first kubelet started ({} until then). */
  sysctls: Record<string, string>;
  /** System folders that did not exist before the run (removed at the end if empty). */
  newSystemDirs: string[];
}

export function newRunState(prefix: string): RunState {
  const runDir = join(RUNS_DIR, prefix);
  mkdirSync(runDir, { recursive: true });
  const state: RunState = {
    prefix, pid: process.pid, runDir, namespaces: [], daemons: [], cgroups: [], sockets: [], cniNetworks: [],
    sysctls: {}, newSystemDirs: SYSTEM_DIRS.filter((d) => !existsSync(d)),
  };
  saveRunState(state);
  return state;
}

export function saveRunState(s: RunState): void {
  writeFileSync(join(s.runDir, 'state.json'), JSON.stringify(s, null, 1));
}

/** Runs whose owning process is gone (killed before its teardown ran). */
export function staleRuns(): RunState[] {
  let names: string[] = [];
  try { names = readdirSync(RUNS_DIR); } catch { return []; }
  const out: RunState[] = [];
  for (const n of names) {
    try {
      const s = JSON.parse(readFileSync(join(RUNS_DIR, n, 'state.json'), 'utf8')) as RunState;
      if (!pidAlive(s.pid)) out.push(s);
    } catch { /* not a run directory, or half written */ }
  }
  return out;
}

export function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/**
 * Runs `fn` while holding the machine-wide lock on the kubelets' kernel settings: between reading
 * them and writing them back, another run's kubelets must not start, or that run would save the
 * kubelet's values as the originals. A lock whose holder died is taken over.
 */
export async function withSysctlLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = join(RUNS_DIR, '.sysctl-lock');
  mkdirSync(RUNS_DIR, { recursive: true });
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      const holder = Number(readFileSync(lock, 'utf8') || '0');
      if (!holder || !pidAlive(holder)) { try { unlinkSync(lock); } catch { /* raced */ } continue; }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    try { unlinkSync(lock); } catch { /* already gone */ }
  }
}

export function readSysctls(): Record<string, string> {
  return Object.fromEntries(KUBELET_SYSCTLS.map((k) => [k, execFileSync('sysctl', ['-n', k], { encoding: 'utf8' }).trim()]));
}

export function writeSysctls(values: Record<string, string>): void {
  for (const [k, v] of Object.entries(values)) {
    if (execFileSync('sysctl', ['-n', k], { encoding: 'utf8' }).trim() !== v) execFileSync('sysctl', ['-qw', `${k}=${v}`]);
  }
}
