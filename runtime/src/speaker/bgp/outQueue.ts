// What still has to go to one peer, as a dirty set rather than a queue of messages: the newest
// wish per prefix (announce with a next hop, or withdraw). However often routes change while
// the peer is slow, at most one entry per prefix waits, so a peer that stops reading costs us
// no more than the size of our own RIB. take() packs entries into as few UPDATEs as fit:
// announcements sharing attributes (family, next hop) go into one UPDATE up to the maximum
// message size, withdrawals likewise (RFC 4271 4.3 allows any number of NLRI per UPDATE).
import { HEADER_LEN, MAX_MESSAGE_LEN } from './constants';
import { Ip } from '@openelb/core/address/ip';
import { Prefix } from './prefix';
import { PeerView, Route, announceMany, endOfRib, routeKey, withdrawMany } from './routes';
import { UpdateMessage, encodeUpdateBody } from './update';

interface Wish { prefix: Prefix; nextHop?: Ip }

export class OutQueue {
  private readonly dirty = new Map<string, Wish>();
  private readonly endOfRib = new Set<4 | 6>();

  announce(r: Route): void {
    this.dirty.set(routeKey(r.prefix), r); // the route itself is the wish: no copy per entry
  }

  withdraw(p: Prefix): void {
    this.dirty.set(routeKey(p), { prefix: p });
  }

  /** End-of-RIB for `family`, sent once everything queued before it has gone. */
  markEndOfRib(family: 4 | 6): void {
    this.endOfRib.add(family);
  }

  clear(): void {
    this.dirty.clear();
    this.endOfRib.clear();
  }

  /** Prefixes waiting (each at most once). */
  get size(): number {
    return this.dirty.size;
  }

  /**
   * Removes up to `maxEntries` wishes and returns them packed into UPDATEs, then the pending
   * End-of-RIB markers once nothing else waits.
   */
  take(view: PeerView, maxEntries: number, maxLen = MAX_MESSAGE_LEN): UpdateMessage[] {
    const picked: Wish[] = [];
    for (const [key, w] of this.dirty) {
      if (picked.length >= maxEntries) break;
      picked.push(w);
      this.dirty.delete(key);
    }
    const out = packWishes(picked, view, maxLen);
    if (this.dirty.size === 0) {
      for (const f of this.endOfRib) out.push(endOfRib(f));
      this.endOfRib.clear();
    }
    return out;
  }
}

/** Groups wishes by attributes and packs each group into UPDATEs of at most `maxLen` octets. */
export function packWishes(wishes: readonly Wish[], view: PeerView, maxLen = MAX_MESSAGE_LEN): UpdateMessage[] {
  const groups = new Map<string, { nextHop?: Ip; family: 4 | 6; prefixes: Prefix[] }>();
  for (const w of wishes) {
    const key = w.nextHop ? `a${w.nextHop.family}:${w.nextHop.value}` : `w${w.prefix.family}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { nextHop: w.nextHop, family: w.prefix.family, prefixes: [] }));
    g.prefixes.push(w.prefix);
  }
  const out: UpdateMessage[] = [];
  for (const g of groups.values()) {
    const build = (ps: Prefix[]) => (g.nextHop ? announceMany(ps, g.nextHop, view) : withdrawMany(ps, g.family));
    for (const chunk of chunkToFit(g.prefixes, build, view, maxLen)) out.push(build(chunk));
  }
  return out;
}

/** Splits prefixes into runs whose UPDATE (built by `build`) stays within `maxLen` octets. */
function chunkToFit(prefixes: Prefix[], build: (ps: Prefix[]) => UpdateMessage, view: PeerView, maxLen: number): Prefix[][] {
  const ctx = { fourOctetAs: view.negotiated.fourOctetAs };
  // The empty UPDATE's size, plus one octet: an MP attribute over 255 octets needs a 2-octet length.
  const base = HEADER_LEN + encodeUpdateBody(build([]), ctx).length + 1;
  const chunks: Prefix[][] = [];
  let cur: Prefix[] = [];
  let size = base;
  for (const p of prefixes) {
    const cost = 1 + Math.ceil(p.length / 8);
    if (cur.length > 0 && size + cost > maxLen) { chunks.push(cur); cur = []; size = base; }
    cur.push(p);
    size += cost;
  }
  if (cur.length) chunks.push(cur);
  return chunks;
}
