// What an edit of Eips does to the Services running in the cluster: the one computation behind
// the editor's `eip-removes-used-addresses` warning, `openelb lint --cluster` and the confirmation
// of Apply Current File. Pure: desired Eips and the cluster's Eips and used addresses in, facts out.
//
// What happens to a Service whose address leaves its pool (runtime/src/allocator/plan.ts, and
// upstream OpenELB v0.6 where it differs):
// - range shrunk or changed: the controller gives the Service another free address of a pool that
//   may serve it; when none is free it leaves the old address on show, stale, with an
//   AssignIPFailed event. Upstream's webhook refuses any change of spec.address.
// - disabled: nothing new is allocated from the pool; holders keep their addresses, still
//   announced (upstream does the same).
// - deleted: holders lose their addresses (another pool's address if one may serve them, else
//   none). Upstream's webhook allows the delete (its "validate eip is not used" is a TODO) and its
//   finalizer only drops the Eip label, so there the Services keep a stale address.
import { formatIp, parseIp, type Ip } from '../address/ip';
import { formatCount, poolContains, poolSize, type Pool } from '../address/pool';
import type { EipFact, ServiceFact } from '../model/facts';

export type EipChangeKind = 'shrink' | 'change' | 'disable' | 'delete';

/** An Eip as the edit wants it. */
export type DesiredEip = Pick<EipFact, 'name' | 'address' | 'disable' | 'pool'>;

/** What the cluster holds: its Eips and the Services with their address (and requested Eip). */
export interface ClusterUse {
  eips: readonly Pick<EipFact, 'name' | 'address' | 'disable' | 'pool'>[];
  services: readonly ServiceFact[];
}

/** One address in use and the Services ("namespace/name") holding it (several when shared). */
export interface HeldAddress {
  ip: string;
  services: string[];
}

export interface EipChange {
  name: string;
  kind: EipChangeKind;
  before: string;
  /** The address as edited (absent for a delete). */
  after?: string;
  /** Addresses in use that leave the pool, with their holders (none for a disable). */
  lost: HeldAddress[];
  /** Addresses in use that stay in the pool. */
  kept: HeldAddress[];
  /** Free addresses of the pool as edited, given current use (absent for a delete). */
  freeAfter?: bigint;
  /** The pool as edited has no free address left, and had some before. */
  becomesFull: boolean;
}

export interface ImpactSummary {
  changes: EipChange[];
  /** Every Service ("namespace/name") that loses its address or sits in a disabled pool, sorted. */
  services: string[];
  /** Addresses in use that leave their pool. */
  addressesFreed: number;
  /** Eips whose pool as edited has no free address left. */
  fullPools: string[];
}

const NONE: ImpactSummary = { changes: [], services: [], addressesFreed: 0, fullPools: [] };

const samePool = (a: Pool, b: Pool): boolean => a.family === b.family && a.first === b.first && a.last === b.last;

interface Holder { ip: Ip; key: string; eip?: string }

function holdersOf(services: readonly ServiceFact[]): Holder[] {
  const out: Holder[] = [];
  for (const s of services) {
    const ip = s.ip === undefined ? undefined : parseIp(s.ip);
    if (ip) out.push({ ip, key: `${s.namespace}/${s.name}`, eip: s.eip });
  }
  return out;
}

/** The addresses of `pool` in use, grouped per address; a Service that names another Eip also
 * containing its address is counted there (overlapping pools), not here. */
function heldIn(pool: Pool, name: string, holders: readonly Holder[], containing: (h: Holder) => boolean): Map<string, HeldAddress> {
  const out = new Map<string, HeldAddress>();
  for (const h of holders) {
    if (!poolContains(pool, h.ip)) continue;
    if (h.eip && h.eip !== name && containing(h)) continue;
    const ip = formatIp(h.ip.family, h.ip.value);
    const held = out.get(ip);
    if (held) held.services.push(h.key);
    else out.set(ip, { ip, services: [h.key] });
  }
  return out;
}

/** Distinct addresses in use inside a pool, whoever holds them (the controller never hands them out). */
function usedCount(pool: Pool, holders: readonly Holder[]): bigint {
  const seen = new Set<bigint>();
  for (const h of holders) if (poolContains(pool, h.ip)) seen.add(h.ip.value);
  return BigInt(seen.size);
}

type ClusterEip = ClusterUse['eips'][number];
// The cluster's Eips by name, built once per facts (the language service asks for every file).
const byNameCache = new WeakMap<ClusterUse['eips'], Map<string, ClusterEip>>();

function eipsByName(eips: ClusterUse['eips']): Map<string, ClusterEip> {
  let m = byNameCache.get(eips);
  if (!m) byNameCache.set(eips, m = new Map(eips.map((e) => [e.name, e])));
  return m;
}

/** Impact of replacing the cluster's Eips of the same names by `desired`, and of deleting `deleted`. */
export function eipImpact(desired: readonly DesiredEip[], cluster: ClusterUse, deleted: readonly string[] = []): ImpactSummary {
  const current = eipsByName(cluster.eips);
  const edits: { before: DesiredEip; after?: DesiredEip }[] = [];
  for (const d of desired) {
    const c = current.get(d.name);
    if (!c?.pool || !d.pool) continue; // a new Eip frees nothing; an invalid address is reported by the address rules
    if (!samePool(c.pool, d.pool) || (d.disable && !c.disable)) edits.push({ before: c, after: d });
  }
  for (const name of deleted) {
    const c = current.get(name);
    if (c?.pool) edits.push({ before: c });
  }
  if (!edits.length) return NONE; // the common case costs no pass over the Services
  const holders = holdersOf(cluster.services);
  const inNamed = (h: Holder): boolean => { const p = current.get(h.eip!)?.pool; return !!p && poolContains(p, h.ip); };
  const changes: EipChange[] = [];
  for (const { before, after } of edits) {
    const c = changeOf(before, after, holders, inNamed);
    if (c) changes.push(c);
  }
  return summarize(changes);
}

