// IP addresses as (family, bigint) pairs: parse, format, compare.
// No address list is ever materialised; every pool computation works on bigints.

export type Family = 4 | 6;

export interface Ip {
  family: Family;
  value: bigint;
}

export const MAX_V4 = (1n << 32n) - 1n;
export const MAX_V6 = (1n << 128n) - 1n;

export function maxValue(family: Family): bigint {
  return family === 4 ? MAX_V4 : MAX_V6;
}

export function bits(family: Family): number {
  return family === 4 ? 32 : 128;
}

/** Dotted-quad IPv4: exactly four decimal octets 0..255, no leading "+" or spaces. */
export function parseIPv4(text: string): bigint | undefined {
  const v = ipv4Number(text, 0, text.length);
  return v < 0 ? undefined : BigInt(v);
}

/** The IPv4 address in text[from, to) as a number, or -1. A character scan: this runs for every
 * Eip on every keystroke, and splitting into strings cost more than the rest of the check. */
export function ipv4Number(text: string, from: number, to: number): number {
  let v = 0;
  let parts = 0;
  let i = from;
  while (parts < 4) {
    const start = i;
    let octet = 0;
    for (; i < to && i - start < 4; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      octet = octet * 10 + c;
    }
    const len = i - start;
    // 1-3 digits, at most 255; Go's net.ParseIP rejects leading zeros ("010") since Go 1.17; so do we.
    if (len === 0 || len > 3 || octet > 255 || (len > 1 && text.charCodeAt(start) === 48)) return -1;
    v = v * 256 + octet;
    parts++;
    if (parts < 4) {
      if (i >= to || text.charCodeAt(i) !== 46 /* . */) return -1;
      i++;
    }
  }
  return i === to ? v : -1;
}

/** Value of one hex digit, or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** IPv6 text form (RFC 4291 2.2), including "::" and an embedded dotted quad. No zone. */
export function parseIPv6(text: string): bigint | undefined {
  const n = text.length;
  if (n < 2 || n > 45) return undefined;
  const groups = [0, 0, 0, 0, 0, 0, 0, 0];
  let count = 0; // groups written so far (before the "::" if there is one, then after it)
  let gap = -1; // number of groups before "::"
  let i = 0;
  if (text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return undefined;
    gap = 0;
    i = 2;
  }
  while (i < n) {
    if (count >= 8) return undefined;
    // An embedded dotted quad takes the last two groups.
    const start = i;
    let g = 0;
    for (; i < n && i - start < 5; i++) {
      const d = hexDigit(text.charCodeAt(i));
      if (d < 0) break;
      g = g * 16 + d;
    }
    if (i < n && text.charCodeAt(i) === 46 /* . */) {
      const v4 = ipv4Number(text, start, n);
      if (v4 < 0 || count > 6) return undefined;
      groups[count++] = Math.floor(v4 / 65536);
      groups[count++] = v4 % 65536;
      i = n;
      break;
    }
    if (i - start === 0 || i - start > 4) return undefined;
    groups[count++] = g;
    if (i === n) break;
    if (text.charCodeAt(i) !== 58 /* : */) return undefined;
    i++;
    if (text.charCodeAt(i) === 58) {
      if (gap >= 0) return undefined; // a second "::"
      gap = count;
      i++;
    } else if (i === n) return undefined; // a trailing single ':'
  }
  if (gap >= 0) {
    if (count > 7) return undefined; // "::" must stand for at least one group
    const tail = count - gap;
    for (let k = 0; k < tail; k++) groups[7 - k] = groups[count - 1 - k];
    for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  } else if (count !== 8) return undefined;
  // Four 32-bit halves: few bigint operations.
  const hi = BigInt(groups[0] * 65536 + groups[1]) << 96n | BigInt(groups[2] * 65536 + groups[3]) << 64n;
  return hi | BigInt(groups[4] * 65536 + groups[5]) << 32n | BigInt(groups[6] * 65536 + groups[7]);
}

export function parseIp(text: string): Ip | undefined {
  if (text.indexOf(':') >= 0) {
    const v = parseIPv6(text);
    if (v === undefined) return undefined;
    // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is IPv4 to Go's net package.
    if (v >> 32n === 0xffffn) return { family: 4, value: v & MAX_V4 };
    return { family: 6, value: v };
  }
  const v = parseIPv4(text);
  return v === undefined ? undefined : { family: 4, value: v };
}

export function formatIp(family: Family, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (length >= 2) of zero groups, the first one on ties.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function ipToString(ip: Ip): string {
  return formatIp(ip.family, ip.value);
}
