// UPDATE message body (RFC 4271 4.3) encode/decode with RFC 7606 revised error handling:
// attribute errors that leave the NLRI parseable become 'treat-as-withdraw' or
// 'attribute-discard'; only framing-level damage resets the session.
import { Family } from '@openelb/core/address/ip';
import { Afi, Attr, ErrCode, Flag, Origin, Safi, UpdateSub } from './constants';
import { BgpError } from './errors';
import { AsPathSegment, EXPECTED_FLAGS, MpReach, MpUnreach, PathAttributes, encodeAttributes } from './attributes';
import { Prefix, bytesToBigint, decodePrefixes, encodePrefixes } from './prefix';

export interface UpdateMessage {
  withdrawn: Prefix[];
  attrs: PathAttributes;
  nlri: Prefix[];
}

export interface DecodedUpdate {
  update: UpdateMessage;
  /** Set when RFC 7606 says: keep the session but treat every NLRI of this UPDATE as withdrawn. */
  treatAsWithdraw?: BgpError;
  /** Attributes dropped under 'attribute-discard'. */
  discarded: BgpError[];
}

export interface UpdateContext { fourOctetAs: boolean }

export function encodeUpdateBody(u: UpdateMessage, ctx: UpdateContext): Uint8Array {
  const w = encodePrefixes(u.withdrawn);
  const a = encodeAttributes(u.attrs, ctx.fourOctetAs);
  const n = encodePrefixes(u.nlri);
  const out = new Uint8Array(4 + w.length + a.length + n.length);
  out[0] = w.length >> 8; out[1] = w.length & 0xff;
  out.set(w, 2);
  out[2 + w.length] = a.length >> 8; out[3 + w.length] = a.length & 0xff;
  out.set(a, 4 + w.length);
  out.set(n, 4 + w.length + a.length);
  return out;
}

const upd = (sub: number, msg: string, data?: Uint8Array, action: BgpError['action'] = 'session-reset') =>
  new BgpError(ErrCode.UPDATE, sub, msg, data, action);

function familyOf(afi: number, safi: number): Family | undefined {
  if (safi !== Safi.UNICAST) return undefined;
  return afi === Afi.IPV4 ? 4 : afi === Afi.IPV6 ? 6 : undefined;
}

function decodeAsPath(v: Uint8Array, size: 2 | 4): AsPathSegment[] | undefined {
  const segs: AsPathSegment[] = [];
  let i = 0;
  while (i < v.length) {
    if (i + 2 > v.length) return undefined;
    const type = v[i];
    const count = v[i + 1];
    i += 2;
    // Types 1..4: AS_SET, AS_SEQUENCE and the two confederation types (RFC 5065).
    if (type < 1 || type > 4 || count === 0 || i + count * size > v.length) return undefined;
    const asns: number[] = [];
    for (let k = 0; k < count; k++, i += size) {
      asns.push(size === 2 ? (v[i] << 8) | v[i + 1] : ((v[i] << 24) | (v[i + 1] << 16) | (v[i + 2] << 8) | v[i + 3]) >>> 0);
    }
    segs.push({ type, asns });
  }
  return segs;
}

function decodeMpReach(v: Uint8Array, raw: Uint8Array): MpReach | undefined {
  const bad = (m: string) => upd(UpdateSub.OPTIONAL_ATTR, `MP_REACH_NLRI: ${m}`, raw);
  if (v.length < 5) throw bad('too short');
  const afi = (v[0] << 8) | v[1];
  const safi = v[2];
  const nhLen = v[3];
  if (5 + nhLen > v.length) throw bad('next hop overruns the attribute');
  const family = familyOf(afi, safi);
  if (!family) return undefined; // a family we did not negotiate: ignore it
  const nh = v.subarray(4, 4 + nhLen);
  const size = family === 4 ? 4 : 16;
  // IPv6 carries a global and optionally a link-local next hop (RFC 2545).
  if (nhLen !== size && !(family === 6 && nhLen === 32)) throw bad(`next hop length ${nhLen}`);
  const nextHops = [];
  for (let i = 0; i < nhLen; i += size) nextHops.push({ family, value: bytesToBigint(nh.subarray(i, i + size)) });
  return { afi, safi, nextHops, nlri: decodePrefixes(v.subarray(5 + nhLen), family) };
}

