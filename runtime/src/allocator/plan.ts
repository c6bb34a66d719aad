// The allocation decision for one Service, following OpenELB v0.6:
//   1. a Service that is not `type: LoadBalancer` with `lb.kubesphere.io/v1alpha1: openelb`
//      (or is being deleted) holds nothing: release what it has;
//   2. a Service that holds an address keeps it unless it now explicitly asks for another Eip
//      or another address: changed priorities, bindings or default pools never move it;
//   3. otherwise the pool is, in order: the Eip named by `eip.openelb.kubesphere.io/v1alpha2`;
//      the Eip containing the requested address (`eip.openelb.kubesphere.io/v1alpha1` or
//      spec.loadBalancerIP); the Eips bound to the Service's namespace (spec.namespaces or
//      spec.namespaceSelector), non-full first then lowest spec.priority; the default Eip;
//   4. the address is the requested one, else the lowest free address of the pool. A requested
//      address others hold is shared only with their consent (sharing.ts: same namespace or the
//      same sharing key, no port clash, matching backends for externalTrafficPolicy Local);
//      upstream shares with anyone who asks.
// An Eip with eip.openelb.kubesphere.io/restrict-to-namespaces: "true" serves only the
// namespaces its spec.namespaces / spec.namespaceSelector bind, whichever way it is asked for.
// Disabled, deleting and invalid Eips (blocking findings only, rules/blocking.ts; advice never
// refuses a pool) are never allocated from, nor is an Eip overlapping an older one (overlap.ts),
// and the pool's family must be one of the Service's spec.ipFamilies. An address held by a
// Service of an overlapping pool is never handed out as a free one.
import { formatIp, parseIp, type Ip } from '@openelb/core/address/ip';
import { poolContains, poolsOverlap } from '@openelb/core/address/pool';
import { EIP_RESTRICT_ANNOTATION } from '@openelb/core/api/annotations';
import { bindsNamespace, describeBinding } from '@openelb/core/api/namespaceAccess';
import type { Allocation, AllocationView } from './allocations';
import { isFull, type PoolView } from './poolState';
import type { ServiceRequest } from './service';
import { sharingRefusal, type PeerLookup } from './sharing';

export type AssignReason = 'pool-annotation' | 'requested-ip' | 'namespace' | 'default' | 'adopted';

export type Plan =
  | { action: 'none' }
  | { action: 'keep'; eip: string; ip: bigint }
  | { action: 'release'; eip: string; ip: bigint }
  | { action: 'assign'; eip: string; ip: bigint; shared: boolean; reason: AssignReason; previous?: Allocation }
  | { action: 'fail'; message: string; current?: Allocation; refusedBy?: string };

type Choice = { pool: PoolView; reason: AssignReason } | { error: string };

function familyOk(req: ServiceRequest, s: PoolView): boolean {
  return !!s.pool && (req.families.length === 0 || req.families.includes(s.pool.family));
}

function families(req: ServiceRequest): string {
  return req.families.map((f) => `IPv${f}`).join(', ');
}

/** Why a pool named or implied by the Service cannot be used, or undefined when it can. */
function unusable(req: ServiceRequest, s: PoolView, allocs: AllocationView): string | undefined {
  if (s.deleting) return `Eip ${s.name} is being deleted`;
  if (s.disabled) return `Eip ${s.name} is disabled`;
  if (s.problems.length) return `Eip ${s.name} is invalid: ${s.problems.join('; ')}`;
  const refusal = allocs.refusal(s.name);
  if (refusal) return `Eip ${s.name} is refused: ${refusal.message}`;
  if (!familyOk(req, s)) return `Eip ${s.name} is IPv${s.pool?.family} but the Service's ipFamilies are ${families(req)}`;
  return undefined;
}

