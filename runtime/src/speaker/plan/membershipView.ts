// The live speakers while gossip membership runs (pure, time passed in). Kubernetes says who
// may be a member (a node with a speaker pod); gossip says who is alive now. A node is *in doubt*
// when gossip is not healthy here, or when it holds at least half of the other members suspect or
// dead (for two nodes: the other one): then it cannot tell "they died" from "I am cut off", so it
// writes its own Lease, watches the speaker Leases (node/membershipLink.ts) and decides, first
// rule that applies:
//   (a) a peer's Lease declares this node dead at its current life → the others are alive and
//       hold it dead: it counts itself out until gossip is healthy again;
//   (b) a peer's Lease changed after doubt began → that peer is alive but gossip cannot reach it:
//       live = those seen changing (until their Lease lapses) ∪ gossip alive ∪ self;
//   (c) DOUBT_DECIDE_MS after doubt began with neither → gossip's dead verdicts stand (a member
//       gossip never heard from has no verdict: it stays while its Lease is there, unlapsed);
//   before that it keeps the live set it had (takes over nothing new).
// Members not in doubt that see gossip declare X dead: the two alive members after X in sorted
// order write `X@incarnation` to their own Lease (declarationDuties), so a node cut off from its
// peers but not from the API server learns it is out in one write + watch delivery.
import type { Sightings } from './liveSet';

export const DOUBT_DECIDE_MS = 600;
export const DECLARERS = 2;

export type GossipState = 'alive' | 'suspect' | 'dead' | 'left';

export interface GossipMemberView {
  readonly node: string;
  readonly state: GossipState;
  /** Heard from or about since we started (a member only Kubernetes knows is not live). */
  readonly heard: boolean;
  readonly inc: number;
}

export interface GossipView {
  /** gossipHealthy(): the port is bound and valid datagrams arrive. */
  readonly healthy: boolean;
  /** Our incarnation now, and the first of this life (declarations of older lives are stale). */
  readonly incarnation: number;
  readonly lifeIncarnation: number;
  /** The other members as gossip holds them. */
  readonly members: readonly GossipMemberView[];
}

/** `by`'s Lease says gossip held `node` dead at incarnation `inc`. */
export interface Declaration { readonly by: string; readonly node: string; readonly inc: number }

export interface DoubtState {
  /** When doubt began (our monotonic clock). */
  readonly since: number;
  /** The live set just before: kept while undecided, so nothing new is taken over. */
  readonly liveBefore: readonly string[];
  /** When the speaker Lease watch first listed after doubt began: later changes prove life. */
  readonly baselineAt?: number;
  /** Rule (a) applied once: out until doubt ends (the declarations expire; the verdict does not). */
  readonly countedOut: boolean;
}

export interface MembershipObservation {
  /** Nodes with a speaker pod (the Kubernetes view), self included or not. */
  readonly members: readonly string[];
  /** The view holds this node's own speaker pod. Until it does (the pod watch has not listed yet,
   * or listed nothing), nobody else is known: standing alone would take every address. */
  readonly viewReady?: boolean;
  readonly gossip: GossipView;
  /** Set while in doubt (nextDoubt). */
  readonly doubt?: DoubtState;
  /** The speaker Leases, recorded only while in doubt (the watch runs only then). */
  readonly sightings?: Sightings;
  readonly declarations: readonly Declaration[];
}

export type MembershipRule = 'gossip' | 'undecided' | 'counted-out' | 'lease' | 'gossip-verdict' | 'view-incomplete';

export interface MembershipVerdict {
  readonly live: ReadonlySet<string>;
  readonly rule: MembershipRule;
}

function others(node: string, members: readonly string[]): string[] {
  return members.filter((m) => m !== node);
}

/** Gossip's live members (heard, alive or suspect) and self, within the Kubernetes view. */
export function gossipLive(node: string, members: readonly string[], g: GossipView): Set<string> {
  const ok = new Set(g.members.filter((m) => m.heard && (m.state === 'alive' || m.state === 'suspect')).map((m) => m.node));
  return new Set([node, ...members.filter((m) => ok.has(m))]);
}

/** Whether this node is in doubt (header). A member that left said so itself: no doubt. */
export function inDoubt(node: string, members: readonly string[], g: GossipView): boolean {
  if (!g.healthy) return true;
  const peers = others(node, members);
  if (peers.length === 0) return false;
  const byName = new Map(g.members.map((m) => [m.node, m]));
  const bad = peers.filter((p) => {
    const m = byName.get(p);
    return !m || m.state === 'suspect' || m.state === 'dead' || !m.heard;
  }).length;
  return bad * 2 >= peers.length;
}