function changeOf(before: DesiredEip, after: DesiredEip | undefined, holders: readonly Holder[], inNamed: (h: Holder) => boolean): EipChange | undefined {
  const oldPool = before.pool!;
  const held = [...heldIn(oldPool, before.name, holders, inNamed).values()];
  if (!after) {
    return held.length ? { name: before.name, kind: 'delete', before: before.address, lost: held, kept: [], becomesFull: false } : undefined;
  }
  const newPool = after.pool!;
  const moved = !samePool(oldPool, newPool);
  const lost = moved ? held.filter((h) => !poolContains(newPool, parseIp(h.ip)!)) : [];
  const kept = moved ? held.filter((h) => poolContains(newPool, parseIp(h.ip)!)) : held;
  const freeBefore = poolSize(oldPool) - usedCount(oldPool, holders);
  const freeAfter = poolSize(newPool) - usedCount(newPool, holders);
  const becomesFull = moved && freeAfter <= 0n && freeBefore > 0n;
  if (moved) {
    if (!lost.length && !becomesFull) return undefined;
    const kind = newPool.family === oldPool.family && newPool.first >= oldPool.first && newPool.last <= oldPool.last ? 'shrink' : 'change';
    return { name: before.name, kind, before: before.address, after: after.address, lost, kept, freeAfter, becomesFull };
  }
  return held.length ? { name: before.name, kind: 'disable', before: before.address, after: after.address, lost: [], kept, freeAfter, becomesFull: false } : undefined;
}

function summarize(changes: EipChange[]): ImpactSummary {
  const services = new Set<string>();
  let freed = 0;
  for (const c of changes) {
    freed += c.lost.length;
    for (const h of c.kind === 'disable' ? c.kept : c.lost) for (const s of h.services) services.add(s);
  }
  return { changes, services: [...services].sort(), addressesFreed: freed, fullPools: changes.filter((c) => c.becomesFull).map((c) => c.name) };
}

const plural = (n: number | bigint, one: string, many = `${one}s`): string => `${typeof n === 'bigint' ? formatCount(n) : n} ${n === 1 || n === 1n ? one : many}`;

/** "10.0.0.9 (default/web), 10.0.0.10 (shop/a, shop/b)", at most `max` addresses then "and N more". */
export function describeHeld(held: readonly HeldAddress[], max = 5): string {
  const shown = held.slice(0, max).map((h) => `${h.ip} (${h.services.join(', ')})`).join(', ');
  return held.length > max ? `${shown} and ${held.length - max} more` : shown;
}

const holderCount = (held: readonly HeldAddress[]): number => held.reduce((n, h) => n + h.services.length, 0);

/** One sentence per change, for the diagnostic, the CLI and the apply confirmation. */
export function describeChange(c: EipChange): string {
  if (c.kind === 'disable') {
    return `disabling Eip ${c.name} allocates nothing new from it; the ${plural(holderCount(c.kept), 'Service')} holding its ` +
      `${plural(c.kept.length, 'address', 'addresses')} in use keep them, still announced, as upstream OpenELB does: ${describeHeld(c.kept)}`;
  }
  if (c.kind === 'delete') {
    return `deleting Eip ${c.name} (${c.before}) frees ${plural(c.lost.length, 'address', 'addresses')} in use: ${describeHeld(c.lost)} ` +
      `lose them (another pool's address if one may serve them); upstream OpenELB allows the delete and leaves them a stale address`;
  }
  const what = c.kind === 'shrink' ? `shrinking Eip ${c.name} from ${c.before} to ${c.after}` : `changing Eip ${c.name} from ${c.before} to ${c.after}`;
  const full = c.becomesFull ? `; the pool as edited is full (no free address left)` : '';
  if (!c.lost.length) return `${what} leaves no free address given current use${full}`;
  const room = c.freeAfter! >= BigInt(c.lost.length)
    ? `the controller moves them to a free address (${plural(c.freeAfter!, 'free address', 'free addresses')} in the pool as edited)`
    : `the controller moves them to a free address where a pool has one, else they keep a stale address with an AssignIPFailed event ` +
      `(${plural(c.freeAfter! > 0n ? c.freeAfter! : 0n, 'free address', 'free addresses')} in the pool as edited)`;
  return `${what} takes ${plural(c.lost.length, 'address', 'addresses')} in use out of the pool: ${describeHeld(c.lost)} lose them; ` +
    `${room}${full}; upstream OpenELB refuses changing spec.address`;
}

/** The summary as printed by `openelb lint --cluster` and shown before Apply Current File. */
export function describeSummary(s: ImpactSummary): string[] {
  if (!s.changes.length) return ['Impact on the cluster: no address in use leaves its pool.'];
  return [
    `Impact on the cluster: ${plural(s.services.length, 'Service')} affected, ${plural(s.addressesFreed, 'address', 'addresses')} in use freed` +
      `${s.fullPools.length ? `, ${plural(s.fullPools.length, 'pool')} become${s.fullPools.length === 1 ? 's' : ''} full (${s.fullPools.join(', ')})` : ', no pool becomes full'}.`,
    ...s.changes.map((c) => `- ${describeChange(c)}.`),
  ];
}