/** Why a restricted Eip refuses the Service's namespace, or undefined when it may use the Eip. */
function restriction(req: ServiceRequest, s: PoolView, nsLabels: Record<string, string> | undefined): string | undefined {
  if (!s.restricted || boundToNamespace(s, req.namespace, nsLabels)) return undefined;
  const allowed = describeBinding({ namespaces: s.namespaces, selector: s.namespaceSelector });
  return `Eip ${s.name} is restricted to its namespaces (${EIP_RESTRICT_ANNOTATION}: "true") and serves only ` +
    `${allowed}; namespace ${req.namespace} is not one of them`;
}

function boundToNamespace(s: PoolView, ns: string, nsLabels: Record<string, string> | undefined): boolean {
  return bindsNamespace({ namespaces: s.namespaces, selector: s.namespaceSelector }, ns, nsLabels) === true;
}

const byName = (a: PoolView, b: PoolView): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function choosePool(req: ServiceRequest, allocs: AllocationView, requested: Ip | undefined, nsLabels?: Record<string, string>): Choice {
  const pools = [...allocs.pools.values()].sort(byName);
  if (req.requestedPool) {
    const s = allocs.pools.get(req.requestedPool);
    if (!s) return { error: `Eip ${req.requestedPool} does not exist` };
    const why = unusable(req, s, allocs) ?? restriction(req, s, nsLabels);
    if (why) return { error: why };
    if (requested && !poolContains(s.pool!, requested)) {
      return { error: `no available eip was found containing the ip: Eip ${s.name} does not contain ${req.requestedIp}` };
    }
    return { pool: s, reason: 'pool-annotation' };
  }
  if (requested) {
    const s = pools.find((p) => p.pool && poolContains(p.pool, requested));
    if (!s) return { error: `no available eip was found containing the ip: ${req.requestedIp}` };
    const why = unusable(req, s, allocs) ?? restriction(req, s, nsLabels);
    return why ? { error: why } : { pool: s, reason: 'requested-ip' };
  }
  const bound = pools.filter((p) => !unusable(req, p, allocs) && boundToNamespace(p, req.namespace, nsLabels));
  if (bound.length) {
    bound.sort((a, b) => Number(isFull(a)) - Number(isFull(b)) || a.priority - b.priority || byName(a, b));
    return { pool: bound[0], reason: 'namespace' };
  }
  const def = pools.find((p) => p.isDefault && !unusable(req, p, allocs) && !restriction(req, p, nsLabels));
  if (def) return { pool: def, reason: 'default' };
  return { error: `no Eip serves namespace ${req.namespace} (${families(req) || 'any family'}) and there is no usable default Eip` };
}

/** The other pools sharing addresses with `s` (their holders' addresses are not free in `s`). */
export function overlapping(s: PoolView, allocs: AllocationView | undefined): PoolView[] {
  if (!allocs || !s.pool) return [];
  return [...allocs.pools.values()].filter((p) => p.name !== s.name && p.pool && poolsOverlap(p.pool, s.pool!) && p.used.size);
}

/** The lowest address of `s` free in it and in every pool of `others`. */
function lowestFreeAcross(s: PoolView, others: PoolView[]): bigint | undefined {
  const pool = s.pool!;
  for (let from = pool.first; ;) {
    const ip = s.used.lowestFree(from, pool.last);
    if (ip === undefined) return undefined;
    let next = ip;
    for (const o of others) if (o.used.has(next)) next = o.used.lowestFree(next, pool.last) ?? pool.last + 1n;
    if (next === ip) return ip;
    from = next;
  }
}

/**
 * Chooses the address inside a pool: the requested one (possibly shared) or the lowest free,
 * where free also means no Service of an overlapping pool holds it (`allocs` gives those pools).
 */
