// Leaves the machine as the run found it: stops the run's processes by pid (each checked to be
// the run's before it is signalled), unmounts what they mounted, deletes the namespaces and
// cgroups, restores the kernel settings and removes what kubelet and containerd left in system
// folders. Used by a run's own stop, on SIGINT/SIGTERM, and by the sweep of killed runs.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, stopDaemon, type DaemonRecord } from './daemons';
import { cgroupHierarchies } from './kubeNode';
import { writeSysctls, type RunState } from './runState';

const quiet = (f: () => void): void => { try { f(); } catch { /* already gone */ } };
const pids = (): number[] => readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number);
const read = (p: string): string => { try { return readFileSync(p, 'utf8'); } catch { return ''; } };

/** Whether a process belongs to the run: by its network namespace, its cgroup, or a socket of ours. */
function belongsToRun(pid: number, s: RunState, netnsInodes: Set<number>): boolean {
  if (pid === process.pid) return false;
  try {
    if (netnsInodes.has(statSync(`/proc/${pid}/ns/net`).ino)) return true;
  } catch { return false; }
  if (s.cgroups.some((c) => read(`/proc/${pid}/cgroup`).includes(`:/${c}/`))) return true;
  const cmd = read(`/proc/${pid}/cmdline`).split('\0');
  return s.sockets.some((sock) => cmd.includes(sock));
}

/** SIGKILLs every process of the run that is not a recorded daemon (shims, pod processes). */
function killStragglers(s: RunState): void {
  const inodes = new Set<number>();
  for (const ns of s.namespaces) quiet(() => inodes.add(statSync(`/run/netns/${ns}`).ino));
  for (let round = 0; round < 3; round++) {
    // Re-checked right before each signal, so a pid reused in between is left alone.
    for (const pid of pids()) if (belongsToRun(pid, s, inodes)) quiet(() => process.kill(pid, 'SIGKILL'));
  }
}

/** Where containerd 1.6 puts a shim's socket: a hash of its own address, namespace and the id. */
const shimSocket = (sock: string, id: string): string =>
  join('/run/containerd/s', createHash('sha256').update(join(sock, 'k8s.io', id)).digest('hex'));

/** Kills and removes every container of a node's containerd, and the shim sockets a kill leaves; returns their ids. */
function removeContainers(sock: string): Set<string> {
  const ctr = (args: string[]) => execFileSync('ctr', ['-a', sock, '-n', 'k8s.io', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 });
  const ids = new Set<string>();
  quiet(() => {
    for (const id of ctr(['tasks', 'ls', '-q']).split('\n').filter(Boolean)) {
      ids.add(id);
      quiet(() => ctr(['tasks', 'kill', '-s', 'SIGKILL', id]));
      quiet(() => ctr(['tasks', 'delete', '-f', id]));
    }
    for (const id of ctr(['containers', 'ls', '-q']).split('\n').filter(Boolean)) { ids.add(id); quiet(() => ctr(['containers', 'rm', id])); }
  });
  for (const id of ids) quiet(() => unlinkSync(shimSocket(sock, id)));
  return ids;
}

