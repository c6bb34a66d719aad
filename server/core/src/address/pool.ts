// Eip address grammar and pool arithmetic: the one implementation used by the language
// service, the CLI and the runtime's allocator. A pool is a closed interval [first, last]
// of one address family; sizes are bigints, so a /8 or an IPv6 /96 costs the same as a /32.
import { bits, formatIp, ipv4Number, maxValue, parseIp, type Family, type Ip } from './ip';
import { OverlapIndex } from './overlaps';

export type PoolForm = 'ip' | 'range' | 'cidr';

export interface Pool {
  family: Family;
  first: bigint;
  last: bigint;
  form: PoolForm;
  /** Prefix length, for the CIDR form. */
  prefix?: number;
}

/** A problem in an address text; start/end are offsets into that text. */
export interface AddressProblem {
  code: AddressRuleId;
  severity: 'error' | 'warning';
  message: string;
  start: number;
  end: number;
}

export type AddressRuleId =
  | 'eip-address-syntax'
  | 'eip-address-range-reversed'
  | 'eip-address-mixed-family'
  | 'eip-address-prefix'
  | 'eip-address-host-bits'
  | 'eip-address-too-large';

export interface ParsedPool {
  pool?: Pool;
  problems: AddressProblem[];
}

/** OpenELB stores pool sizes in a Go int64 (and computes CIDR sizes as 1 << hostBits). */
export const MAX_OPENELB_POOL_SIZE = (1n << 63n) - 1n;
/** The largest host part OpenELB can size for a CIDR: 1 << 63 already overflows int64. */
export const MAX_OPENELB_HOST_BITS = 62;

const ACCEPTED = 'accepted forms: 192.168.0.10, 192.168.0.10-192.168.0.20, 192.168.0.0/24, 2001:db8::/120';

function describeBadIp(text: string): string {
  if (text === '') return 'an empty address';
  if (/^[0-9.]+$/.test(text)) {
    const parts = text.split('.');
    if (parts.length !== 4) return `'${text}' has ${parts.length} parts, an IPv4 address has 4`;
    const big = parts.find((p) => p !== '' && Number(p) > 255);
    if (big !== undefined) return `'${text}' has the octet ${big}, octets go from 0 to 255`;
    const lead = parts.find((p) => p.length > 1 && p.startsWith('0'));
    if (lead !== undefined) return `'${text}' has the octet '${lead}' with a leading zero, which Kubernetes and OpenELB reject`;
  }
  if (text.trim() !== text) return `'${text}' has surrounding spaces`;
  return `'${text}' is not an IPv4 or IPv6 address`;
}

function problem(code: AddressRuleId, message: string, start: number, end: number, severity: 'error' | 'warning' = 'error'): AddressProblem {
  return { code, severity, message, start, end };
}

function sizeProblem(size: bigint, len: number): AddressProblem | undefined {
  if (size <= MAX_OPENELB_POOL_SIZE) return undefined;
  return problem('eip-address-too-large',
    `a pool of ${size} addresses is larger than OpenELB can count (at most 2^63-1); split it into smaller Eips, e.g. IPv6 prefixes of /66 or longer`,
    0, len);
}

/** Parses an Eip `spec.address` the way OpenELB does: single IP, then CIDR, then `first-last`. */
export function parsePool(text: string): ParsedPool {
  return (text.indexOf(':') < 0 ? cleanIPv4Pool(text) : undefined) ?? parsePoolGeneral(text);
}

/**
 * The common case, a valid IPv4 address, CIDR or range, in plain numbers (IPv4 fits in a double;
 * bigint arithmetic cost more than everything else in checking an Eip). Anything with a problem,
 * and any other form, returns undefined and goes through parsePoolGeneral, which says what is wrong.
 */