export function chooseAddress(s: PoolView, requested: Ip | undefined, allocs?: AllocationView): { ip: bigint; shared: boolean } | { error: string } {
  const pool = s.pool!;
  const others = overlapping(s, allocs);
  if (requested) {
    if (!poolContains(pool, requested)) return { error: `Eip ${s.name} does not contain ${formatIp(requested.family, requested.value)}` };
    return { ip: requested.value, shared: s.used.has(requested.value) || others.some((o) => o.used.has(requested.value)) };
  }
  const ip = lowestFreeAcross(s, others);
  if (ip === undefined) {
    const elsewhere = others.length ? ` (counting those held through the overlapping ${others.map((o) => `Eip ${o.name}`).join(', ')})` : '';
    return { error: `Eip ${s.name} is full: all ${s.used.size} addresses are in use${elsewhere}` };
  }
  return { ip, shared: false };
}

/** Does the current allocation still honour what the Service explicitly asks for? */
function satisfies(req: ServiceRequest, cur: Allocation, requested: Ip | undefined, s: PoolView): boolean {
  if (req.requestedPool && req.requestedPool !== cur.eip) return false;
  if (requested && (requested.family !== s.pool?.family || requested.value !== cur.ip)) return false;
  return true;
}

/** Every Service holding `ip` in `s` or in a pool overlapping it. */
function holdersOf(s: PoolView, ip: bigint, allocs: AllocationView): string[] {
  return [s, ...overlapping(s, allocs)].flatMap((p) => p.holders.get(ip) ?? []);
}

/** Re-records the address a Service already shows in its status when no Eip lists it. */
function adopt(req: ServiceRequest, allocs: AllocationView, requested: Ip | undefined, nsLabels: Record<string, string> | undefined, peers: PeerLookup | undefined): Plan | undefined {
  for (const text of req.statusIps) {
    const ip = parseIp(text);
    if (!ip) continue;
    const s = [...allocs.pools.values()].sort(byName).find((p) => p.pool && !p.deleting && poolContains(p.pool, ip));
    if (!s || !familyOk(req, s) || !satisfies(req, { eip: s.name, ip: ip.value }, requested, s) || restriction(req, s, nsLabels)) continue;
    const holders = holdersOf(s, ip.value, allocs);
    const held = holders.length > 0;
    if (held && !requested) continue; // someone else holds it; sharing needs an explicit request
    if (held && sharingRefusal(req, text, holders, peers)) continue;
    return { action: 'assign', eip: s.name, ip: ip.value, shared: held, reason: 'adopted' };
  }
  return undefined;
}

/**
 * `peers` finds the requests of other Services (the holders of an address this one asks for);
 * without it, or for a holder it does not know, a held address is not shared.
 */
export function planService(req: ServiceRequest, allocs: AllocationView, nsLabels?: Record<string, string>, peers?: PeerLookup): Plan {
  const cur = allocs.allocationOf(req.key);
  if (!req.wanted) return cur ? { action: 'release', ...cur } : { action: 'none' };

  let requested: Ip | undefined;
  if (req.requestedIp) {
    requested = parseIp(req.requestedIp);
    if (!requested) return { action: 'fail', message: `the requested address '${req.requestedIp}' is not an IP address`, current: cur };
  }

  if (cur) {
    const s = allocs.pools.get(cur.eip);
    const stillThere = !!s?.pool && !s.deleting && cur.ip >= s.pool.first && cur.ip <= s.pool.last;
    if (stillThere && satisfies(req, cur, requested, s)) return { action: 'keep', ...cur };
  } else {
    const adopted = adopt(req, allocs, requested, nsLabels, peers);
    if (adopted) return adopted;
  }

  const choice = choosePool(req, allocs, requested, nsLabels);
  if ('error' in choice) return { action: 'fail', message: choice.error, current: cur };
  const addr = chooseAddress(choice.pool, requested, allocs);
  if ('error' in addr) return { action: 'fail', message: addr.error, current: cur };
  if (addr.shared) {
    const refused = sharingRefusal(req, req.requestedIp!, holdersOf(choice.pool, addr.ip, allocs), peers);
    if (refused) return { action: 'fail', message: refused.message, current: cur, refusedBy: refused.holder };
  }
  return { action: 'assign', eip: choice.pool.name, ...addr, reason: choice.reason, ...(cur ? { previous: cur } : {}) };
}