/** The doubt state after this observation: begun, kept (with its baseline and verdict), or ended. */
export function nextDoubt(node: string, o: Omit<MembershipObservation, 'doubt'>, prev: DoubtState | undefined,
  liveBefore: readonly string[], leasesListed: boolean, now: number): DoubtState | undefined {
  if (!inDoubt(node, o.members, o.gossip)) return undefined;
  const d: DoubtState = prev ?? { since: now, liveBefore: [...liveBefore].sort(), countedOut: false };
  const baselineAt = d.baselineAt ?? (leasesListed ? now : undefined);
  const countedOut = d.countedOut || declaredDead(node, o.gossip, o.declarations);
  return baselineAt === d.baselineAt && countedOut === d.countedOut ? d : { ...d, baselineAt, countedOut };
}

/** A peer declared this life of ours dead (older lives' declarations are stale). */
export function declaredDead(node: string, g: GossipView, ds: readonly Declaration[]): boolean {
  return ds.some((d) => d.node === node && d.by !== node && d.inc >= g.lifeIncarnation && d.inc <= g.incarnation);
}

/** Peers whose Lease changed after the doubt baseline and has not lapsed since. */
export function seenChanging(node: string, d: DoubtState, s: Sightings | undefined): Set<string> {
  const out = new Set<string>();
  if (!s || d.baselineAt === undefined) return out;
  for (const [n, x] of s.nodes) if (n !== node && x.seenAt > d.baselineAt && !x.lapsed) out.add(n);
  return out;
}

/** Who stands in the elections, and by which rule (header). */
export function membershipView(node: string, o: MembershipObservation, now: number): MembershipVerdict {
  const members = new Set([node, ...o.members]);
  const viaGossip = gossipLive(node, [...members], o.gossip);
  if (o.viewReady === false) return { live: new Set([...viaGossip].filter((n) => n !== node)), rule: 'view-incomplete' };
  const d = o.doubt;
  if (!d) return { live: viaGossip, rule: 'gossip' };
  if (d.countedOut || declaredDead(node, o.gossip, o.declarations)) {
    return { live: new Set([...viaGossip].filter((n) => n !== node)), rule: 'counted-out' };
  }
  const changing = seenChanging(node, d, o.sightings);
  if (changing.size > 0) {
    return { live: new Set([...viaGossip, ...[...changing].filter((n) => members.has(n))]), rule: 'lease' };
  }
  if (now - d.since >= DOUBT_DECIDE_MS) return { live: new Set([...viaGossip, ...unheardStillLeased(d, o, members)]), rule: 'gossip-verdict' };
  return { live: new Set([...viaGossip, ...d.liveBefore.filter((n) => members.has(n))]), rule: 'undecided' };
}

/** Members of the set before doubt that gossip never heard from (no verdict exists on them: a
 * speaker that just started and cannot reach them yet) and whose Lease the watch still shows
 * unlapsed. A never-heard member whose Lease is gone or lapsed is not kept. */
function unheardStillLeased(d: DoubtState, o: MembershipObservation, members: ReadonlySet<string>): string[] {
  const heard = new Set(o.gossip.members.filter((m) => m.heard).map((m) => m.node));
  const s = o.sightings;
  if (!s || d.baselineAt === undefined) return [];
  return d.liveBefore.filter((n) => members.has(n) && !heard.has(n) && s.nodes.has(n) && !s.nodes.get(n)!.lapsed);
}

/**
 * The members gossip holds dead that this node must declare: for each, the first DECLARERS
 * gossip-live members after it in sorted-name order (wrapping). Not while in doubt: a node that
 * may be the cut-off one must not declare the others dead.
 */
export function declarationDuties(node: string, o: MembershipObservation): { node: string; inc: number }[] {
  if (o.doubt) return [];
  const all = [...new Set([node, ...o.members])].sort();
  const live = gossipLive(node, all, o.gossip);
  const out: { node: string; inc: number }[] = [];
  for (const m of o.gossip.members) {
    if (m.state !== 'dead' || !all.includes(m.node)) continue;
    const i = all.indexOf(m.node);
    const after = [...all.slice(i + 1), ...all.slice(0, i)].filter((n) => live.has(n)).slice(0, DECLARERS);
    if (after.includes(node)) out.push({ node: m.node, inc: m.inc });
  }
  return out;
}