function cleanIPv4Pool(text: string): ParsedPool | undefined {
  const n = text.length;
  const slash = text.indexOf('/');
  const dash = text.indexOf('-');
  if (slash < 0 && dash < 0) {
    const v = ipv4Number(text, 0, n);
    if (v < 0) return undefined;
    const b = BigInt(v);
    return { pool: { family: 4, first: b, last: b, form: 'ip' }, problems: [] };
  }
  if (slash >= 0 && dash < 0) {
    const v = ipv4Number(text, 0, slash);
    const digits = n - slash - 1;
    if (v < 0 || digits < 1 || digits > 2) return undefined;
    let prefix = 0;
    for (let i = slash + 1; i < n; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return undefined;
      prefix = prefix * 10 + d;
    }
    if (prefix > 32) return undefined;
    const size = 2 ** (32 - prefix);
    if (v % size !== 0) return undefined; // host bits set: a warning, said by the general path
    return { pool: { family: 4, first: BigInt(v), last: BigInt(v + size - 1), form: 'cidr', prefix }, problems: [] };
  }
  if (dash >= 0 && slash < 0) {
    const a = ipv4Number(text, 0, dash);
    const b = ipv4Number(text, dash + 1, n);
    if (a < 0 || b < 0 || b < a) return undefined;
    return { pool: { family: 4, first: BigInt(a), last: BigInt(b), form: 'range' }, problems: [] };
  }
  return undefined;
}

/** parsePool for every form and every mistake (exported for the test that compares the two paths). */
export function parsePoolGeneral(text: string): ParsedPool {
  const single = parseIp(text);
  if (single) {
    return { pool: { family: single.family, first: single.value, last: single.value, form: 'ip' }, problems: [] };
  }
  const slash = text.indexOf('/');
  if (slash >= 0) return parseCidr(text, slash);
  const dash = text.indexOf('-');
  if (dash >= 0) return parseRange(text, dash);
  return { problems: [problem('eip-address-syntax', `${describeBadIp(text)}; ${ACCEPTED}`, 0, text.length)] };
}

const parsedPools = new Map<string, Readonly<ParsedPool>>();

/**
 * parsePool, memoised by address text (bounded; treat the result as read-only): the editor asks
 * for the same pools on every keystroke, and several rules read the same address.
 */
export function parsePoolCached(text: string): Readonly<ParsedPool> {
  let parsed = parsedPools.get(text);
  if (parsed) return parsed;
  parsed = parsePool(text);
  if (parsedPools.size >= 100_000) parsedPools.clear();
  parsedPools.set(text, parsed);
  return parsed;
}

function parseCidr(text: string, slash: number): ParsedPool {
  const ipText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const ip = parseIp(ipText);
  if (!ip) {
    return { problems: [problem('eip-address-syntax', `${describeBadIp(ipText)}; ${ACCEPTED}`, 0, slash)] };
  }
  // An IPv4-mapped address (::ffff:a.b.c.d) is IPv4, but its prefix counts all 128 bits, as in Go.
  const mapped = ip.family === 4 && ipText.includes(':');
  const width = bits(ip.family);
  const written = mapped ? 128 : width;
  if (!/^[0-9]{1,3}$/.test(prefixText) || Number(prefixText) > written || (mapped && Number(prefixText) < 96)) {
    return { problems: [problem('eip-address-prefix', mapped
      ? `prefix length '/${prefixText}' is out of range for an IPv4-mapped address: /96 to /128 (the IPv4 part is the last 32 bits)`
      : `prefix length '/${prefixText}' is out of range: IPv${ip.family} prefixes go from /0 to /${width}`,
    slash, text.length)] };
  }
  const prefix = Number(prefixText) - (mapped ? 96 : 0);
  const hostBits = BigInt(width - prefix);
  const mask = maxValue(ip.family) ^ ((1n << hostBits) - 1n);
  const first = ip.value & mask;
  const last = first | ((1n << hostBits) - 1n);
  const problems: AddressProblem[] = [];
  if (width - prefix > MAX_OPENELB_HOST_BITS) {
    problems.push(problem('eip-address-too-large',
      `/${prefix} holds 2^${width - prefix} addresses, more than OpenELB can count (it computes 1 << ${width - prefix} in a 64-bit integer); use /${width - MAX_OPENELB_HOST_BITS} or a longer prefix, or a first-last range`,
      slash, text.length));
  }
  if (first !== ip.value) {
    problems.push(problem('eip-address-host-bits',
      `'${ipText}/${prefix}' has host bits set: the pool is ${formatIp(ip.family, first)}/${prefix} (from ${formatIp(ip.family, first)} to ${formatIp(ip.family, last)}); write the network address, or use a range to start at ${ipText}`,
      0, slash, 'warning'));
  }
  return { pool: { family: ip.family, first, last, form: 'cidr', prefix }, problems };
}

