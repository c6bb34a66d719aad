// Hostile BGP peers and a speaker process to measure, on 127.0.0.0/8 (no namespaces needed),
// shared by test/net/bgp-memory.test.ts and bench/faults/bgpMemory.ts:
// - fullTablePeer: opens a session and sends `count` IPv4 prefixes as fast as TCP allows;
// - nonReadingPeer: opens a session and then never reads what the speaker sends;
// - LocalSpeaker: test/harness/drivers/bgpMain.ts as its own process, its RSS read from /proc.
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { encodeMessage } from '../../../runtime/src/speaker/bgp/messages';
import { makeOpen } from '../../../runtime/src/speaker/bgp/open';
export { freePort } from '../support/freePort';
import { REPO } from '../repo';

const openFrom = (as: number, id: number, hold = 90) => encodeMessage({ type: 'open', open: makeOpen(as, hold, id, {
  multiprotocol: [{ afi: 1, safi: 1 }], routeRefresh: true, fourOctetAs: as, unknown: [],
}) });
const KEEPALIVE = encodeMessage({ type: 'keepalive' });

/** UPDATEs announcing `count` /32s from 100.64.0.0 upwards, 800 per UPDATE, built on the fly. */
function* fullTable(count: number, asn: number): Generator<Buffer> {
  const perUpdate = 800;
  // ORIGIN IGP, AS_PATH [asn] (4-octet), NEXT_HOP 192.0.2.9
  const attrs = Buffer.from([0x40, 1, 1, 0, 0x40, 2, 6, 2, 1, asn >>> 24, (asn >>> 16) & 0xff, (asn >>> 8) & 0xff, asn & 0xff, 0x40, 3, 4, 192, 0, 2, 9]);
  for (let first = 0; first < count; first += perUpdate) {
    const n = Math.min(perUpdate, count - first);
    const nlri = Buffer.alloc(n * 5);
    for (let i = 0; i < n; i++) { nlri[i * 5] = 32; nlri.writeUInt32BE((0x64400000 + first + i) >>> 0, i * 5 + 1); }
    const len = 19 + 4 + attrs.length + nlri.length;
    const head = Buffer.alloc(23, 0xff);
    head.writeUInt16BE(len, 16); head[18] = 2; head.writeUInt16BE(0, 19); head.writeUInt16BE(attrs.length, 21);
    yield Buffer.concat([head, attrs, nlri]);
  }
}

export interface PeerResult { sentPrefixes: number; notification?: { code: number; subcode: number; data: number[] } }

/** Connects from `localAddress`, establishes as `as`, sends the table; resolves when the speaker closes
 * the connection or the whole table went out and `lingerMs` passed. */
export function fullTablePeer(port: number, localAddress: string, as: number, count: number, lingerMs = 2000): Promise<PeerResult> {
  return new Promise((resolve) => {
    const out: PeerResult = { sentPrefixes: 0 };
    const sock = net.connect({ host: '127.0.0.1', port, localAddress });
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = () => { if (!done) { done = true; sock.destroy(); resolve(out); } };
    sock.on('error', () => finish());
    sock.on('close', () => finish());
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 19 && buf.length >= buf.readUInt16BE(16)) {
        const len = buf.readUInt16BE(16);
        if (buf[18] === 3) out.notification = { code: buf[19], subcode: buf[20], data: [...buf.subarray(21, len)] };
        buf = buf.subarray(len);
      }
    });
    sock.once('connect', () => {
      sock.write(Buffer.concat([openFrom(as, 0x0a000009), KEEPALIVE]));
      const table = fullTable(count, as);
      const pump = () => {
        for (let next = table.next(); !next.done; next = table.next()) {
          out.sentPrefixes += (next.value.length - 43) / 5;
          if (!sock.write(next.value)) { sock.once('drain', pump); return; }
        }
        setTimeout(finish, lingerMs);
      };
      pump();
    });
  });
}

/** Connects from `localAddress`, establishes as `as` (sending OPEN and KEEPALIVE), then never reads. */
export function nonReadingPeer(port: number, localAddress: string, as: number): Promise<{ close(): void; closedBySpeaker(): boolean }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port, localAddress });
    let closed = false;
    sock.on('error', () => {});
    sock.on('close', () => { closed = true; });
    sock.once('connect', () => {
      sock.pause();
      sock.write(Buffer.concat([openFrom(as, 0x0a00000a), KEEPALIVE]));
      resolve({ close: () => sock.destroy(), closedBySpeaker: () => closed });
    });
    sock.once('error', reject);
  });
}

/** A TCP port free on 127.0.0.1 right now. */
/** bgpMain.ts as a child process on this host; `command` sends one line and parses the answer. */
export class LocalSpeaker {
  private lines: string[] = [];
  private waiters: ((l: string) => void)[] = [];
  output = '';
  port = 0;

  private constructor(readonly proc: ChildProcess) {
    createInterface({ input: proc.stdout! }).on('line', (l) => { const w = this.waiters.shift(); if (w) w(l); else this.lines.push(l); });
    proc.stderr!.on('data', (d: Buffer) => { this.output = (this.output + d.toString()).slice(-20000); });
  }

  /** `nodeArgs` go to node itself (e.g. a heap budget as a pod would set it). */
  static async start(config: object, nodeArgs: string[] = []): Promise<LocalSpeaker> {
    const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(REPO, 'test/harness/drivers/bgpMain.ts'), JSON.stringify(config)],
      { stdio: ['pipe', 'pipe', 'pipe'], cwd: REPO });
    const s = new LocalSpeaker(proc);
    const ready = JSON.parse(await s.nextLine(30000)) as { event?: string; port?: number };
    if (ready.event !== 'ready') throw new Error(`speaker did not start: ${JSON.stringify(ready)} ${s.output}`);
    s.port = ready.port ?? 0;
    return s;
  }

  private nextLine(ms: number): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`speaker: no answer in ${ms} ms; stderr: ${this.output}`)), ms);
      this.waiters.push((x) => { clearTimeout(t); resolve(x); });
    });
  }

  async command(line: string, ms = 60000): Promise<Record<string, unknown>> {
    this.proc.stdin!.write(line + '\n');
    const r = JSON.parse(await this.nextLine(ms)) as Record<string, unknown>;
    if (r.ok !== true) throw new Error(`speaker: "${line}" failed: ${String(r.error)}`);
    return r;
  }

  /** Resident set size now and its peak so far (VmRSS, VmHWM), in MiB. */
  memory(): { rss: number; peak: number } {
    const st = readFileSync(`/proc/${this.proc.pid}/status`, 'utf8');
    const kib = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(st)?.[1] ?? NaN);
    return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }
}
