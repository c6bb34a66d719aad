// Drives test/harness/drivers/announceMain.ts in a host's namespace:
// start it, wait for "ready", send commands, read its JSON events.
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { HostName, Topology } from './topology';

export { REPO } from '../repo';
import { REPO } from '../repo';
const MAIN = join(REPO, 'test', 'harness', 'drivers', 'announceMain.ts');

/** Builds the packet helper (no-op when up to date) and returns its path. */
export function buildPacketHelper(): string {
  try {
    return execFileSync('sh', [join(REPO, 'runtime', 'native', 'build.sh')], { encoding: 'utf8' }).trim();
  } catch (err) {
    throw new Error(`building the packet helper failed: ${(err as { stderr?: string }).stderr ?? String(err)}`);
  }
}

interface Event { event: string; [k: string]: unknown }

export class AnnouncerProcess {
  readonly events: Event[] = [];
  private waiters: { match: (e: Event) => boolean; resolve: (e: Event) => void; reject: (err: Error) => void }[] = [];
  private stderr = '';

  private constructor(readonly host: HostName, readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let e: Event;
      try { e = JSON.parse(line) as Event; } catch { return; }
      this.events.push(e);
      for (const w of [...this.waiters]) {
        if (w.match(e)) { this.waiters.splice(this.waiters.indexOf(w), 1); w.resolve(e); }
      }
    });
    child.stderr!.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-4000); });
    child.stdin!.on('error', () => { /* process gone */ });
    child.on('exit', (code, signal) => {
      const err = new Error(`announcer on ${host} exited (${code ?? signal}): ${this.stderr}`);
      for (const w of this.waiters.splice(0)) w.reject(err);
    });
  }

  /** Starts the announcer in `host` and resolves once it reported ready. */
  static async start(topo: Topology, host: HostName, args: string[], helper: string): Promise<AnnouncerProcess> {
    const child = topo.spawnIn(host, process.execPath, ['--import', 'tsx', MAIN, '--interface', 'eth0', '--helper', helper, ...args],
      { cwd: REPO });
    const p = new AnnouncerProcess(host, child);
    await p.next((e) => e.event === 'ready' || e.event === 'error', 15000);
    const last = p.events[p.events.length - 1];
    if (last.event !== 'ready') throw new Error(`announcer on ${host} failed: ${String(last.message)} ${p.stderr}`);
    return p;
  }

  /** The next event matching `match` (including one already queued after the last call). */
  next(match: (e: Event) => boolean, timeoutMs = 5000): Promise<Event> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`announcer on ${this.host}: no expected event in ${timeoutMs} ms; stderr: ${this.stderr}`));
      }, timeoutMs);
      if (!this.alive) { clearTimeout(timer); reject(new Error(`announcer on ${this.host} is not running: ${this.stderr}`)); return; }
      this.waiters.push({
        match,
        resolve: (e) => { clearTimeout(timer); resolve(e); },
        reject: (err) => { clearTimeout(timer); reject(err); },
      });
    });
  }

  send(line: string): void {
    this.child.stdin!.write(line + '\n');
  }

  async stats(): Promise<Event> {
    const p = this.next((e) => e.event === 'stats' || e.event === 'error');
    this.send('stats');
    return p;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Kills the process (SIGKILL by default: a crashed node) and waits for it to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill(signal);
    await exited;
  }
}
