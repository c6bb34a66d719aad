// Long-running processes of a node-tier run (etcd, kube-apiserver, containerd, kubelet, ...),
// started in a network namespace with `nsenter --net` (never `ip netns exec`: that also gives the
// process a private mount namespace, and containerd must see the kubelet's volume mounts).
// Each is recorded with its pid AND its start time, so a recycled pid is never signalled: every
// signal goes through `signalIfOurs`, which re-reads /proc before sending it.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface DaemonRecord {
  name: string;
  pid: number;
  /** Field 22 of /proc/PID/stat: clock ticks after boot the process started. */
  startTime: string;
  log: string;
}

/** The start time of a live process, or undefined when it is gone. */
export function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : fields[19]; // a zombie has ended already
  } catch {
    return undefined;
  }
}

export function isAlive(d: Pick<DaemonRecord, 'pid' | 'startTime'>): boolean {
  return startTimeOf(d.pid) === d.startTime;
}

/** Sends `signal` only if `pid` is still the process recorded (same start time). */
export function signalIfOurs(d: Pick<DaemonRecord, 'pid' | 'startTime'>, signal: NodeJS.Signals): boolean {
  if (!isAlive(d)) return false;
  try { process.kill(d.pid, signal); return true; } catch { return false; }
}

/** Starts `argv` in network namespace `ns` (a name under /run/netns), logging to `log`. */
export function startDaemon(name: string, ns: string, argv: string[], log: string, env?: NodeJS.ProcessEnv): DaemonRecord {
  const fd = openSync(log, 'a');
  // detached: its own session, so a Ctrl-C in the test's terminal reaches only the test, whose
  // teardown then stops the daemons in order. nsenter execs, so the pid is the daemon's.
  const child = spawn('nsenter', [`--net=/run/netns/${ns}`, '--', ...argv],
    { stdio: ['ignore', fd, fd], detached: true, env: env ?? process.env });
  closeSync(fd);
  child.unref();
  if (!child.pid) throw new Error(`${name}: could not start ${argv[0]}`);
  // The pid is nsenter's until it execs the daemon: the same process, so the same start time.
  const startTime = startTimeOf(child.pid);
  if (!startTime) throw new Error(`${name}: exited at once; see ${log}`);
  return { name, pid: child.pid, startTime, log };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopDaemon(d: DaemonRecord, graceMs = 10_000): Promise<void> {
  if (!signalIfOurs(d, 'SIGTERM')) return;
  // A process a test froze (SIGSTOP) acts on SIGTERM only once it runs again.
  signalIfOurs(d, 'SIGCONT');
  const deadline = Date.now() + graceMs;
  while (isAlive(d)) {
    if (Date.now() > deadline) { signalIfOurs(d, 'SIGKILL'); await waitGone(d, 5000); return; }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitGone(d: DaemonRecord, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (isAlive(d) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/** The last `bytes` of a daemon's log, for error messages. */
export function logTail(d: Pick<DaemonRecord, 'log'>, bytes = 2000): string {
  try {
    const text = readFileSync(d.log, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '';
  }
}
