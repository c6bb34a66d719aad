// The pool map's model: the state of every address of one Eip, computed from the watch cache.
// Pure (no vscode): the panel (poolMapPanel.ts) renders it, the unit tests check it. Addresses
// are never listed one by one: the few marked addresses (held, requested, node addresses) are
// points, the node subnets are intervals, and the map is sent as runs of one state.
import { formatIp, parseIp, type Family } from '@openelb/core/address/ip';
import { formatCount, parsePool, poolIntersection, poolSize, type Pool } from '@openelb/core/address/pool';
import { EIP_IP_ANNOTATION, EIP_POOL_ANNOTATION } from '@openelb/core/api/annotations';
import { servedByOpenElb } from '@openelb/core/api/service';
import { keyOf, nodeFact, type KObject } from '../cluster/clusterState';

/** The order is the wire format: runs carry the index into this list. */
export const STATES = ['free', 'used', 'shared', 'requested', 'reserved', 'outside'] as const;
export type CellState = typeof STATES[number];
/** Addresses per block (a /24 for IPv4) and cells per row. */
export const BLOCK = 256;
export const COLUMNS = 32;
/** At most this many addresses are drawn (256 blocks); larger pools show their start and say so. */
export const MAX_SHOWN = 65_536;

/** An address with something to say (held, requested, a node's own address), by offset in the pool. */
export interface MarkedAddress {
  offset: number;
  state: CellState;
  holders: string[];
  requesters: string[];
  /** Nodes whose address this is. */
  nodes: string[];
}

export interface PoolMapModel {
  name: string;
  address: string;
  protocol: string;
  /** Why there is no map (the address does not parse). */
  error?: string;
  family: Family;
  first: bigint;
  size: bigint;
  /** Addresses drawn: the first min(size, MAX_SHOWN). */
  shown: number;
  /** Flat runs over the drawn addresses: [state index, length, state index, length, ...]. */
  runs: number[];
  /** Per state, over the whole pool (drawn or not). */
  counts: Record<CellState, bigint>;
  /** Marked addresses among the drawn ones, by offset. */
  marked: MarkedAddress[];
  /** Whether the node subnets are known (layer2 pools on nodes that publish their interfaces). */
  subnetsKnown: boolean;
}

interface Mark { holders: Set<string>; requesters: Set<string>; nodes: Set<string> }
type Interval = [bigint, bigint];

/** Offset of an address text inside the pool, or undefined. */
function offsetIn(pool: Pool, text: string): bigint | undefined {
  const ip = parseIp(text.trim());
  if (!ip || ip.family !== pool.family || ip.value < pool.first || ip.value > pool.last) return undefined;
  return ip.value - pool.first;
}

function markAt(marks: Map<bigint, Mark>, offset: bigint): Mark {
  let m = marks.get(offset);
  if (!m) marks.set(offset, m = { holders: new Set(), requesters: new Set(), nodes: new Set() });
  return m;
}

/** Holders from the Eip's status.used and the Services' own status, requests from their annotation. */
function collectServices(pool: Pool, eip: KObject, services: Iterable<KObject>, marks: Map<bigint, Mark>): void {
  const name = eip.metadata?.name ?? '';
  const used = (eip.status?.used ?? {}) as Record<string, unknown>;
  for (const [ip, refs] of Object.entries(used)) {
    const at = offsetIn(pool, ip);
    if (at === undefined) continue;
    for (const ref of String(refs).split(';').filter(Boolean)) markAt(marks, at).holders.add(ref.includes('/') ? ref : `default/${ref}`);
  }
  const wanted: [bigint, string][] = [];
  for (const svc of services) {
    if (!servedByOpenElb(svc as Parameters<typeof servedByOpenElb>[0])) continue;
    const named = svc.metadata?.annotations?.[EIP_POOL_ANNOTATION];
    if (named && named !== name) continue; // it asks another pool that may overlap this one
    const ref = keyOf(svc);
    // The controller writes the Service's ingress before the Eip's status catches up.
    const ingress = ((svc.status?.loadBalancer as { ingress?: { ip?: string }[] } | undefined)?.ingress ?? []);
    for (const i of ingress) {
      const at = i.ip ? offsetIn(pool, i.ip) : undefined;
      if (at !== undefined) markAt(marks, at).holders.add(ref);
    }
    const asked = svc.metadata?.annotations?.[EIP_IP_ANNOTATION];
    const at = asked ? offsetIn(pool, asked) : undefined;
    if (at !== undefined) wanted.push([at, ref]);
  }
  for (const [at, ref] of wanted) {
    if (!marks.get(at)?.holders.has(ref)) markAt(marks, at).requesters.add(ref);
  }
}

