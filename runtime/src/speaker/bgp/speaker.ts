// BgpSpeaker: announces host routes (/32, /128) to configured peers. It listens for
// inbound sessions (optional), keeps one PeerSession per neighbor and a small RIB of
// the routes we originate, which every peer receives when it reaches Established.
import net from 'node:net';
import { parseIp, ipToString } from '@openelb/core/address/ip';
import { Afi, Safi } from './constants';
import { CeaseSub, ErrCode } from './constants';
import { BgpError } from './errors';
import { notificationFor } from './messages';
import { Capabilities } from './open';
import { parseRouterId } from './negotiate';
import { PeerConfig, PeerSession } from './peerSession';
import { Prefix, formatPrefix, parsePrefix } from './prefix';
import { Route, routeKey } from './routes';
import { NodePeerStatus } from './status';

export interface SpeakerConfig {
  localAs: number;
  routerId: string;
  /** TCP port to accept sessions on; 0 = do not listen. */
  listenPort: number;
  /** Address to listen on (default "::", which also accepts IPv4). */
  listenAddress?: string;
  /** Graceful restart time to advertise (RFC 4724); omitted = no capability. */
  gracefulRestartTime?: number;
  peers: PeerConfig[];
  log?: (msg: string) => void;
}

/** Validates a speaker config; returns a list of problems (empty when fine). */
export function checkSpeakerConfig(c: SpeakerConfig): string[] {
  const p: string[] = [];
  const asOk = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 0xffffffff;
  if (!asOk(c.localAs)) p.push(`localAs ${c.localAs} is not an AS number 1..4294967295`);
  if (parseRouterId(c.routerId) === undefined) p.push(`routerId "${c.routerId}" is not a dotted-quad`);
  if (!Number.isInteger(c.listenPort) || c.listenPort < 0 || c.listenPort > 65535) p.push(`listenPort ${c.listenPort} out of range`);
  const seen = new Set<string>();
  for (const peer of c.peers ?? []) {
    const ip = parseIp(peer.neighborAddress ?? '');
    const name = peer.neighborAddress;
    if (!ip) { p.push(`peer "${name}": neighborAddress is not an IP address`); continue; }
    const key = ipToString(ip);
    if (seen.has(key)) p.push(`peer ${name}: configured twice`);
    seen.add(key);
    if (!asOk(peer.peerAs)) p.push(`peer ${name}: peerAs ${peer.peerAs} is not an AS number`);
    const h = peer.holdTime;
    if (h !== undefined && (!Number.isInteger(h) || h < 0 || h > 65535 || h === 1 || h === 2)) p.push(`peer ${name}: holdTime ${h} must be 0 or 3..65535`);
    if (peer.password) p.push(`peer ${name}: TCP MD5 passwords are not supported by this speaker (Node cannot set TCP_MD5SIG)`);
  }
  return p;
}

export class BgpSpeaker {
  private readonly sessions = new Map<string, PeerSession>();
  private readonly rib = new Map<string, Route>();
  private server?: net.Server;
  private readonly log: (m: string) => void;

  constructor(private readonly cfg: SpeakerConfig) {
    const problems = checkSpeakerConfig(cfg);
    if (problems.length) throw new Error(`invalid BGP speaker config: ${problems.join('; ')}`);
    this.log = cfg.log ?? (() => {});
    const caps: Capabilities = {
      multiprotocol: [{ afi: Afi.IPV4, safi: Safi.UNICAST }, { afi: Afi.IPV6, safi: Safi.UNICAST }],
      routeRefresh: true,
      fourOctetAs: cfg.localAs,
      gracefulRestart: cfg.gracefulRestartTime !== undefined
        ? { restarting: false, restartTime: cfg.gracefulRestartTime, families: [] }
        : undefined,
      unknown: [],
    };
    const ctx = {
      localAs: cfg.localAs,
      routerId: parseRouterId(cfg.routerId) as number,
      caps,
      routes: () => this.rib.values(),
      log: this.log,
    };
    for (const p of cfg.peers) {
      const ip = parseIp(p.neighborAddress);
      if (ip) this.sessions.set(ipToString(ip), new PeerSession(p, ctx));
    }
  }

  /** Starts listening (when listenPort > 0) and starts every peer session. */
  async start(): Promise<void> {
    if (this.cfg.listenPort > 0) {
      const server = net.createServer((s) => this.onInbound(s));
      this.server = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.cfg.listenPort, this.cfg.listenAddress ?? '::', () => { server.off('error', reject); resolve(); });
      });
      server.on('error', (e) => this.log(`listener error: ${e.message}`));
    }
    for (const s of this.sessions.values()) s.start();
  }

  /** Sends Cease to every peer, closes the listener. */
  async stop(): Promise<void> {
    for (const s of this.sessions.values()) s.stop();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  /** The port we listen on (useful with an ephemeral port), or undefined. */
  get port(): number | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  /** Originates `prefix` (a host route) with the given next hop. Throws on bad input. */
  announce(prefixText: string, nextHopText: string): Route {
    const prefix = this.hostPrefix(prefixText);
    const nextHop = parseIp(nextHopText);
    if (!nextHop) throw new Error(`next hop "${nextHopText}" is not an IP address`);
    if (nextHop.family !== prefix.family) throw new Error(`next hop ${nextHopText} is not of the same family as ${prefixText}`);
    const route = { prefix, nextHop };
    this.rib.set(routeKey(prefix), route);
    for (const s of this.sessions.values()) s.announce(route);
    return route;
  }

  /** Stops originating `prefix`; returns false when it was not announced. */
  withdraw(prefixText: string): boolean {
    const prefix = this.hostPrefix(prefixText);
    if (!this.rib.delete(routeKey(prefix))) return false;
    for (const s of this.sessions.values()) s.withdraw(prefix);
    return true;
  }

  routes(): { prefix: string; nextHop: string }[] {
    return [...this.rib.values()].map((r) => ({ prefix: formatPrefix(r.prefix), nextHop: ipToString(r.nextHop) }));
  }

  /** Routes a peer sent us (prefix → next hop); undefined for an unknown neighbor. */
  receivedRoutes(neighbor: string): Record<string, string> | undefined {
    const ip = parseIp(neighbor);
    const s = ip ? this.sessions.get(ipToString(ip)) : undefined;
    return s ? Object.fromEntries(s.adjRibIn) : undefined;
  }

  /** Status per neighbor address, in OpenELB's nodesPeerStatus[node] shape. */
  status(): Record<string, NodePeerStatus> {
    const out: Record<string, NodePeerStatus> = {};
    for (const [addr, s] of this.sessions) out[addr] = s.status();
    return out;
  }

  private hostPrefix(text: string): Prefix {
    const p = parsePrefix(text);
    if (!p) throw new Error(`"${text}" is not an IP prefix`);
    if (p.length !== (p.family === 4 ? 32 : 128)) throw new Error(`${text}: only host routes (/32, /128) are announced`);
    return p;
  }

  private onInbound(sock: net.Socket): void {
    sock.on('error', () => {});
    const ip = parseIp(sock.remoteAddress ?? '');
    const session = ip ? this.sessions.get(ipToString(ip)) : undefined;
    if (session && session.accept(sock)) return;
    // Unknown peer, or a session that already has its connection: Cease / Connection Rejected.
    this.log(`refused connection from ${sock.remoteAddress}`);
    sock.end(notificationFor(new BgpError(ErrCode.CEASE, CeaseSub.CONNECTION_REJECTED, 'connection rejected')));
    setTimeout(() => sock.destroy(), 1000).unref();
  }
}
