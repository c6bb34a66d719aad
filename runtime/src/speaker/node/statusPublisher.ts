// Publishes what this speaker observed and planned (I/O through KubeWrites), writing only on
// change: its condition + Event per layer2/vip Eip, the Node's interfaces annotation, and its
// BgpPeer / BgpConf status entries.
import { describeError, isNotFound } from '../../kube/errors';
import { eipConditions, type EipCondition } from '../plan/eipConditions';
import type { PeerStatusEntry } from './bgpDriver';
import { BGP_CONF_NAME } from './bgpConfig';
import type { EipObj } from './clusterView';
import type { Choice } from './interfaces';
import type { KubeWrites } from './kubeWrites';

/** Rewrite a BgpPeer status at least this often even when only counters moved. */
const PEER_REFRESH_MS = 30_000;

export class StatusPublisher {
  /** Eip name → "ok|message" last reported by Event. */
  private readonly evented = new Map<string, string>();
  private readonly eipBusy = new Set<string>();
  /** BgpPeer name → [signature, time] of the last write. */
  private readonly peerWritten = new Map<string, [string, number]>();
  private confWritten = 'null';
  /** BgpPeer name → "reason|message" of the last Warning Event about it. */
  private readonly peerEvented = new Map<string, string>();
  private bgpBusy = false;
  private annotation?: string;

  constructor(private readonly writes: KubeWrites, private readonly node: string, private readonly log: (m: string) => void) {}

  /** Makes every layer2/vip Eip's condition for this node say whether its interface is usable here. */
  eips(choices: ReadonlyMap<string, Choice>, objects: readonly EipObj[]): void {
    this.eipConditions(eipConditions(this.node, choices, objects));
  }

  /** Writes the conditions the Eips do not carry yet, each with one Event per change. */
  eipConditions(conditions: readonly EipCondition[]): void {
    for (const c of conditions) {
      const { name, ok, reason, message } = c;
      if (this.eipBusy.has(name)) continue;
      const eventKey = `${reason}|${message}`;
      // A condition already in place still gets one Event from this process (after a restart).
      if (c.current && this.evented.get(name) !== undefined) continue;
      this.eipBusy.add(name);
      void (async () => {
        try {
          if (!c.current) await this.writes.setEipCondition(name, ok, message, reason);
          if (this.evented.get(name) !== eventKey) {
            this.evented.set(name, eventKey);
            await this.writes.event({ kind: 'Eip', name, uid: c.uid }, ok ? 'Normal' : 'Warning', reason, `${this.node}: ${message}`);
          }
        } catch (e) {
          if (!isNotFound(e)) this.log(`cannot report on Eip ${name}: ${describeError(e)}`);
        } finally {
          this.eipBusy.delete(name);
        }
      })();
    }
  }

  /** The interfaces annotation last sent to the Node; undefined when none, or the write failed. */
  annotationSent(): string | undefined {
    return this.annotation;
  }

  /** Sends the Node's interfaces annotation (not awaited: the plan counts it sent until it fails). */
  writeAnnotation(value: string): void {
    this.annotation = value;
    this.writes.setInterfacesAnnotation(value).catch((e: unknown) => {
      this.annotation = undefined;
      this.log(`cannot annotate Node ${this.node}: ${describeError(e)}`);
    });
  }

  /** Writes changed BgpPeer statuses (and removes this node's entry from peers it left). */
  async bgp(peers: PeerStatusEntry[], conf: { as: number; routerId: string } | undefined): Promise<void> {
    if (this.bgpBusy) return;
    this.bgpBusy = true;
    try {
      const now = Date.now();
      const seen = new Set<string>();
      for (const p of peers) {
        seen.add(p.peer);
        const { messages: _m, ...state } = p.status.peerState;
        const sig = JSON.stringify([state, p.status.timersState.negotiatedHoldTime]);
        const last = this.peerWritten.get(p.peer);
        if (last && last[0] === sig && now - last[1] < PEER_REFRESH_MS) continue;
        await this.guard(`BgpPeer ${p.peer}`, () => this.writes.setPeerStatus(p.peer, p.status));
        this.peerWritten.set(p.peer, [sig, now]);
      }
      await this.peerEvents(peers);
      for (const name of [...this.peerWritten.keys()]) {
        if (seen.has(name)) continue;
        await this.guard(`BgpPeer ${name}`, () => this.writes.setPeerStatus(name, null));
        this.peerWritten.delete(name);
      }
      const confSig = JSON.stringify(conf ?? null);
      if (confSig !== this.confWritten) {
        await this.guard(`BgpConf ${BGP_CONF_NAME}`, () => this.writes.setConfStatus(BGP_CONF_NAME, conf ?? null));
        this.confWritten = confSig;
      }
    } finally {
      this.bgpBusy = false;
    }
  }

  /** One Warning Event per new problem of a BgpPeer (the status has no field for the why). */
  private async peerEvents(peers: PeerStatusEntry[]): Promise<void> {
    const current = new Set<string>();
    for (const p of peers) {
      if (!p.problem) continue;
      current.add(p.peer);
      const key = `${p.problem.reason}|${p.problem.message}`;
      if (this.peerEvented.get(p.peer) === key) continue;
      this.peerEvented.set(p.peer, key);
      await this.guard(`BgpPeer ${p.peer} (Event)`, () =>
        this.writes.event({ kind: 'BgpPeer', name: p.peer, uid: p.uid }, 'Warning', p.problem!.reason, `${this.node}: ${p.problem!.message}`));
    }
    for (const name of [...this.peerEvented.keys()]) if (!current.has(name)) this.peerEvented.delete(name);
  }

  private async guard(what: string, fn: () => Promise<void>): Promise<void> {
    try { await fn(); } catch (e) { if (!isNotFound(e)) this.log(`cannot write the status of ${what}: ${describeError(e)}`); }
  }
}