function decodeMpUnreach(v: Uint8Array, raw: Uint8Array): MpUnreach | undefined {
  if (v.length < 3) throw upd(UpdateSub.OPTIONAL_ATTR, 'MP_UNREACH_NLRI too short', raw);
  const afi = (v[0] << 8) | v[1];
  const safi = v[2];
  const family = familyOf(afi, safi);
  if (!family) return undefined;
  return { afi, safi, withdrawn: decodePrefixes(v.subarray(3), family) };
}

/** Decodes an UPDATE body. Throws BgpError only when the session must be reset. */
export function decodeUpdateBody(b: Uint8Array, ctx: UpdateContext): DecodedUpdate {
  if (b.length < 4) throw upd(UpdateSub.MALFORMED_ATTR_LIST, 'UPDATE body shorter than 4 octets');
  const wLen = (b[0] << 8) | b[1];
  if (2 + wLen + 2 > b.length) throw upd(UpdateSub.MALFORMED_ATTR_LIST, 'withdrawn routes length overruns the message');
  const withdrawn = decodePrefixes(b.subarray(2, 2 + wLen), 4);
  const aLen = (b[2 + wLen] << 8) | b[3 + wLen];
  const aStart = 4 + wLen;
  if (aStart + aLen > b.length) throw upd(UpdateSub.MALFORMED_ATTR_LIST, 'path attribute length overruns the message');
  const nlri = decodePrefixes(b.subarray(aStart + aLen), 4);

  const attrs: PathAttributes = { other: [] };
  const out: DecodedUpdate = { update: { withdrawn, attrs, nlri }, discarded: [] };
  const withdraw = (e: BgpError) => { out.treatAsWithdraw ??= e; };
  const seen = new Set<number>();
  const block = b.subarray(aStart, aStart + aLen);
  let i = 0;
  while (i < block.length) {
    const flags = block[i];
    const ext = (flags & Flag.EXTENDED_LENGTH) !== 0;
    const hdr = ext ? 4 : 3;
    if (i + hdr > block.length) {
      withdraw(upd(UpdateSub.MALFORMED_ATTR_LIST, 'truncated attribute header', undefined, 'treat-as-withdraw'));
      break;
    }
    const type = block[i + 1];
    const len = ext ? (block[i + 2] << 8) | block[i + 3] : block[i + 2];
    const raw = block.subarray(i, Math.min(i + hdr + len, block.length));
    if (i + hdr + len > block.length) {
      // RFC 7606 4: an overrunning attribute length means treat-as-withdraw.
      withdraw(upd(UpdateSub.ATTR_LENGTH, `attribute ${type} overruns the attribute block`, raw, 'treat-as-withdraw'));
      break;
    }
    const v = block.subarray(i + hdr, i + hdr + len);
    i += hdr + len;

    if (seen.has(type)) {
      // RFC 7606 3.g: repeated MP_REACH/MP_UNREACH reset the session; others keep the first.
      if (type === Attr.MP_REACH_NLRI || type === Attr.MP_UNREACH_NLRI) {
        throw upd(UpdateSub.MALFORMED_ATTR_LIST, `attribute ${type} appears twice`);
      }
      continue;
    }
    seen.add(type);

    const expected = EXPECTED_FLAGS[type];
    if (expected !== undefined && (flags & (Flag.OPTIONAL | Flag.TRANSITIVE)) !== expected) {
      const e = upd(UpdateSub.ATTR_FLAGS, `attribute ${type} has flags 0x${flags.toString(16)}`, raw, 'treat-as-withdraw');
      if (type === Attr.MP_REACH_NLRI || type === Attr.MP_UNREACH_NLRI) throw upd(e.subcode, e.message, raw);
      withdraw(e);
      continue;
    }
    const lenErr = (action: BgpError['action'] = 'treat-as-withdraw') =>
      upd(UpdateSub.ATTR_LENGTH, `attribute ${type} has length ${len}`, raw, action);

    switch (type) {
      case Attr.ORIGIN:
        if (len !== 1) withdraw(lenErr());
        else if (v[0] > Origin.INCOMPLETE) withdraw(upd(UpdateSub.INVALID_ORIGIN, `ORIGIN ${v[0]}`, raw, 'treat-as-withdraw'));
        else attrs.origin = v[0];
        break;
      case Attr.AS_PATH: {
        const p = decodeAsPath(v, ctx.fourOctetAs ? 4 : 2);
        if (!p) withdraw(upd(UpdateSub.MALFORMED_AS_PATH, 'malformed AS_PATH', undefined, 'treat-as-withdraw'));
        else attrs.asPath = p;
        break;
      }
      case Attr.NEXT_HOP:
        if (len !== 4) withdraw(lenErr());
        else {
          const nh = bytesToBigint(v);
          // 0.0.0.0, 127/8 and multicast/class E are never usable next hops.
          if (nh === 0n || v[0] === 127 || v[0] >= 224) {
            withdraw(upd(UpdateSub.INVALID_NEXT_HOP, 'invalid NEXT_HOP', raw, 'treat-as-withdraw'));
          } else attrs.nextHop = nh;
        }
        break;
      case Attr.MED:
      case Attr.LOCAL_PREF:
        if (len !== 4) withdraw(lenErr());
        else if (type === Attr.MED) attrs.med = Number(bytesToBigint(v));
        else attrs.localPref = Number(bytesToBigint(v));
        break;
      case Attr.ATOMIC_AGGREGATE:
        if (len !== 0) out.discarded.push(lenErr('attribute-discard'));
        else attrs.atomicAggregate = true;
        break;
      case Attr.AGGREGATOR:
      case Attr.AS4_AGGREGATOR:
        if (len !== (type === Attr.AGGREGATOR && !ctx.fourOctetAs ? 6 : 8)) out.discarded.push(lenErr('attribute-discard'));
        else attrs.other.push({ flags, type, value: v.slice() });
        break;
      case Attr.COMMUNITIES:
        if (len === 0 || len % 4 !== 0) withdraw(lenErr());
        else attrs.communities = Array.from({ length: len / 4 }, (_, k) => Number(bytesToBigint(v.subarray(k * 4, k * 4 + 4))));
        break;
      case Attr.AS4_PATH: {
        // RFC 6793 6: a malformed AS4_PATH is discarded, the UPDATE is still used.
        const p = decodeAsPath(v, 4);
        if (!p) out.discarded.push(upd(UpdateSub.MALFORMED_AS_PATH, 'malformed AS4_PATH', raw, 'attribute-discard'));
        else attrs.as4Path = p;
        break;
      }
      case Attr.MP_REACH_NLRI:
        attrs.mpReach = decodeMpReach(v, raw);
        break;
      case Attr.MP_UNREACH_NLRI:
        attrs.mpUnreach = decodeMpUnreach(v, raw);
        break;
      default:
        // An unknown attribute that claims to be well-known is an error (RFC 4271 6.3).
        if ((flags & Flag.OPTIONAL) === 0) throw upd(UpdateSub.UNRECOGNIZED_WELL_KNOWN, `unknown well-known attribute ${type}`, raw);
        attrs.other.push({ flags, type, value: v.slice() });
    }
  }

  // Mandatory attributes when the UPDATE announces something (RFC 4271 5, RFC 4760 3).
  const announces = nlri.length > 0 || (attrs.mpReach?.nlri.length ?? 0) > 0;
  if (announces && !out.treatAsWithdraw) {
    const need = [Attr.ORIGIN, Attr.AS_PATH, ...(nlri.length ? [Attr.NEXT_HOP] : [])];
    const missing = need.find((t) => !seen.has(t));
    if (missing !== undefined) {
      withdraw(upd(UpdateSub.MISSING_WELL_KNOWN, `missing well-known attribute ${missing}`, Uint8Array.of(missing), 'treat-as-withdraw'));
    }
  }
  return out;
}

/** Prefixes an UPDATE announces, including MP_REACH_NLRI. */
export function announcedPrefixes(u: UpdateMessage): Prefix[] {
  return [...u.nlri, ...(u.attrs.mpReach?.nlri ?? [])];
}

/** Prefixes an UPDATE withdraws, including MP_UNREACH_NLRI. */
export function withdrawnPrefixes(u: UpdateMessage): Prefix[] {
  return [...u.withdrawn, ...(u.attrs.mpUnreach?.withdrawn ?? [])];
}
