// IP prefixes as carried in NLRI fields: a length octet followed by the fewest octets that
// hold that many bits (RFC 4271 section 4.3, RFC 4760 section 5).
import { Family, bits, formatIp, parseIp } from '@openelb/core/address/ip';
import { UpdateSub, ErrCode } from './constants';
import { BgpError } from './errors';

export interface Prefix {
  family: Family;
  /** Network address; host bits are zero. */
  value: bigint;
  length: number;
}

/** "172.31.254.100/32" or "fd00::1/128"; a bare address means a host prefix. */
export function parsePrefix(text: string): Prefix | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!ip) return undefined;
  const max = bits(ip.family);
  let length = max;
  if (slash >= 0) {
    const l = text.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(l)) return undefined;
    length = Number(l);
    if (length > max) return undefined;
  }
  const hostMask = (1n << BigInt(max - length)) - 1n;
  if ((ip.value & hostMask) !== 0n) return undefined;
  return { family: ip.family, value: ip.value, length };
}

export function formatPrefix(p: Prefix): string {
  return `${formatIp(p.family, p.value)}/${p.length}`;
}

/** Bytes of an address (4 or 16, network order). */
export function addressBytes(family: Family, value: bigint): Uint8Array {
  const n = family === 4 ? 4 : 16;
  const out = new Uint8Array(n);
  for (let i = n - 1, v = value; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

export function bytesToBigint(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

export function encodePrefixes(prefixes: readonly Prefix[]): Uint8Array {
  const parts: number[] = [];
  for (const p of prefixes) {
    const full = addressBytes(p.family, p.value);
    parts.push(p.length, ...full.subarray(0, Math.ceil(p.length / 8)));
  }
  return Uint8Array.from(parts);
}

/**
 * Decodes a run of NLRI prefixes. A prefix length beyond the family's width or a prefix
 * that overruns the field is an Invalid Network Field error (RFC 4271 6.3, RFC 7606 5.3:
 * an NLRI that cannot be parsed resets the session).
 */
export function decodePrefixes(buf: Uint8Array, family: Family): Prefix[] {
  const max = bits(family);
  const out: Prefix[] = [];
  let i = 0;
  while (i < buf.length) {
    const length = buf[i++];
    if (length > max) {
      throw new BgpError(ErrCode.UPDATE, UpdateSub.INVALID_NETWORK_FIELD, `prefix length ${length} > ${max}`);
    }
    const n = Math.ceil(length / 8);
    if (i + n > buf.length) {
      throw new BgpError(ErrCode.UPDATE, UpdateSub.INVALID_NETWORK_FIELD, 'prefix overruns the NLRI field');
    }
    const full = new Uint8Array(max / 8);
    full.set(buf.subarray(i, i + n));
    i += n;
    // Bits past the prefix length are ignored (RFC 4271: "trailing bits are irrelevant").
    const hostMask = (1n << BigInt(max - length)) - 1n;
    out.push({ family, value: bytesToBigint(full) & ~hostMask, length });
  }
  return out;
}
