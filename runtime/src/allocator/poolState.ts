// One Eip as the allocator sees it: its parsed pool, the rules that pick it, and which
// addresses are held by which Services (OpenELB's status.used: "ip" → "ns/name;ns/other").
import { parseIp, formatIp } from '@openelb/core/address/ip';
import { parsePoolCached, poolSize, type Pool } from '@openelb/core/address/pool';
import { checkObject, splitProblems } from '@openelb/core/checkObject';
import { UsedSet } from './usedSet';

import { EIP_DEFAULT_ANNOTATION as DEFAULT_EIP_ANNOTATION, EIP_RESTRICT_ANNOTATION } from '@openelb/core/api/annotations';

/** The parts of an Eip object (network.kubesphere.io/v1alpha2) the allocator reads. */
export interface EipObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    annotations?: Record<string, string>;
    deletionTimestamp?: unknown;
    resourceVersion?: string;
    generation?: number;
    uid?: string;
    finalizers?: string[];
    /** A string as the API server sends it; a Date when a typed client parsed it. */
    creationTimestamp?: string | Date;
  };
  spec?: {
    address?: string;
    disable?: boolean;
    priority?: number;
    namespaces?: string[];
    namespaceSelector?: Record<string, string>;
    protocol?: string;
    interface?: string;
  };
  status?: { used?: Record<string, string> } & Record<string, unknown>;
}

/** What decides whether and how a pool is allocated from (everything but its holders). */
export interface PoolSpec {
  name: string;
  /** Undefined when spec.address does not parse. */
  pool?: Pool;
  /**
   * Why the Eip must not be allocated from (checkObject's blocking findings, rules/blocking.ts);
   * empty when it is usable. Overlap with other Eips is decided across them (Allocations.refusal).
   */
  problems: string[];
  /** Findings that do not block (shown in the Valid condition's message). */
  advice: string[];
  /** creationTimestamp in ms (the older of two overlapping Eips keeps serving); undefined if unknown. */
  created?: number;
  disabled: boolean;
  deleting: boolean;
  isDefault: boolean;
  priority: number;
  namespaces: string[];
  namespaceSelector?: Record<string, string>;
  /** Only the namespaces bound by namespaces/namespaceSelector may use it (EIP_RESTRICT_ANNOTATION). */
  restricted: boolean;
}

/** The addresses in use, as the planner reads them (a UsedSet, or a batch's overlay of one). */
export interface UsedView extends Iterable<bigint> {
  readonly size: number;
  has(ip: bigint): boolean;
  lowestFree(first: bigint, last: bigint): bigint | undefined;
}

/** Address → keys of its holders, as the planner reads them. */
export interface HoldersView extends Iterable<[bigint, readonly string[]]> {
  get(ip: bigint): readonly string[] | undefined;
}

/** A pool as the planner reads it: committed (PoolState) or with a batch's changes (overlay.ts). */
export interface PoolView extends PoolSpec {
  used: UsedView;
  holders: HoldersView;
}

/** A pool's committed state: the record of one Eip. */
export interface PoolState extends PoolSpec {
  used: UsedSet;
  /** Address → keys ("namespace/name") of the Services holding it; several when shared. */
  holders: Map<bigint, string[]>;
}

export function poolStateFromEip(eip: EipObject): PoolState {
  const spec = eip.spec ?? {};
  // The memoised parse: the same Pool object for the same address, so ipTexts below outlives
  // the re-reads of an Eip.
  const parsed = typeof spec.address === 'string' ? parsePoolCached(spec.address) : { problems: [] };
  const found = splitProblems(checkObject({ ...eip, kind: 'Eip' }));
  const problems = found.blocking.map((p) => `${p.path}: ${p.message}`);
  if (!parsed.pool && problems.length === 0) problems.push('spec.address: not a valid address pool');
  const state: PoolState = {
    name: eip.metadata?.name ?? '',
    pool: parsed.pool,
    problems,
    advice: found.advice.map((p) => `${p.path}: ${p.message}`),
    created: createdMs(eip.metadata?.creationTimestamp),
    disabled: spec.disable === true,
    deleting: eip.metadata?.deletionTimestamp != null,
    isDefault: eip.metadata?.annotations?.[DEFAULT_EIP_ANNOTATION] === 'true',
    priority: typeof spec.priority === 'number' ? spec.priority : 0,
    namespaces: Array.isArray(spec.namespaces) ? spec.namespaces : [],
    namespaceSelector: spec.namespaceSelector ?? undefined,
    restricted: eip.metadata?.annotations?.[EIP_RESTRICT_ANNOTATION] === 'true',
    used: new UsedSet(),
    holders: new Map(),
  };
  // Recorded holders are kept only for addresses inside the pool.
  for (const [ipText, keys] of Object.entries(eip.status?.used ?? {})) {
    const ip = parseIp(ipText);
    if (!ip || !state.pool || ip.family !== state.pool.family || ip.value < state.pool.first || ip.value > state.pool.last) continue;
    for (const key of String(keys).split(';').filter((k) => k.includes('/'))) hold(state, ip.value, key);
  }
  return state;
}

