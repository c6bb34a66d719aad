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

/** Why a configured peer is not served; `reason` is a stable word for Events. */
export interface PeerProblem { reason: string; message: string }

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

const asOk = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 0xffffffff;

/** Problems with the speaker-wide settings (empty when fine): these stop the whole speaker. */
export function checkGlobalConfig(c: SpeakerConfig): string[] {
  const p: string[] = [];
  if (!asOk(c.localAs)) p.push(`localAs ${c.localAs} is not an AS number 1..4294967295`);
  if (parseRouterId(c.routerId) === undefined) p.push(`routerId "${c.routerId}" is not a dotted-quad`);
  if (!Number.isInteger(c.listenPort) || c.listenPort < 0 || c.listenPort > 65535) p.push(`listenPort ${c.listenPort} out of range`);
  return p;
}

/** Problems with one peer (empty when fine): such a peer is left out, the others run. */
export function checkPeerConfig(peer: PeerConfig): string[] {
  const p: string[] = [];
  if (!parseIp(peer.neighborAddress ?? '')) return [`neighborAddress "${peer.neighborAddress}" is not an IP address`];
  if (!asOk(peer.peerAs)) p.push(`peerAs ${peer.peerAs} is not an AS number`);
  const h = peer.holdTime;
  if (h !== undefined && (!Number.isInteger(h) || h < 0 || h > 65535 || h === 1 || h === 2)) p.push(`holdTime ${h} must be 0 or 3..65535`);
  if (peer.password) p.push('TCP MD5 passwords are not supported by this speaker (Node cannot set TCP_MD5SIG)');
  const m = peer.maxPrefixes;
  if (m !== undefined && (!Number.isInteger(m) || m < 1 || m > 0xffffffff)) p.push(`maxPrefixes ${m} must be a positive integer`);
  return p;
}

/** Every problem of a speaker config, global and per peer (empty when fine). */
export function checkSpeakerConfig(c: SpeakerConfig): string[] {
  const p = checkGlobalConfig(c);
  const seen = new Set<string>();
  for (const peer of c.peers ?? []) {
    const name = peer.neighborAddress;
    const own = checkPeerConfig(peer);
    if (own[0]?.startsWith('neighborAddress')) { p.push(`peer "${name}": ${own[0]}`); continue; }
    const key = ipToString(parseIp(name)!);
    if (seen.has(key)) own.unshift('configured twice');
    seen.add(key);
    for (const x of own) p.push(`peer ${name}: ${x}`);
  }
  return p;
}

export class BgpSpeaker {
  private readonly sessions = new Map<string, PeerSession>();
  private readonly rib = new Map<string, Route>();
  /** Peers left out for their own config problems: neighbor address → why. */
  private readonly rejected = new Map<string, string>();
  private server?: net.Server;
  private readonly log: (m: string) => void;

  constructor(private readonly cfg: SpeakerConfig) {
    const problems = checkGlobalConfig(cfg);
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
    // Each peer stands alone: one with a bad config is left out and reported, never the others.
    for (const p of cfg.peers) {
      const own = checkPeerConfig(p);
      const ip = parseIp(p.neighborAddress ?? '');
      if (ip && this.sessions.has(ipToString(ip))) own.push('configured twice');
      if (own.length || !ip) {
        this.rejected.set(ip ? ipToString(ip) : p.neighborAddress, own.join('; '));
        this.log(`peer ${p.neighborAddress} left out: ${own.join('; ')}`);
        continue;
      }
      this.sessions.set(ipToString(ip), new PeerSession(p, ctx));
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
    return s ? Object.fromEntries(s.adjRibIn.entries()) : undefined;
  }

  /** Why a configured peer is not served (left out for its config, or its session ended for the
   * peer's behaviour), by canonical neighbor address. */
  problems(): Record<string, PeerProblem> {
    const out: Record<string, PeerProblem> = {};
    for (const [addr, message] of this.rejected) out[addr] = { reason: 'BgpPeerRejected', message };
    for (const [addr, s] of this.sessions) if (s.problem) out[addr] = s.problem;
    return out;
  }

  /** Prefixes waiting to be sent, per neighbor (bounded by our own RIB). */
  pending(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [addr, s] of this.sessions) out[addr] = s.pending;
    return out;
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
