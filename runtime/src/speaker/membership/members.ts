// The member table and SWIM's precedence rules (pure). Kubernetes says who may be a member
// (setEligible); claims about anyone else are ignored. Between claims about one member the higher
// incarnation wins; at the same incarnation dead/left beat suspect, which beats alive. Claims
// about ourselves are never accepted: a suspect or dead claim is refuted (swim.ts) with a
// higher incarnation. Every time here is this node's own clock (`now`), never a peer's.
import type { MemberState, Update } from './messages';

export interface Member {
  node: string;
  /** Where to send datagrams ("ip:port"), from the Kubernetes view. */
  addr: string;
  state: MemberState;
  inc: number;
  /** We have heard from or about this member since we started (inc 0 = only Kubernetes knows it). */
  heard: boolean;
  /** Local time of the last state change. */
  since: number;
  suspicion?: { start: number; confirmers: Set<string>; deadline: number };
}

export interface Change { node: string; from: MemberState; to: MemberState; inc: number }

const RANK: Record<MemberState, number> = { alive: 0, suspect: 1, dead: 2, left: 2 };

/** Whether claim `u` overrides what we hold about the member. */
export function overrides(m: Pick<Member, 'state' | 'inc'>, u: Update): boolean {
  if (u.inc !== m.inc) return u.inc > m.inc;
  if (u.state === 'suspect' && m.state === 'suspect') return false;
  return RANK[u.state] > RANK[m.state];
}

export class MemberTable {
  private readonly members = new Map<string, Member>();

  get(node: string): Member | undefined { return this.members.get(node); }
  all(): IterableIterator<Member> { return this.members.values(); }
  get size(): number { return this.members.size; }

  /** Makes the table hold exactly `peers` (name → address); new members start alive at inc 0. */
  setEligible(now: number, peers: ReadonlyMap<string, string>): { added: string[]; removed: string[] } {
    const added: string[] = [];
    const removed: string[] = [];
    for (const [node, addr] of peers) {
      const m = this.members.get(node);
      if (m) m.addr = addr;
      else {
        this.members.set(node, { node, addr, state: 'alive', inc: 0, heard: false, since: now });
        added.push(node);
      }
    }
    for (const node of [...this.members.keys()]) {
      if (!peers.has(node)) { this.members.delete(node); removed.push(node); }
    }
    return { added, removed };
  }

  /** Applies a claim about another member; returns the state change, if any. */
  apply(now: number, u: Update): Change | undefined {
    const m = this.members.get(u.node);
    if (!m) return undefined;
    if (m.state === 'suspect' && u.state === 'suspect' && u.inc === m.inc && u.by && m.suspicion) {
      m.suspicion.confirmers.add(u.by);
      return undefined;
    }
    if (!overrides(m, u)) { m.heard ||= u.inc > 0; return undefined; }
    const from = m.state;
    m.inc = u.inc;
    m.heard = true;
    m.state = u.state;
    if (u.state !== 'suspect') m.suspicion = undefined;
    else m.suspicion = { start: now, confirmers: new Set(u.by ? [u.by] : []), deadline: Infinity };
    if (from === u.state) return undefined;
    m.since = now;
    return { node: m.node, from, to: u.state, inc: u.inc };
  }
}
