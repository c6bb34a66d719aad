// The speaker's side of gossip membership (I/O): reads the key Secret, runs a GossipNode on the
// gossip port, gives it the Kubernetes view (nodes with a speaker pod, at their InternalIP) and
// keeps the death declarations this node must write to its Lease (plan/membershipView.ts) for
// DECLARATION_TTL_MS. No key (Secret missing or forbidden): the speaker logs why and judges
// liveness by its Leases alone, as before gossip (runSpeaker.ts).
import { CoreV1Api, type KubeConfig, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { describeError, isNotFound } from '../../kube/errors';
import { GossipNode } from '../membership/gossipNode';
import type { GossipView } from '../plan/membershipView';
import { internalIps } from './clusterView';
import { GOSSIP_SECRET, GOSSIP_SECRET_KEY, runtimePodLabels } from './liveness';
import { monotonicNow } from './scheduler';

/** A declaration stays on our Lease this long, then goes at a later renewal. */
export const DECLARATION_TTL_MS = 60_000;
/** gossipHealthy() is time-based (no event when it turns): checked this often. */
const HEALTH_POLL_MS = 200;
/** While gossip is unhealthy, its counters are logged this often. */
const UNHEALTHY_REPORT_MS = 5000;
/** The speaker pods, as the DaemonSet labels them (ops/manifests.ts). */
export const SPEAKER_POD_LABELS = runtimePodLabels('speaker');
export const REQUEST_TIMEOUT_MS = 5000;

export interface GossipLinkOptions {
  namespace: string;
  node: string;
  port: number;
  log: (m: string) => void;
  /** Gossip membership or health changed: plan again. */
  onChange: () => void;
}

/** Rejects after `ms` (the request may go on; its answer is ignored). */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { t = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

/** The gossip key from the Secret, or why there is none (never the key itself in a message). */
export async function readGossipKey(kc: KubeConfig, namespace: string): Promise<{ key?: Uint8Array; problem?: string }> {
  try {
    const s = await withTimeout(kc.makeApiClient(CoreV1Api).readNamespacedSecret({ name: GOSSIP_SECRET, namespace }), REQUEST_TIMEOUT_MS, 'reading the gossip Secret');
    const b64 = s.data?.[GOSSIP_SECRET_KEY];
    const key = b64 ? Buffer.from(b64, 'base64') : undefined;
    if (!key || key.length < 16) return { problem: `Secret ${namespace}/${GOSSIP_SECRET} has no '${GOSSIP_SECRET_KEY}' of at least 16 bytes` };
    return { key: new Uint8Array(key) };
  } catch (e) {
    return { problem: isNotFound(e) ? `Secret ${namespace}/${GOSSIP_SECRET} not found (run openelb deploy)` : `cannot read Secret ${namespace}/${GOSSIP_SECRET}: ${describeError(e)}` };
  }
}

/** Nodes running a speaker pod (not being deleted, not finished) → their first InternalIP. */
export function speakerMembers(pods: readonly V1Pod[], nodes: readonly V1Node[]): Map<string, string> {
  const ip = new Map(nodes.map((n) => {
    const addrs = internalIps(n);
    return [n.metadata?.name ?? '', addrs.find((a) => !a.includes(':')) ?? addrs[0]];
  }));
  const out = new Map<string, string>();
  for (const p of pods) {
    const labels = p.metadata?.labels ?? {};
    if (!Object.entries(SPEAKER_POD_LABELS).every(([k, v]) => labels[k] === v)) continue;
    if (p.metadata?.deletionTimestamp || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
    const node = p.spec?.nodeName;
    const addr = node ? ip.get(node) : undefined;
    if (node && addr) out.set(node, addr);
  }
  return out;
}

export class GossipLink {
  private peersKey = '';
  private members: string[] = [];
  private readonly declared = new Map<string, { inc: number; at: number }>();
  private lastHealthy = true;
  private lastCountsAt = 0;
  private readonly poll: NodeJS.Timeout;
  /** Our first incarnation of this life: refutations raise it; a restart starts above it. */
  private readonly lifeIncarnation: number;

  private constructor(readonly gossip: GossipNode, private readonly o: GossipLinkOptions) {
    this.lifeIncarnation = gossip.swim.incarnation;
    this.poll = setInterval(() => this.checkHealth(), HEALTH_POLL_MS);
    this.poll.unref();
  }

  /** Starts gossip with the key (readGossipKey) on `bindAddress` ("0.0.0.0", "::"). */
  static async start(key: Uint8Array, o: GossipLinkOptions, bindAddress: string): Promise<GossipLink> {
    const gossip = new GossipNode({ node: o.node, bindAddress, port: o.port, keys: [key], log: o.log, onChange: () => o.onChange() });
    await gossip.start();
    o.log(`gossip membership on UDP ${o.port}${gossip.bindFailure ? ` (not bound: ${gossip.bindFailure})` : ''}`);
    return new GossipLink(gossip, o);
  }

  /** The Kubernetes view; the gossip peers change only when it does. Returns the member names. */
  setView(pods: readonly V1Pod[], nodes: readonly V1Node[]): readonly string[] {
    const m = speakerMembers(pods, nodes);
    const key = JSON.stringify([...m].sort());
    if (key !== this.peersKey) {
      this.peersKey = key;
      this.members = [...m.keys()].sort();
      this.gossip.setPeers(m);
    }
    return this.members;
  }

  /** Waits (up to `ms`) for a peer's join answer, so the first plan does not start in doubt
   * merely because nobody answered yet (an answer takes one round trip). Alone, or with no
   * answer in time (peers down), it goes on: a longer wait would delay a restarted speaker. */
  async settle(ms = 250): Promise<void> {
    const until = monotonicNow() + ms;
    while (this.members.length > 0 && !(this.gossip.swim.isSynced && this.gossip.gossipHealthy()) && monotonicNow() < until) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  view(): GossipView {
    const s = this.gossip.swim;
    return {
      healthy: this.gossip.gossipHealthy(),
      incarnation: s.incarnation,
      lifeIncarnation: this.lifeIncarnation,
      members: s.members().map((m) => ({ node: m.node, state: m.state, heard: m.heard, inc: m.inc })),
    };
  }

  /** Adds the declarations due; true when one is new (write the Lease now). */
  declare(duties: readonly { node: string; inc: number }[], now = monotonicNow()): boolean {
    let added = false;
    for (const d of duties) {
      const had = this.declared.get(d.node);
      if (had?.inc === d.inc) continue;
      this.declared.set(d.node, { inc: d.inc, at: now });
      added = true;
    }
    return added;
  }

  /** The declared-dead annotation value for the next Lease write ('' when none is current). */
  declarations(now = monotonicNow()): string {
    for (const [n, d] of this.declared) if (now - d.at > DECLARATION_TTL_MS) this.declared.delete(n);
    return [...this.declared].map(([n, d]) => `${n}@${d.inc}`).sort().join(',');
  }

  stats(): { alive: number; suspect: number; dead: number; badMac: number; dropped: number } {
    const ms = this.gossip.swim.members();
    const count = (st: string) => ms.filter((m) => m.heard && m.state === st).length;
    return { alive: count('alive'), suspect: count('suspect'), dead: count('dead') + count('left'), badMac: this.gossip.swim.stats.badMac, dropped: this.gossip.io.dropped };
  }

  healthy(): boolean { return this.gossip.gossipHealthy(); }

  /** Clean stop: every member hears `left` before we release the Lease. */
  async leave(): Promise<void> {
    clearInterval(this.poll);
    await this.gossip.leave();
  }

  close(): void {
    clearInterval(this.poll);
    this.gossip.close();
  }

  private checkHealth(): void {
    const h = this.gossip.gossipHealthy();
    if (h === this.lastHealthy) {
      // While unhealthy, say every few seconds what arrives, so a wrong key (bad MAC), a blocked
      // port (nothing received) and a send failure can be told apart.
      if (!h && monotonicNow() - this.lastCountsAt >= UNHEALTHY_REPORT_MS) this.reportCounts('gossip still unhealthy');
      return;
    }
    this.lastHealthy = h;
    if (h) this.o.log('gossip healthy again');
    else this.reportCounts('gossip unhealthy: no valid datagram from any peer lately (gossip port blocked? node cut off?)');
    this.o.onChange();
  }

  private reportCounts(what: string): void {
    this.lastCountsAt = monotonicNow();
    const s = this.gossip.swim.stats;
    const io = this.gossip.io;
    this.o.log(`${what}; so far ${s.received} valid datagrams received, ${s.badMac} with a bad MAC (another key?), ${s.replayed} replayed or from an older life, `
      + `${s.malformed + s.misdirected} malformed or misdirected; ${s.sent} sent, ${io.sendErrors} send errors, ${io.dropped} dropped`);
  }
}
