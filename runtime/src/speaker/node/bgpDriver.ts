// BGP side of the speaker (I/O). Peers that we connect to run one BgpSpeaker each (no listener),
// so adding, changing or removing one BgpPeer leaves the other sessions up; passive peers (they
// connect to us) share one BgpSpeaker listening on the BgpConf's port. A change of AS or router
// id restarts everything. Every speaker originates the same host routes.
import { ipToString, parseIp } from '@openelb/core/address/ip';
import { BgpSpeaker } from '../bgp/speaker';
import type { NodePeerStatus } from '../bgp/status';
import type { BgpPlan, PeerPlan } from './bgpConfig';

type Global = NonNullable<BgpPlan['global']>;

interface Running { key: string; peers: PeerPlan[]; speaker: BgpSpeaker }

export interface PeerStatusEntry { peer: string; neighbor: string; status: NodePeerStatus }

const DEFAULT_PASSIVE_PORT = 179;

export class BgpDriver {
  private global?: Global;
  private readonly active = new Map<string, Running>();
  private passive?: Running;
  /** prefix → next hop, originated on every speaker. */
  private readonly routes = new Map<string, string>();

  constructor(private readonly log: (m: string) => void) {}

  get enabled(): boolean { return !!this.global; }
  get config(): Global | undefined { return this.global; }

  /** Brings the running sessions in line with the plan. */
  async configure(plan: BgpPlan): Promise<void> {
    if (JSON.stringify(plan.global) !== JSON.stringify(this.global)) {
      await this.stopAll();
      this.global = plan.global;
    }
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

  /** Status of every configured peer, keyed by BgpPeer name. */
  status(): PeerStatusEntry[] {
    const out: PeerStatusEntry[] = [];
    for (const r of this.all()) {
      const st = r.speaker.status();
      for (const p of r.peers) {
        const ip = parseIp(p.config.neighborAddress);
        const status = ip ? st[ipToString(ip)] : undefined;
        if (status) out.push({ peer: p.name, neighbor: p.config.neighborAddress, status });
      }
    }
    return out.sort((a, b) => a.peer.localeCompare(b.peer));
  }

  async stop(): Promise<void> {
    await this.stopAll();
    this.global = undefined;
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
      this.log(`BGP peers ${peers.map((p) => p.name).join(', ')}: ${(e as Error).message}`);
      return undefined;
    }
  }

  private async stopAll(): Promise<void> {
    for (const r of this.all()) await r.speaker.stop();
    this.active.clear();
    this.passive = undefined;
  }
}