function createdMs(t: string | Date | undefined): number | undefined {
  const ms = t instanceof Date ? t.getTime() : typeof t === 'string' ? Date.parse(t) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** An independent copy of a pool state: holding or freeing in it leaves the original alone. */
export function clonePoolState(s: PoolState): PoolState {
  // Holder lists are never changed in place (hold, unhold and setHolders replace them).
  return { ...s, used: s.used.clone(), holders: new Map(s.holders) };
}

/** Makes exactly `keys` hold `ip` (none: the address is free). */
export function setHolders(s: PoolState, ip: bigint, keys: readonly string[]): void {
  if (keys.length) {
    s.holders.set(ip, [...keys]);
    s.used.add(ip);
  } else {
    s.holders.delete(ip);
    s.used.delete(ip);
  }
}

/** True when the pool has no free address. */
export function isFull(s: PoolView): boolean {
  return !s.pool || BigInt(s.used.size) >= poolSize(s.pool);
}

/** May new addresses be taken from this pool? (Overlap with other Eips: Allocations.refusal.) */
export function isUsable(s: PoolSpec): boolean {
  return !!s.pool && s.problems.length === 0 && !s.disabled && !s.deleting;
}

export function hold(s: PoolState, ip: bigint, key: string): void {
  const keys = s.holders.get(ip);
  if (keys) {
    if (!keys.includes(key)) s.holders.set(ip, [...keys, key]);
  } else {
    s.holders.set(ip, [key]);
    s.used.add(ip);
  }
}

/**
 * Drops every address the Service holds in this pool (or only those of `at`, when the caller
 * knows them: no walk over the whole pool); returns the addresses freed or shared.
 */
export function unhold(s: PoolState, key: string, at?: Iterable<bigint>): bigint[] {
  const out: bigint[] = [];
  const entries = at ? [...at].map((ip): [bigint, string[]] => [ip, s.holders.get(ip) ?? []]) : s.holders;
  for (const [ip, keys] of entries) {
    if (!keys.includes(key)) continue;
    out.push(ip);
    const rest = keys.filter((k) => k !== key);
    if (rest.length) {
      s.holders.set(ip, rest);
    } else {
      s.holders.delete(ip);
      s.used.delete(ip);
    }
  }
  return out;
}

/** The fields of the Eip status the controller owns, as OpenELB writes them. */
export interface EipStatusFields {
  poolSize: number;
  firstIP: string;
  lastIP: string;
  v4: boolean;
  used?: Record<string, string>;
  usage: number;
  occupied: boolean;
  ready: boolean;
}

/**
 * Address text by value, per pool (shared by the copies of a pool state, which share its Pool).
 * statusFields writes every used address at each commit, and formatting them all again (IPv6
 * above all) was the larger part of it. Bounded: cleared when it outgrows the used set twice.
 */
const ipTexts = new WeakMap<Pool, Map<bigint, string>>();

function ipText(pool: Pool, ip: bigint, texts: Map<bigint, string>): string {
  let t = texts.get(ip);
  if (t === undefined) texts.set(ip, (t = formatIp(pool.family, ip)));
  return t;
}

export function statusFields(s: PoolState): EipStatusFields | undefined {
  if (!s.pool) return undefined;
  let texts = ipTexts.get(s.pool);
  if (!texts || texts.size > 2 * s.used.size + 1024) ipTexts.set(s.pool, (texts = new Map()));
  const used: Record<string, string> = {};
  for (const ip of s.used) {
    used[ipText(s.pool, ip, texts)] = (s.holders.get(ip) ?? []).join(';');
  }
  const size = poolSize(s.pool);
  return {
    // A JSON number; exact up to 2^53, and OpenELB itself caps pools at 2^63-1.
    poolSize: Number(size),
    firstIP: formatIp(s.pool.family, s.pool.first),
    lastIP: formatIp(s.pool.family, s.pool.last),
    v4: s.pool.family === 4,
    ...(s.used.size ? { used } : {}),
    usage: s.used.size,
    occupied: BigInt(s.used.size) >= size,
    ready: s.problems.length === 0,
  };
}
