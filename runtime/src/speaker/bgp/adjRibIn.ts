// Routes a peer sent us. This speaker only announces: received routes are never installed
// and drive no decision, so they are kept for status and tests only, and never beyond a
// bound. A peer that goes over the bound in one family gets what RFC 4486 defines for that:
// Cease / Maximum Number of Prefixes Reached, with AFI, SAFI and the bound as data.
import { formatIp } from '@openelb/core/address/ip';
import { Afi, CeaseSub, ErrCode, Safi } from './constants';
import { BgpError } from './errors';
import { formatPrefix } from './prefix';
import { DecodedUpdate, announcedPrefixes, withdrawnPrefixes } from './update';

/** Prefixes kept per family by default: a router that sends a LoadBalancer speaker more is
 * misconfigured (it should export nothing, or a default route, to it). */
export const DEFAULT_MAX_PREFIXES = 10_000;

export class AdjRibIn {
  private readonly routes = { 4: new Map<string, string>(), 6: new Map<string, string>() };

  constructor(readonly maxPrefixes = DEFAULT_MAX_PREFIXES) {}

  get size(): number {
    return this.routes[4].size + this.routes[6].size;
  }

  entries(): [string, string][] {
    return [...this.routes[4], ...this.routes[6]];
  }

  clear(): void {
    this.routes[4].clear();
    this.routes[6].clear();
  }

  /**
   * Applies one UPDATE. Returns the Cease to send when it would take a family over the
   * bound; the prefixes past the bound are not stored.
   */
  apply(d: DecodedUpdate): BgpError | undefined {
    for (const p of withdrawnPrefixes(d.update)) this.routes[p.family].delete(formatPrefix(p));
    const a = d.update.attrs;
    for (const p of announcedPrefixes(d.update)) {
      const table = this.routes[p.family];
      const key = formatPrefix(p);
      if (d.treatAsWithdraw) { table.delete(key); continue; }
      if (!table.has(key) && table.size >= this.maxPrefixes) return this.limitError(p.family);
      const nh = p.family === 4
        ? (a.nextHop !== undefined ? formatIp(4, a.nextHop) : '')
        : (a.mpReach?.nextHops[0] ? formatIp(6, a.mpReach.nextHops[0].value) : '');
      table.set(key, nh);
    }
    return undefined;
  }

  private limitError(family: 4 | 6): BgpError {
    const n = this.maxPrefixes >>> 0;
    const afi = family === 4 ? Afi.IPV4 : Afi.IPV6;
    // RFC 4486 4: AFI (2 octets), SAFI (1 octet), the upper bound (4 octets).
    const data = Uint8Array.of(afi >> 8, afi & 0xff, Safi.UNICAST, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
    return new BgpError(ErrCode.CEASE, CeaseSub.MAX_PREFIXES,
      `peer sent more than ${this.maxPrefixes} IPv${family} prefixes`, data);
  }
}
