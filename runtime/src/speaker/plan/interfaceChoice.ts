// Which interface each layer2 Eip uses on this node (pure), from the snapshot's NICs and route
// lookups; vip Eips resolve theirs in vip.ts. Then the interfaces a driver could not open or
// use become errors, so the node reports them and the election passes it over.
import { LAYER2_NODE_ANNOTATION } from '@openelb/core/api/annotations';
import { parseIp } from '@openelb/core/address/ip';
import { canReachTarget, chooseInterface, type Choice } from '../node/interfaces';
import type { EipView } from './desiredState';
import type { Observation, Unusable } from './snapshot';

/** Eips the speaker serves on an interface of its own (the others are not looked at). */
export const servedOnInterface = (e: EipView): boolean =>
  (e.protocol === 'layer2' || e.protocol === 'vip') && e.valid && !!e.interface && !!e.pool;

/** The can_reach: addresses whose routes the plan reads: the observer looks them up ahead. */
export function routeTargets(eips: readonly EipView[]): string[] {
  const out = new Set<string>();
  for (const e of eips) {
    const target = servedOnInterface(e) ? canReachTarget(e.interface!) : undefined;
    if (target !== undefined && parseIp(target)) out.add(target);
  }
  return [...out];
}

/** The snapshot's route lookups as the function the interface choice asks. */
export const routeLookup = (o: Pick<Observation, 'routes'>) => (ip: string): string | undefined => o.routes.get(ip);

/** The interface of every served layer2 Eip, or why there is none (Eip name → choice). */
export function layer2Choices(o: Pick<Observation, 'eips' | 'nics' | 'routes' | 'self'>): Map<string, Choice> {
  // The Node may name its layer2 address: its NIC is the fallback when the Eip's is unusable.
  const layer2Address = o.self?.metadata?.annotations?.[LAYER2_NODE_ANNOTATION];
  const out = new Map<string, Choice>();
  for (const e of o.eips) {
    if (e.protocol === 'layer2' && servedOnInterface(e)) out.set(e.name, chooseInterface(e.interface!, e.pool!, o.nics, routeLookup(o), layer2Address));
  }
  return out;
}

/** The choices with every interface the driver cannot use turned into its error. */
export function withUnusable(choices: ReadonlyMap<string, Choice>, unusable: ReadonlyMap<string, Unusable>): Map<string, Choice> {
  const out = new Map<string, Choice>();
  for (const [eip, c] of choices) {
    const bad = 'ifname' in c ? unusable.get(c.ifname) : undefined;
    out.set(eip, bad ? { error: bad.error, reason: bad.reason } : c);
  }
  return out;
}

/** The elected addresses on their Eip's interface; those whose Eip has no usable one are left out. */
export function placeOnInterfaces(elected: readonly { ip: string; eip: string }[], usable: ReadonlyMap<string, Choice>): { ip: string; ifname: string }[] {
  return elected.flatMap((a) => {
    const c = usable.get(a.eip);
    return c && 'ifname' in c ? [{ ip: a.ip, ifname: c.ifname }] : [];
  });
}
