// BGP side of the speaker (I/O). Peers that we connect to run one BgpSpeaker each (no listener),
// so adding, changing or removing one BgpPeer leaves the other sessions up; passive peers (they
// connect to us) share one BgpSpeaker listening on the BgpConf's port. A change of AS or router
// id restarts everything. Every speaker originates the same host routes. Each BgpPeer is served
// or refused on its own: a peer the plan rejected, a peer whose listener cannot open, or a
// session ended for the peer's behaviour is reported on that BgpPeer only (status + Event).
import { ipToString, parseIp } from '@openelb/core/address/ip';
import { BgpSpeaker, type PeerProblem } from '../bgp/speaker';
import { newCounters, countersToStrings, type NodePeerStatus } from '../bgp/status';
import type { BgpPlan, PeerPlan } from './bgpConfig';

type Global = NonNullable<BgpPlan['global']>;

interface Running { key: string; peers: PeerPlan[]; speaker: BgpSpeaker }

export type { PeerProblem };

export interface PeerStatusEntry { peer: string; uid?: string; neighbor: string; status: NodePeerStatus; problem?: PeerProblem }

/**
 * Port for passive sessions when the BgpConf sets none. Upstream hands an unset listenPort to
 * GoBGP, which then binds 179; our pods run without NET_BIND_SERVICE, so we use 17900, the
 * port every upstream sample and e2e test configures.
 */
export const DEFAULT_PASSIVE_PORT = 17900;

export class BgpDriver {
  private global?: Global;
  private readonly active = new Map<string, Running>();
  private passive?: Running;
  /** prefix → next hop, originated on every speaker. */
  private readonly routes = new Map<string, string>();
  /** Peers the plan left out, and peers whose speaker could not start: name → why. */
  private readonly notServed = new Map<string, { peer: PeerPlan | { name: string; uid?: string }; problem: PeerProblem }>();

  constructor(private readonly log: (m: string) => void) {}

  get enabled(): boolean { return !!this.global; }
  get config(): Global | undefined { return this.global; }

  /** Brings the running sessions in line with the plan. */
  async configure(plan: BgpPlan): Promise<void> {
    if (JSON.stringify(plan.global) !== JSON.stringify(this.global)) {
      await this.stopAll();
      this.global = plan.global;
    }
    this.notServed.clear();
    for (const r of plan.rejected ?? []) this.notServed.set(r.name, { peer: r, problem: { reason: 'BgpPeerRejected', message: r.reason } });
    const g = this.global;
    if (!g) return;
    const activePeers = plan.peers.filter((p) => !p.config.passive);
    const passivePeers = plan.peers.filter((p) => p.config.passive);
    const wanted = new Map(activePeers.map((p) => [p.name, JSON.stringify(p.config)]));
    for (const [name, r] of [...this.active]) {
      if (wanted.get(name) === r.key) continue;
      await r.speaker.stop();
      this.active.delete(name);
    }
    for (const p of activePeers) {
      if (this.active.has(p.name)) continue;
      const r = await this.launch(JSON.stringify(p.config), [p], 0);
      if (r) this.active.set(p.name, r);
    }
    const passiveKey = JSON.stringify(passivePeers);
    if (this.passive?.key !== passiveKey) {
      await this.passive?.speaker.stop();
      this.passive = undefined;
      if (passivePeers.length) this.passive = await this.launch(passiveKey, passivePeers, g.listenPort || DEFAULT_PASSIVE_PORT);
    }
  }

  /** Originates exactly these routes (prefix → next hop). */
  apply(routes: ReadonlyMap<string, string>): { announced: string[]; withdrawn: string[] } {
    const announced: string[] = [];
    const withdrawn: string[] = [];
    for (const prefix of [...this.routes.keys()]) {
      if (routes.get(prefix) === this.routes.get(prefix)) continue;
      for (const r of this.all()) r.speaker.withdraw(prefix);
      this.routes.delete(prefix);
      withdrawn.push(prefix);
    }
    for (const [prefix, nextHop] of routes) {
      if (this.routes.has(prefix)) continue;
      this.routes.set(prefix, nextHop);
      for (const r of this.all()) this.originate(r.speaker, prefix, nextHop);
      announced.push(prefix);
    }
    return { announced, withdrawn };
  }

