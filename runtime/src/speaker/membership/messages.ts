// What speakers say to each other about membership (pure): the datagram layout and its JSON
// codec. A datagram is one header (who sends, in which life, with which sequence number), one
// protocol message (ping, ack, ping-req, join, join-ack, gossip) and any number of piggybacked
// membership updates. The MAC around the bytes is added by the Seal (seal.ts), not here.

/** What one member believes of another. `left` is a clean stop, `dead` a failure. */
export type MemberState = 'alive' | 'suspect' | 'dead' | 'left';

/** A claim about a member at an incarnation; `by` names who suspects (Lifeguard confirmations). */
export interface Update {
  state: MemberState;
  node: string;
  inc: number;
  by?: string;
}

export type Body =
  | { type: 'ping'; seq: number; target: string }
  | { type: 'ack'; seq: number }
  /** Asks the receiver to ping `target` and forward its ack to us with our `seq`. */
  | { type: 'ping-req'; seq: number; target: string }
  /** A starting member asks for the current incarnations; `nonce` ties the answer to this life. */
  | { type: 'join'; nonce: number }
  /** Part `part` of the answer: every member's state and incarnation the responder knows. */
  | { type: 'join-ack'; nonce: number; part: number; members: Update[] }
  /** Updates only (the payload is the piggyback). */
  | { type: 'gossip' };

export interface Datagram {
  /** Sender's node name, its incarnation now, and a per-life datagram sequence (replay window). */
  from: string;
  inc: number;
  seq: number;
  body: Body;
  updates: Update[];
}

const STATES: ReadonlySet<string> = new Set(['alive', 'suspect', 'dead', 'left']);
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Short keys keep the datagrams small: [state, node, inc, by?]. */
type WireUpdate = [string, string, number, string?];

function wireUpdate(u: Update): WireUpdate {
  return u.by === undefined ? [u.state, u.node, u.inc] : [u.state, u.node, u.inc, u.by];
}

export function encodeDatagram(d: Datagram): Uint8Array {
  const body = d.body.type === 'join-ack' ? { ...d.body, members: d.body.members.map(wireUpdate) } : d.body;
  return encoder.encode(JSON.stringify({ f: d.from, i: d.inc, s: d.seq, b: body, u: d.updates.map(wireUpdate) }));
}

/** The encoded size of one update, to fill a datagram up to the limit without re-encoding it. */
export function updateSize(u: Update): number {
  return encoder.encode(JSON.stringify(wireUpdate(u))).length + 1;
}

const isName = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 253;
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

function readUpdate(x: unknown): Update | undefined {
  if (!Array.isArray(x) || x.length < 3 || x.length > 4) return undefined;
  const [state, node, inc, by] = x as unknown[];
  if (typeof state !== 'string' || !STATES.has(state) || !isName(node) || !isCount(inc)) return undefined;
  if (by !== undefined && !isName(by)) return undefined;
  return { state: state as MemberState, node, inc, ...(by === undefined ? {} : { by }) };
}

function readUpdates(x: unknown): Update[] | undefined {
  if (!Array.isArray(x)) return undefined;
  const out: Update[] = [];
  for (const w of x) {
    const u = readUpdate(w);
    if (!u) return undefined;
    out.push(u);
  }
  return out;
}

function readBody(b: Record<string, unknown>): Body | undefined {
  switch (b.type) {
    case 'ping': case 'ping-req':
      return isCount(b.seq) && isName(b.target) ? { type: b.type, seq: b.seq, target: b.target } : undefined;
    case 'ack': return isCount(b.seq) ? { type: 'ack', seq: b.seq } : undefined;
    case 'join': return isCount(b.nonce) ? { type: 'join', nonce: b.nonce } : undefined;
    case 'join-ack': {
      const members = readUpdates(b.members);
      return members && isCount(b.nonce) && isCount(b.part) ? { type: 'join-ack', nonce: b.nonce, part: b.part, members } : undefined;
    }
    case 'gossip': return { type: 'gossip' };
    default: return undefined;
  }
}

/** The datagram in `bytes`, or undefined when it is not one of ours (malformed, unknown type). */
export function decodeDatagram(bytes: Uint8Array): Datagram | undefined {
  let raw: unknown;
  try { raw = JSON.parse(decoder.decode(bytes)); } catch { return undefined; }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (!isName(r.f) || !isCount(r.i) || !isCount(r.s) || typeof r.b !== 'object' || r.b === null) return undefined;
  const body = readBody(r.b as Record<string, unknown>);
  const updates = readUpdates(r.u);
  return body && updates ? { from: r.f, inc: r.i, seq: r.s, body, updates } : undefined;
}

/** Splits updates into lists that each encode within about `budget` bytes (a join answer). */
export function chunkUpdates(updates: readonly Update[], budget: number): Update[][] {
  const parts: Update[][] = [[]];
  let size = 0;
  for (const u of updates) {
    const s = updateSize(u);
    if (size + s > budget && parts[parts.length - 1].length) { parts.push([]); size = 0; }
    parts[parts.length - 1].push(u);
    size += s;
  }
  return parts;
}
