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
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    // Go's net.ParseIP rejects leading zeros ("010") since Go 1.17; so do we.
    if (p.length > 1 && p[0] === '0') return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

/** IPv6 text form (RFC 4291 2.2), including "::" and an embedded dotted quad. No zone. */
export function parseIPv6(text: string): bigint | undefined {
  if (text.length < 2 || text.length > 45 || text.includes('%')) return undefined;
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) > lastColon) {
    tailV4 = parseIPv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.indexOf('::');
  if (dbl !== head.lastIndexOf('::')) return undefined;
  const groupsOf = (s: string): string[] | undefined => (s === '' ? [] : s.split(':'));
  let groups: string[];
  if (dbl >= 0) {
    const left = groupsOf(head.slice(0, dbl));
    const right = groupsOf(head.slice(dbl + 2));
    if (!left || !right) return undefined;
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...Array<string>(missing).fill('0'), ...right];
  } else {
    groups = head.split(':');
  }
  if (groups.length !== 8) return undefined;
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  if (tailV4 !== undefined) v = (v & ~0xffffffffn) | tailV4;
  return v;
}

export function parseIp(text: string): Ip | undefined {
  if (text.includes(':')) {
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