  routesAnnounced(): Map<string, string> { return new Map(this.routes); }

  /** Status of every selected BgpPeer, keyed by BgpPeer name, with why it is not served. */
  status(): PeerStatusEntry[] {
    const out: PeerStatusEntry[] = [];
    for (const r of this.all()) {
      const st = r.speaker.status();
      const problems = r.speaker.problems();
      for (const p of r.peers) {
        const ip = parseIp(p.config.neighborAddress);
        const key = ip ? ipToString(ip) : p.config.neighborAddress;
        const status = st[key] ?? this.downStatus(p.config);
        out.push({ peer: p.name, uid: p.uid, neighbor: p.config.neighborAddress, status, problem: problems[key] });
      }
    }
    for (const { peer, problem } of this.notServed.values()) {
      const config = 'config' in peer ? peer.config : undefined;
      out.push({ peer: peer.name, uid: peer.uid, neighbor: config?.neighborAddress ?? '', status: this.downStatus(config), problem });
    }
    return out.sort((a, b) => a.peer.localeCompare(b.peer));
  }

  async stop(): Promise<void> {
    await this.stopAll();
    this.global = undefined;
    this.notServed.clear();
  }

  private all(): Running[] {
    return [...this.active.values(), ...(this.passive ? [this.passive] : [])];
  }

  private originate(s: BgpSpeaker, prefix: string, nextHop: string): void {
    try { s.announce(prefix, nextHop); } catch (e) { this.log(`cannot announce ${prefix} via ${nextHop}: ${(e as Error).message}`); }
  }

  private async launch(key: string, peers: PeerPlan[], listenPort: number): Promise<Running | undefined> {
    const g = this.global!;
    try {
      const speaker = new BgpSpeaker({ localAs: g.localAs, routerId: g.routerId, listenPort, peers: peers.map((p) => p.config), log: this.log });
      for (const [prefix, nh] of this.routes) this.originate(speaker, prefix, nh);
      await speaker.start();
      return { key, peers, speaker };
    } catch (e) {
      const message = listenPort ? listenFailure(listenPort, e as Error) : (e as Error).message;
      this.log(`BGP peers ${peers.map((p) => p.name).join(', ')}: ${message}`);
      for (const p of peers) this.notServed.set(p.name, { peer: p, problem: { reason: 'BgpListenFailed', message } });
      return undefined;
    }
  }

  /** A BgpPeer with no session: IDLE, administratively down. */
  private downStatus(cfg: PeerPlan['config'] | undefined): NodePeerStatus {
    const zero = countersToStrings(newCounters());
    return {
      peerState: {
        neighborAddress: cfg?.neighborAddress ?? '', peerAs: cfg?.peerAs ?? 0, localAs: this.global?.localAs ?? 0,
        sessionState: 'IDLE', adminState: 'DOWN', flops: 0, messages: { received: zero, sent: zero },
      },
      timersState: { connectRetry: String(cfg?.connectRetryTime ?? 5), holdTime: String(cfg?.holdTime ?? 90), keepaliveInterval: String(cfg?.keepalive ?? Math.floor((cfg?.holdTime ?? 90) / 3)) },
    };
  }

  private async stopAll(): Promise<void> {
    for (const r of this.all()) await r.speaker.stop();
    this.active.clear();
    this.passive = undefined;
  }
}

function listenFailure(port: number, e: Error & { code?: string }): string {
  if (e.code === 'EACCES') return `cannot listen on port ${port} for passive peers: ports below 1024 need NET_BIND_SERVICE; set BgpConf default spec.listenPort to 1024 or above (17900 is OpenELB's usual port) and point the router there`;
  if (e.code === 'EADDRINUSE') return `cannot listen on port ${port} for passive peers: another process on this node uses it; set another BgpConf default spec.listenPort`;
  return `cannot start the BGP listener on port ${port}: ${e.message}`;
}