/** The node subnets a layer2 pool's interface has, as parsed pools; undefined when none is known. */
function nodeSubnets(eip: KObject, nodes: KObject[]): Pool[] | undefined {
  if (String(eip.spec?.protocol ?? 'bgp') !== 'layer2') return undefined;
  const itf = String(eip.spec?.interface ?? '');
  const byName = itf !== '' && !itf.startsWith('can_reach:');
  const out: Pool[] = [];
  for (const n of nodes) {
    for (const i of nodeFact(n).interfaces ?? []) {
      if (byName && i.name !== itf) continue;
      // "192.168.0.5/24" parses (with a host-bits warning) as the whole subnet.
      for (const cidr of i.addresses) { const p = parsePool(cidr).pool; if (p) out.push(p); }
    }
  }
  return out.length ? out : undefined;
}

/** Offsets of the pool that no subnet holds, as sorted disjoint intervals. */
function outsideIntervals(pool: Pool, subnets: Pool[]): Interval[] {
  const inside = subnets.map((s) => poolIntersection(pool, s)).filter((x) => x !== undefined)
    .map((x): Interval => [x.first - pool.first, x.last - pool.first]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Interval[] = [];
  let next = 0n;
  const end = poolSize(pool) - 1n;
  for (const [a, b] of inside) {
    if (a > next) out.push([next, a - 1n]);
    if (b + 1n > next) next = b + 1n;
  }
  if (next <= end) out.push([next, end]);
  return out;
}

function stateOf(m: Mark, reserveNodes: boolean): CellState | undefined {
  if (m.holders.size > 1) return 'shared';
  if (m.holders.size === 1) return 'used';
  if (m.requesters.size) return 'requested';
  if (m.nodes.size && reserveNodes) return 'reserved';
  return undefined;
}

/** Appends a run, merging it with the last one when the state is the same. */
function push(runs: number[], state: number, len: number): void {
  if (len <= 0) return;
  if (runs.length && runs[runs.length - 2] === state) runs[runs.length - 1] += len;
  else runs.push(state, len);
}

/** Runs over [0, shown): the background (free or outside) with the marked points on top. */
function buildRuns(shown: number, outside: Interval[], points: [number, CellState][]): number[] {
  const runs: number[] = [];
  const free = STATES.indexOf('free');
  const out = STATES.indexOf('outside');
  let k = 0;
  const background = (from: number, to: number) => { // [from, to)
    let pos = from;
    while (pos < to) {
      while (k < outside.length && Number(outside[k][1]) < pos) k++;
      const iv = outside[k];
      if (!iv || Number(iv[0]) >= to) { push(runs, free, to - pos); return; }
      const a = Math.max(pos, Number(iv[0]));
      push(runs, free, a - pos);
      const b = Math.min(to, Number(iv[1]) + 1);
      push(runs, out, b - a);
      pos = b;
    }
  };
  let pos = 0;
  for (const [at, state] of points) {
    background(pos, at);
    push(runs, STATES.indexOf(state), 1);
    pos = at + 1;
  }
  background(pos, shown);
  return runs;
}

function emptyCounts(): Record<CellState, bigint> {
  return { free: 0n, used: 0n, shared: 0n, requested: 0n, reserved: 0n, outside: 0n };
}

/** The map of one Eip from the watch cache: Services and Nodes of the whole cluster. */
export function computePoolMap(eip: KObject, services: Iterable<KObject>, nodes: Iterable<KObject>): PoolMapModel {
  const address = String(eip.spec?.address ?? '');
  const base = { name: eip.metadata?.name ?? '', address, protocol: String(eip.spec?.protocol ?? 'bgp') };
  const parsed = parsePool(address);
  const pool = parsed.pool;
  if (!pool) {
    return { ...base, error: parsed.problems[0]?.message ?? `address '${address}' is not valid`, family: 4, first: 0n, size: 0n,
      shown: 0, runs: [], counts: emptyCounts(), marked: [], subnetsKnown: false };
  }
  const nodeList = [...nodes];
  const marks = new Map<bigint, Mark>();
  collectServices(pool, eip, services, marks);
  for (const n of nodeList) {
    const f = nodeFact(n);
    const own = [f.internalIP, ...(f.interfaces ?? []).flatMap((i) => i.addresses.map((a) => a.split('/')[0]))];
    for (const a of own) { const at = a ? offsetIn(pool, a) : undefined; if (at !== undefined) markAt(marks, at).nodes.add(f.name); }
  }
  // Without usingKnownIPs, addresses already in use on the network (the nodes' own) are not handed out.
  const reserveNodes = eip.spec?.usingKnownIPs !== true;
  const subnets = nodeSubnets(eip, nodeList);
  const outside = subnets ? outsideIntervals(pool, subnets) : [];
  const size = poolSize(pool);
  const shown = Number(size < BigInt(MAX_SHOWN) ? size : BigInt(MAX_SHOWN));

  const counts = emptyCounts();
  for (const [a, b] of outside) counts.outside += b - a + 1n;
  const isOutside = (at: bigint) => outside.some(([a, b]) => at >= a && at <= b);
  const points: [number, CellState][] = [];
  const marked: MarkedAddress[] = [];
  for (const [at, m] of [...marks.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    const state = stateOf(m, reserveNodes);
    if (state) {
      counts[state]++;
      if (isOutside(at)) counts.outside--;
    }
    if (at >= BigInt(shown)) continue;
    const cell = state ?? (isOutside(at) ? 'outside' : 'free');
    if (state) points.push([Number(at), state]);
    marked.push({ offset: Number(at), state: cell, holders: [...m.holders].sort(), requesters: [...m.requesters].sort(), nodes: [...m.nodes].sort() });
  }
  counts.free = size - counts.used - counts.shared - counts.requested - counts.reserved - counts.outside;
  return { ...base, family: pool.family, first: pool.first, size, shown, runs: buildRuns(shown, outside, points), counts, marked, subnetsKnown: !!subnets };
}

/** The address at an offset of the map's pool. */
export function addressAt(model: PoolMapModel, offset: number): string {
  return formatIp(model.family, model.first + BigInt(offset));
}

/** What the webview gets: plain JSON, small (runs, not cells), with the texts it shows. */
export interface PoolMapView {
  name: string;
  address: string;
  protocol: string;
  error?: string;
  size: string;
  shown: number;
  hidden: string;
  runs: number[];
  counts: Record<CellState, string>;
  marked: MarkedAddress[];
  /** The first address of each block drawn. */
  blockStarts: string[];
  subnetsKnown: boolean;
}

export function toView(m: PoolMapModel): PoolMapView {
  const counts = emptyCounts() as unknown as Record<CellState, string>;
  for (const s of STATES) counts[s] = formatCount(m.counts[s]);
  const blockStarts: string[] = [];
  for (let at = 0; at < m.shown; at += BLOCK) blockStarts.push(addressAt(m, at));
  return {
    name: m.name, address: m.address, protocol: m.protocol, error: m.error,
    size: formatCount(m.size), shown: m.shown, hidden: formatCount(m.size - BigInt(m.shown)),
    runs: m.runs, counts, marked: m.marked, blockStarts, subnetsKnown: m.subnetsKnown,
  };
}
