// Vip mode, the pure part: which host addresses this node holds on which interface, and the
// changes that take the node from what it holds to that.
//
// Upstream OpenELB runs keepalived for vip Eips: the active node has the address on the Eip's
// interface and the kernel answers ARP/NDP and traffic for it. Here the active node is the
// owner the layer2 election picks (desiredState.ts: live Leases, Ready nodes, unable nodes left
// out), so failover is exactly as fast as layer2's.
import { bits, parseIp } from '@openelb/core/address/ip';
import { poolContains, type Pool } from '@openelb/core/address/pool';
import { resolveInterface, type Choice, type Nic } from '../node/interfaces';
import type { EipView, Layer2Announcement } from './desiredState';
import { placeOnInterfaces } from './interfaceChoice';

/** A host address (/32 or /128) on an interface. */
export interface VipPlacement { ip: string; ifname: string }

export interface VipChanges { add: VipPlacement[]; remove: VipPlacement[] }

/** "4:3232235530": one key per address, whatever its spelling ("fd00::1" = "fd00:0::1"). */
const keyOf = (ip: string): string => {
  const p = parseIp(ip);
  return p ? `${p.family}:${p.value}` : ip;
};
/** One key per address on an interface. */
export const placementKey = (p: VipPlacement): string => `${p.ifname} ${keyOf(p.ip)}`;

const usableVip = (e: EipView): boolean => e.protocol === 'vip' && e.valid && !!e.interface && !!e.pool;

/**
 * The interface of every usable vip Eip on this node, or why there is none. Unlike layer2 there
 * is no subnet check: the address is the node's own, so it is reachable wherever routes lead
 * (keepalived does not check either).
 */
export function vipInterfaces(eips: readonly EipView[], nics: readonly Nic[], routeDevice: (ip: string) => string | undefined): Map<string, Choice> {
  return new Map(eips.filter(usableVip).map((e) => [e.name, resolveInterface(e.interface!, nics, routeDevice)]));
}

/** The pools of the usable vip Eips: only host addresses inside them are ever removed as stale. */
export function vipPools(eips: readonly EipView[]): Pool[] {
  return eips.filter(usableVip).map((e) => e.pool!);
}

/** The interface names among `choices`. */
export function interfaceNames(choices: ReadonlyMap<string, Choice>): Set<string> {
  return new Set([...choices.values()].flatMap((c) => ('ifname' in c ? [c.ifname] : [])));
}

/** The elected addresses on their Eip's interface; those whose Eip has no usable one are left out. */
export function placeVips(elected: readonly Layer2Announcement[], usable: ReadonlyMap<string, Choice>): VipPlacement[] {
  return placeOnInterfaces(elected, usable);
}

/** Whether "ADDR/PREFIX" is a host address inside one of `pools`. */
export function isVipAddress(ip: string, prefix: number, pools: readonly Pool[]): boolean {
  const p = parseIp(ip);
  return !!p && prefix === bits(p.family) && pools.some((pool) => poolContains(pool, p));
}

/**
 * The changes that make this node hold exactly `wanted`.
 * `held`: what the driver may have put on interfaces; `observed`: for interfaces just listed,
 * their addresses as the kernel shows them (ADDR + prefix length).
 * - remove: what is held but not wanted, and every host address inside a vip pool on a listed
 *   interface that is not wanted there (a crashed speaker's leftover, or anyone's: another node
 *   owns it now, and two holders would split the neighbours);
 * - add: what is wanted but not held, or held but gone from a listed interface.
 */
export function vipChanges(wanted: readonly VipPlacement[], held: readonly VipPlacement[],
  observed: ReadonlyMap<string, readonly { ip: string; prefix: number }[]>, pools: readonly Pool[]): VipChanges {
  const want = new Map(wanted.map((w) => [placementKey(w), w]));
  const heldKeys = new Set(held.map(placementKey));
  const remove = new Map<string, VipPlacement>();
  for (const h of held) if (!want.has(placementKey(h))) remove.set(placementKey(h), h);
  const present = new Set<string>();
  for (const [ifname, addrs] of observed) {
    for (const a of addrs) {
      const p: VipPlacement = { ip: a.ip, ifname };
      if (a.prefix === bits(parseIp(a.ip)?.family ?? 4)) present.add(placementKey(p));
      if (!want.has(placementKey(p)) && isVipAddress(a.ip, a.prefix, pools)) remove.set(placementKey(p), p);
    }
  }
  const add = wanted.filter((w) => !heldKeys.has(placementKey(w)) || (observed.has(w.ifname) && !present.has(placementKey(w))));
  return { add, remove: [...remove.values()] };
}

/** The interfaces without the addresses this node holds as vips (they come and go with failover). */
export function withoutVips(nics: readonly Nic[], held: Iterable<string>): Nic[] {
  const keys = new Set([...held].map(keyOf));
  return nics.map((n) => ({ ...n, addresses: n.addresses.filter((a) => !(a.prefix === bits(a.family) && keys.has(`${a.family}:${a.value}`))) }));
}
