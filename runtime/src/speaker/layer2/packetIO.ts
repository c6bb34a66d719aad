// Raw Ethernet I/O for Node: spawns openelb-packet-helper on one interface and
// turns its stdin/stdout messages into a FramePort (frames in, frames out).
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import {
  encodeMessage, type HelperStats, type InterfaceInfo, MessageDecoder, MAX_PAYLOAD, parseHelperStats, parseInterfaceInfo,
} from './helperProtocol';
import { findPacketHelper } from './helperPath';

export type { HelperStats, InterfaceInfo } from './helperProtocol';

/** The narrow interface the announcer needs; PacketIO is the real one. */
export interface FramePort {
  readonly info: InterfaceInfo;
  send(frame: Buffer): void;
  onFrame(listener: (frame: Buffer) => void): void;
  joinMulticast(mac: Buffer): void;
  leaveMulticast(mac: Buffer): void;
}

export interface PacketIOOptions {
  helperPath?: string;
  /** Frames per second the helper forwards to us at most (default 2000). */
  maxRate?: number;
  startTimeoutMs?: number;
  /** Command to run the helper through, e.g. ["ip", "netns", "exec", "ns1"]. */
  wrapper?: string[];
  /** Receive nothing, only send (vip mode's gratuitous ARP / NA). */
  sendOnly?: boolean;
}

/** Bytes we let queue towards the helper before dropping frames to send. */
const MAX_QUEUED_BYTES = 256 * 1024;

export class PacketIO implements FramePort {
  private listeners: ((frame: Buffer) => void)[] = [];
  private statsWaiters: { resolve: (s: HelperStats) => void; reject: (err: Error) => void }[] = [];
  private closed = false;
  private closing = false;
  private exitListeners: ((reason: string) => void)[] = [];
  /** Frames not sent because the helper's stdin was backed up. */
  sendDropped = 0;

  private constructor(
    private readonly child: ChildProcessByStdio<Writable, Readable, Readable>,
    readonly info: InterfaceInfo,
  ) {}

  /** Starts the helper on `ifname` and resolves once it reported the interface. */
  static open(ifname: string, options: PacketIOOptions = {}): Promise<PacketIO> {
    const helper = options.helperPath ?? findPacketHelper();
    const args = [...(options.maxRate ? ['--max-rate', String(options.maxRate)] : []), ...(options.sendOnly ? ['--send-only'] : []), ifname];
    const [cmd, ...pre] = [...(options.wrapper ?? []), helper];
    const child = spawn(cmd, [...pre, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const decoder = new MessageDecoder();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
    child.stdin.on('error', () => { /* helper gone; reported through 'exit' */ });

    return new Promise((resolve, reject) => {
      let io: PacketIO | undefined;
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`packet helper on ${ifname} did not start within ${options.startTimeoutMs ?? 5000} ms`));
      }, options.startTimeoutMs ?? 5000);
      child.on('error', (err) => { clearTimeout(timer); reject(new Error(`cannot run ${helper}: ${err.message}`)); });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (!io) { reject(new Error(`packet helper on ${ifname} exited (${code ?? signal}): ${stderr.trim()}`)); return; }
        const wasClosing = io.closed || io.closing;
        io.closed = true;
        if (!wasClosing) for (const l of io.exitListeners) l(`packet helper on ${ifname} exited (${code ?? signal}): ${stderr.trim()}`);
      });
      let refused = false;
      child.stdout.on('data', (chunk: Buffer) => {
        for (const msg of decoder.push(chunk)) {
          if (refused) return;
          if (!io) {
            if (msg.type === 'I') {
              clearTimeout(timer);
              // A bad report must fail this open, not throw out of the stream handler
              // (that would take the whole speaker down).
              let info: InterfaceInfo;
              try {
                info = parseInterfaceInfo(msg.payload);
              } catch (err) {
                refused = true;
                child.kill();
                reject(new Error(`packet helper on ${ifname}: ${(err as Error).message}`));
                return;
              }
              io = new PacketIO(child, info);
              resolve(io);
            } else if (msg.type === 'E') {
              clearTimeout(timer);
              reject(new Error(`packet helper on ${ifname}: ${msg.payload.toString()}`));
            }
            continue;
          }
          io.dispatch(msg.type, msg.payload);
        }
      });
    });
  }

  private dispatch(type: string, payload: Buffer): void {
    if (type === 'F') for (const l of this.listeners) l(payload);
    else if (type === 'S') this.answerStats(payload);
    else if (type === 'E') console.error(`packet helper on ${this.info.ifname}: ${payload.toString()}`);
  }

  private answerStats(payload: Buffer): void {
    const waiter = this.statsWaiters.shift();
    let stats: HelperStats;
    try {
      stats = parseHelperStats(payload);
    } catch (err) {
      const message = `packet helper on ${this.info.ifname}: ${(err as Error).message}`;
      if (waiter) waiter.reject(new Error(message));
      else console.error(message);
      return;
    }
    waiter?.resolve(stats);
  }

  /** Frames are dropped when the queue is long; small control messages always go. */
  private write(type: 'F' | 'M' | 'm' | 'S', payload?: Buffer): boolean {
    if (this.closed || (type === 'F' && this.child.stdin.writableLength > MAX_QUEUED_BYTES)) return false;
    this.child.stdin.write(encodeMessage(type, payload));
    return true;
  }

  onFrame(listener: (frame: Buffer) => void): void {
    this.listeners.push(listener);
  }

  /** Called if the helper dies without close() having been called. */
  onUnexpectedExit(listener: (reason: string) => void): void {
    this.exitListeners.push(listener);
  }

  /** Queues a frame for transmission; dropped (and counted) if the helper is backed up. */
  send(frame: Buffer): void {
    if (frame.length < 14 || frame.length > MAX_PAYLOAD) throw new Error(`bad frame length ${frame.length}`);
    if (!this.write('F', frame)) this.sendDropped++;
  }

  joinMulticast(mac: Buffer): void { this.write('M', mac); }
  leaveMulticast(mac: Buffer): void { this.write('m', mac); }

  /** Asks the helper for its counters. */
  stats(timeoutMs = 2000): Promise<HelperStats> {
    return new Promise((resolve, reject) => {
      if (!this.write('S')) { reject(new Error('packet helper is not running')); return; }
      const timer = setTimeout(() => reject(new Error('packet helper stats timed out')), timeoutMs);
      this.statsWaiters.push({
        resolve: (s) => { clearTimeout(timer); resolve(s); },
        reject: (err) => { clearTimeout(timer); reject(err); },
      });
    });
  }

  get running(): boolean {
    return !this.closed;
  }

  /** Closes the helper's stdin (it exits on EOF) and waits for it, killing it after 1 s. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 1000);
    await exited;
    clearTimeout(timer);
    this.closed = true;
  }
}