function parseRange(text: string, dash: number): ParsedPool {
  const aText = text.slice(0, dash);
  const bText = text.slice(dash + 1);
  const a = parseIp(aText);
  const b = parseIp(bText);
  const problems: AddressProblem[] = [];
  if (!a) problems.push(problem('eip-address-syntax', `range start: ${describeBadIp(aText)}; ${ACCEPTED}`, 0, dash));
  if (!b) problems.push(problem('eip-address-syntax', `range end: ${describeBadIp(bText)}; ${ACCEPTED}`, dash + 1, text.length));
  if (!a || !b) return { problems };
  if (a.family !== b.family) {
    return { problems: [problem('eip-address-mixed-family',
      `the range mixes IPv${a.family} (${aText}) and IPv${b.family} (${bText}); both ends must be of one family`, 0, text.length)] };
  }
  if (b.value < a.value) {
    return { problems: [problem('eip-address-range-reversed',
      `the range is reversed: ${bText} comes before ${aText}; write ${bText}-${aText}`, 0, text.length)] };
  }
  const size = b.value - a.value + 1n;
  const tooLarge = sizeProblem(size, text.length);
  if (tooLarge) problems.push(tooLarge);
  return { pool: { family: a.family, first: a.value, last: b.value, form: 'range' }, problems };
}

export function poolSize(p: Pool): bigint {
  return p.last - p.first + 1n;
}

export function poolsOverlap(a: Pool, b: Pool): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/**
 * Every pair (i, j), i < j, of indexes into `pools` whose pools overlap (poolsOverlap): the
 * OverlapIndex (overlaps.ts) lists each pool's partners, n log n plus the pairs found. Only for
 * callers that need every pair; the rules and the controller ask the index for counts and a few
 * names instead, since n identical pools make n²/2 pairs.
 */
export function overlappingPairs(pools: readonly (Pool | undefined)[]): [number, number][] {
  const index = new OverlapIndex(pools);
  const out: [number, number][] = [];
  pools.forEach((p, i) => {
    if (!p) return;
    for (const j of index.find(p, Number.POSITIVE_INFINITY, (j) => j <= i)) out.push([i, j]);
  });
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

export function poolContains(p: Pool, ip: Ip): boolean {
  return ip.family === p.family && ip.value >= p.first && ip.value <= p.last;
}

/** The part two pools share, or undefined. */
export function poolIntersection(a: Pool, b: Pool): { first: bigint; last: bigint } | undefined {
  if (!poolsOverlap(a, b)) return undefined;
  return { first: a.first > b.first ? a.first : b.first, last: a.last < b.last ? a.last : b.last };
}

/** The part two overlapping pools share, as text: one address, or `first-last` with the count when asked. */
export function intersectionText(a: Pool, b: Pool, withCount = false): string {
  const x = poolIntersection(a, b)!;
  if (x.first === x.last) return formatIp(a.family, x.first);
  const range = `${formatIp(a.family, x.first)}-${formatIp(a.family, x.last)}`;
  return withCount ? `${range} (${formatCount(x.last - x.first + 1n)} addresses)` : range;
}

export function firstIp(p: Pool): string {
  return formatIp(p.family, p.first);
}

export function lastIp(p: Pool): string {
  return formatIp(p.family, p.last);
}

/** An interface address with its prefix length, e.g. 192.168.0.5/24. */
export interface Subnet {
  family: Family;
  value: bigint;
  prefix: number;
}

/** Parses "address/prefix" as interfaces carry it (host bits allowed), or undefined. */
export function parseSubnet(text: string): Subnet | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !/^[0-9]{1,3}$/.test(prefixText) || Number(prefixText) > bits(ip.family)) return undefined;
  return { family: ip.family, value: ip.value, prefix: Number(prefixText) };
}

/** True when the subnet (an interface address with its prefix length) holds the whole pool. */
export function subnetContainsPool(subnet: Subnet, p: Pool): boolean {
  if (subnet.family !== p.family) return false;
  const hostBits = BigInt(bits(subnet.family) - subnet.prefix);
  const net = (subnet.value >> hostBits) << hostBits;
  const bcast = net | ((1n << hostBits) - 1n);
  return p.first >= net && p.last <= bcast;
}

/** Formats a bigint count with thousands separators, and as a power of two when huge. */
export function formatCount(n: bigint): string {
  if (n >= 1n << 40n && (n & (n - 1n)) === 0n) return `2^${n.toString(2).length - 1}`;
  return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
