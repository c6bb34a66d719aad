// The membership I/O layer: one UDP socket (node:dgram), the clock (performance.now, monotonic)
// and one timer around the pure Swim core. It bounds datagram sizes and the datagrams in flight,
// and reports gossipHealthy() = false when the port cannot be bound or no valid datagram arrived
// lately while peers exist: the speaker then judges liveness by the slow Kubernetes Leases.
import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { MembershipConfig } from './config';
import { hmacSeal } from './hmacSeal';
import type { Change } from './members';
import { Swim, type Output } from './swim';

/** Default gossip port (UDP). 7946 is memberlist's (MetalLB, Docker Swarm): a node may run those too. */
export const DEFAULT_GOSSIP_PORT = 7947;
/** Datagrams handed to the kernel and not yet sent; beyond it new ones are dropped and counted. */
export const DEFAULT_MAX_IN_FLIGHT = 2048;

export interface GossipNodeOptions {
  node: string;
  /** Address to bind ("0.0.0.0", "::", or the node IP). */
  bindAddress: string;
  port?: number;
  /** Shared keys (first signs, any verifies), from the Secret the deploy creates. */
  keys: readonly Uint8Array[];
  config?: Partial<MembershipConfig>;
  maxInFlight?: number;
  log: (m: string) => void;
  onChange?: (c: Change) => void;
}

export interface GossipIoStats { dropped: number; oversized: number; sendErrors: number }

/** "ip:port", with brackets for IPv6. */
export function gossipAddr(ip: string, port: number): string {
  return isIPv6(ip) ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function splitAddr(addr: string): [string, number] {
  const i = addr.lastIndexOf(':');
  return [addr.slice(0, i).replace(/^\[|\]$/g, ''), Number(addr.slice(i + 1))];
}

export class GossipNode {
  readonly swim: Swim;
  readonly port: number;
  readonly io: GossipIoStats = { dropped: 0, oversized: 0, sendErrors: 0 };
  private socket?: Socket;
  private bound = false;
  private bindError?: string;
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;
  private inFlight = 0;
  private stopped = false;

  constructor(private readonly o: GossipNodeOptions) {
    this.port = o.port ?? DEFAULT_GOSSIP_PORT;
    this.swim = new Swim({
      self: o.node, incarnation: Date.now(), seal: hmacSeal(o.keys), config: o.config,
      random: () => randomInt(2 ** 47) / 2 ** 47, now: performance.now(),
    });
  }

  /** Binds the port. A failure is logged and leaves gossip unhealthy (the Lease fallback). */
  async start(): Promise<void> {
    const s = createSocket({ type: isIPv6(this.o.bindAddress) ? 'udp6' : 'udp4' });
    this.socket = s;
    s.on('message', (msg, rinfo) => this.onMessage(msg, gossipAddr(rinfo.address, rinfo.port)));
    s.on('error', (e) => this.o.log(`membership socket error: ${e.message}`));
    await new Promise<void>((resolve) => {
      s.once('listening', () => { this.bound = true; resolve(); });
      s.once('error', (e: NodeJS.ErrnoException) => {
        this.bindError = `${e.code ?? e.message}`;
        this.o.log(`membership: cannot bind UDP ${gossipAddr(this.o.bindAddress, this.port)} (${this.bindError}); `
          + 'liveness falls back to the Kubernetes Leases (slower failover). Free the port or set another gossip port.');
        resolve();
      });
      s.bind(this.port, this.o.bindAddress);
    });
    this.rearm();
  }

  /** The Kubernetes view: node name → IP of every node running a speaker (on our port, or the
   * port given: benches run many members on one host). */
  setPeers(peers: ReadonlyMap<string, string | { ip: string; port: number }>): void {
    const addrs = new Map([...peers].map(([n, p]) => [n, typeof p === 'string' ? gossipAddr(p, this.port) : gossipAddr(p.ip, p.port)]));
    this.apply(this.swim.setPeers(performance.now(), addrs));
  }

  /** Whether gossip decides liveness now; false → use the slow Leases. */
  gossipHealthy(): boolean {
    return this.bound && !this.stopped && this.swim.healthy(performance.now());
  }

  get bindFailure(): string | undefined { return this.bindError; }

  live(): string[] { return this.swim.live(); }

  /** Clean stop: tells every member, waits for the datagrams to leave, closes. */
  async leave(): Promise<void> {
    if (this.stopped) return;
    this.apply(this.swim.leave(performance.now()));
    const until = performance.now() + 200;
    while (this.inFlight > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 2));
    this.close();
  }

  /** Stops without a word (as a crash would look to the others). */
  close(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    try { this.socket?.close(); } catch { /* already closed */ }
  }

  private onMessage(msg: Buffer, from: string): void {
    if (this.stopped) return;
    if (msg.length > this.swim.config.maxDatagram) { this.io.oversized++; return; }
    this.apply(this.swim.receive(performance.now(), from, msg));
  }

  /** The tick runs after the I/O phase (setImmediate): when the process is busy, an ack already
   * in the socket buffer is read before the probe it answers is judged failed. */
  private onTimer(): void {
    setImmediate(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      if (this.stopped) return;
      this.apply(this.swim.tick(performance.now()));
    });
  }

  private apply(outs: Output[]): void {
    for (const o of outs) {
      if (o.type === 'change') this.o.onChange?.(o.change);
      else this.send(o.to, o.bytes);
    }
    this.rearm();
  }

  private send(to: string, bytes: Uint8Array): void {
    if (!this.bound || this.stopped || !this.socket) return;
    if (this.inFlight >= (this.o.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT)) { this.io.dropped++; return; }
    const [ip, port] = splitAddr(to);
    this.inFlight++;
    this.socket.send(bytes, port, ip, (err) => {
      this.inFlight--;
      if (err) this.io.sendErrors++;
    });
  }

  /** One timer, moved earlier when the core needs to wake sooner. */
  private rearm(): void {
    if (this.stopped || !this.bound) return;
    const at = this.swim.nextWakeAt();
    if (at >= this.timerAt || at === Infinity) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, at - performance.now()));
  }
}
