// Path attribute values and their wire encoding (RFC 4271 4.3, RFC 4760, RFC 6793).
// Decoding with RFC 7606 error handling lives in updateDecode.ts.
import { Ip } from '@openelb/core/address/ip';
import { AS_TRANS, Attr, AsPathSegment as Seg, Flag } from './constants';
import { Prefix, addressBytes, encodePrefixes } from './prefix';

export interface AsPathSegment { type: number; asns: number[] }

export interface MpReach { afi: number; safi: number; nextHops: Ip[]; nlri: Prefix[] }
export interface MpUnreach { afi: number; safi: number; withdrawn: Prefix[] }

export interface PathAttributes {
  origin?: number;
  asPath?: AsPathSegment[];
  /** AS4_PATH, only present between a 4-octet speaker and a 2-octet one. */
  as4Path?: AsPathSegment[];
  /** IPv4 NEXT_HOP as a 32-bit value. */
  nextHop?: bigint;
  med?: number;
  localPref?: number;
  atomicAggregate?: boolean;
  communities?: number[];
  mpReach?: MpReach;
  mpUnreach?: MpUnreach;
  /** Attributes we carry but do not interpret. */
  other: { flags: number; type: number; value: Uint8Array }[];
}

/** Flags each known attribute must carry (optional and transitive bits only). */
export const EXPECTED_FLAGS: Record<number, number> = {
  [Attr.ORIGIN]: Flag.TRANSITIVE,
  [Attr.AS_PATH]: Flag.TRANSITIVE,
  [Attr.NEXT_HOP]: Flag.TRANSITIVE,
  [Attr.MED]: Flag.OPTIONAL,
  [Attr.LOCAL_PREF]: Flag.TRANSITIVE,
  [Attr.ATOMIC_AGGREGATE]: Flag.TRANSITIVE,
  [Attr.AGGREGATOR]: Flag.OPTIONAL | Flag.TRANSITIVE,
  [Attr.COMMUNITIES]: Flag.OPTIONAL | Flag.TRANSITIVE,
  [Attr.MP_REACH_NLRI]: Flag.OPTIONAL,
  [Attr.MP_UNREACH_NLRI]: Flag.OPTIONAL,
  [Attr.AS4_PATH]: Flag.OPTIONAL | Flag.TRANSITIVE,
  [Attr.AS4_AGGREGATOR]: Flag.OPTIONAL | Flag.TRANSITIVE,
};

function attr(type: number, value: Uint8Array | number[], flags = EXPECTED_FLAGS[type] ?? Flag.OPTIONAL): number[] {
  const v = [...value];
  if (v.length > 255) return [flags | Flag.EXTENDED_LENGTH, type, v.length >> 8, v.length & 0xff, ...v];
  return [flags, type, v.length, ...v];
}

const be32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

export function encodeAsPath(segments: AsPathSegment[], asnSize: 2 | 4): number[] {
  const out: number[] = [];
  for (const s of segments) {
    // A segment holds at most 255 ASNs; longer runs split into several segments.
    for (let i = 0; i < s.asns.length || (i === 0 && s.asns.length === 0); i += 255) {
      const chunk = s.asns.slice(i, i + 255);
      out.push(s.type, chunk.length);
      for (const a of chunk) {
        if (asnSize === 4) out.push(...be32(a));
        else { const x = a > 0xffff ? AS_TRANS : a; out.push(x >> 8, x & 0xff); }
      }
      if (s.asns.length === 0) break;
    }
  }
  return out;
}

/** Encodes the attribute block. `fourOctetAs` is whether both speakers announced RFC 6793. */
export function encodeAttributes(a: PathAttributes, fourOctetAs: boolean): Uint8Array {
  const out: number[] = [];
  if (a.origin !== undefined) out.push(...attr(Attr.ORIGIN, [a.origin]));
  if (a.asPath !== undefined) {
    out.push(...attr(Attr.AS_PATH, encodeAsPath(a.asPath, fourOctetAs ? 4 : 2)));
    // Towards a 2-octet speaker, the real large ASNs travel in AS4_PATH (RFC 6793 4.2.2).
    const large = a.asPath.some((s) => s.asns.some((x) => x > 0xffff));
    if (!fourOctetAs && large) out.push(...attr(Attr.AS4_PATH, encodeAsPath(a.asPath, 4)));
  }
  if (a.nextHop !== undefined) out.push(...attr(Attr.NEXT_HOP, addressBytes(4, a.nextHop)));
  if (a.med !== undefined) out.push(...attr(Attr.MED, be32(a.med)));
  if (a.localPref !== undefined) out.push(...attr(Attr.LOCAL_PREF, be32(a.localPref)));
  if (a.atomicAggregate) out.push(...attr(Attr.ATOMIC_AGGREGATE, []));
  if (a.communities?.length) out.push(...attr(Attr.COMMUNITIES, a.communities.flatMap(be32)));
  if (a.mpReach) {
    const m = a.mpReach;
    const nh = m.nextHops.flatMap((ip) => [...addressBytes(ip.family, ip.value)]);
    out.push(...attr(Attr.MP_REACH_NLRI, [m.afi >> 8, m.afi & 0xff, m.safi, nh.length, ...nh, 0, ...encodePrefixes(m.nlri)]));
  }
  if (a.mpUnreach) {
    const m = a.mpUnreach;
    out.push(...attr(Attr.MP_UNREACH_NLRI, [m.afi >> 8, m.afi & 0xff, m.safi, ...encodePrefixes(m.withdrawn)]));
  }
  for (const o of a.other) out.push(...attr(o.type, o.value, o.flags & ~Flag.EXTENDED_LENGTH));
  return Uint8Array.from(out);
}

export function asSequence(...asns: number[]): AsPathSegment[] {
  return asns.length ? [{ type: Seg.AS_SEQUENCE, asns }] : [];
}