/** Every mount point under `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  return read('/proc/self/mountinfo').split('\n').map((l) => l.split(' ')[4]).filter((m) => m && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
}

function unmountAll(dir: string): void {
  for (let round = 0; round < 3 && mountsUnder(dir).length; round++) {
    for (const m of mountsUnder(dir)) {
      try { execFileSync('umount', [m], { stdio: 'ignore' }); } catch { quiet(() => execFileSync('umount', ['-l', m], { stdio: 'ignore' })); }
    }
  }
}

function deleteNamespaces(s: RunState): void {
  for (const ns of [...s.namespaces].reverse()) {
    if (!existsSync(`/run/netns/${ns}`)) continue;
    quiet(() => {
      for (const p of execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean)) quiet(() => process.kill(Number(p), 'SIGKILL'));
    });
    quiet(() => execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }));
  }
}

function removeCgroups(s: RunState): void {
  const rmTree = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rmTree(join(dir, e.name));
    quiet(() => rmdirSync(dir));
  };
  for (const h of cgroupHierarchies()) for (const c of s.cgroups) rmTree(join(h, c));
}

function cleanSystemFolders(s: RunState, containers: Set<string>): void {
  // libcni caches each result as <network>-<container>-<interface>; the CRI's loopback network is cni-loopback.
  quiet(() => {
    for (const f of readdirSync('/var/lib/cni/results')) {
      const ours = s.cniNetworks.some((n) => f.startsWith(`${n}-`)) || containers.has(f.replace(/^cni-loopback-/, '').replace(/-lo$/, ''));
      if (ours) quiet(() => unlinkSync(join('/var/lib/cni/results', f)));
    }
  });
  quiet(() => {
    for (const f of readdirSync('/var/log/containers')) {
      const link = join('/var/log/containers', f);
      quiet(() => { if (readlinkSync(link).startsWith(`${s.runDir}/`)) unlinkSync(link); });
    }
  });
  if (s.newSystemDirs.includes('/var/lib/kubelet')) quiet(() => rmSync('/var/lib/kubelet', { recursive: true, force: true }));
  // Deepest first; rmdir removes only folders left empty.
  const emptyTree = (dir: string): void => {
    quiet(() => { for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) emptyTree(join(dir, e.name)); });
    quiet(() => rmdirSync(dir));
  };
  for (const d of s.newSystemDirs) emptyTree(d);
}

/** The whole teardown, in the order that lets each step succeed. Never throws. */
export async function teardownRun(s: RunState, log: (m: string) => void = () => {}): Promise<void> {
  const byName = (re: RegExp): DaemonRecord[] => s.daemons.filter((d) => re.test(d.name));
  for (const d of [...byName(/^kube-proxy-/), ...byName(/^kubelet-/)]) await stopDaemon(d, 10_000);
  const containers = new Set<string>();
  for (const sock of s.sockets) for (const id of removeContainers(sock)) containers.add(id);
  for (const d of byName(/^containerd-/)) await stopDaemon(d, 10_000);
  killStragglers(s);
  for (const d of [...s.daemons].reverse()) await stopDaemon(d, 10_000);
  unmountAll(s.runDir);
  deleteNamespaces(s);
  removeCgroups(s);
  quiet(() => writeSysctls(s.sysctls));
  cleanSystemFolders(s, containers);
  if (mountsUnder(s.runDir).length === 0) {
    quiet(() => execFileSync('rm', ['-rf', '--one-file-system', s.runDir], { stdio: 'ignore' }));
  } else {
    log(`left ${s.runDir} in place: still mounted: ${mountsUnder(s.runDir).join(', ')}`);
  }
}

/** What of the run is still on the machine (empty when the teardown was complete). */
export function leftovers(s: RunState): string[] {
  const out: string[] = [];
  for (const ns of s.namespaces) if (existsSync(`/run/netns/${ns}`)) out.push(`namespace ${ns}`);
  for (const m of mountsUnder(s.runDir)) out.push(`mount ${m}`);
  for (const h of cgroupHierarchies()) for (const c of s.cgroups) if (existsSync(join(h, c))) out.push(`cgroup ${join(h, c)}`);
  const inodes = new Set<number>();
  for (const pid of pids()) if (belongsToRun(pid, s, inodes)) out.push(`process ${pid} ${read(`/proc/${pid}/cmdline`).replace(/\0/g, ' ').slice(0, 80)}`);
  for (const d of s.daemons) if (isAlive(d)) out.push(`daemon ${d.name}`);
  for (const [k, v] of Object.entries(s.sysctls)) {
    const now = execFileSync('sysctl', ['-n', k], { encoding: 'utf8' }).trim();
    if (now !== v) out.push(`sysctl ${k} = ${now} (was ${v})`);
  }
  if (existsSync(s.runDir)) out.push(`folder ${s.runDir}`);
  for (const d of s.newSystemDirs) if (existsSync(d)) out.push(`folder ${d} (made during the run)`);
  return out;
}
