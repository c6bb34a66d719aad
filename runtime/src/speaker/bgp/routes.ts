// Turning our announced routes into UPDATE messages for one peer (pure).
import { Ip } from '@openelb/core/address/ip';
import { Afi, Origin, Safi } from './constants';
import { PathAttributes, asSequence } from './attributes';
import { Prefix, formatPrefix } from './prefix';
import { UpdateMessage } from './update';
import { Negotiated } from './negotiate';

export interface Route { prefix: Prefix; nextHop: Ip }

export interface PeerView { localAs: number; peerAs: number; negotiated: Negotiated }

export const routeKey = (p: Prefix) => formatPrefix(p);

export function familyNegotiated(n: Negotiated, family: 4 | 6): boolean {
  const afi = family === 4 ? Afi.IPV4 : Afi.IPV6;
  return n.families.some((f) => f.afi === afi && f.safi === Safi.UNICAST);
}

/**
 * One UPDATE announcing `prefixes` (all of `nextHop`'s family) with the same attributes.
 * eBGP prepends our AS; iBGP sends LOCAL_PREF 100.
 */
export function announceMany(prefixes: Prefix[], nextHop: Ip, v: PeerView): UpdateMessage {
  const ibgp = v.localAs === v.peerAs;
  const attrs: PathAttributes = {
    origin: Origin.IGP,
    asPath: ibgp ? [] : asSequence(v.localAs),
    localPref: ibgp ? 100 : undefined,
    other: [],
  };
  if (nextHop.family === 4) {
    attrs.nextHop = nextHop.value;
    return { withdrawn: [], attrs, nlri: prefixes };
  }
  attrs.mpReach = { afi: Afi.IPV6, safi: Safi.UNICAST, nextHops: [nextHop], nlri: prefixes };
  return { withdrawn: [], attrs, nlri: [] };
}

/** The UPDATE announcing one route. */
export function announceUpdate(r: Route, v: PeerView): UpdateMessage {
  return announceMany([r.prefix], r.nextHop, v);
}

/** One UPDATE withdrawing `prefixes`, all of `family`. */
export function withdrawMany(prefixes: Prefix[], family: 4 | 6): UpdateMessage {
  if (family === 4) return { withdrawn: prefixes, attrs: { other: [] }, nlri: [] };
  return { withdrawn: [], attrs: { mpUnreach: { afi: Afi.IPV6, safi: Safi.UNICAST, withdrawn: prefixes }, other: [] }, nlri: [] };
}

export function withdrawUpdate(p: Prefix): UpdateMessage {
  return withdrawMany([p], p.family);
}

/** End-of-RIB marker (RFC 4724 2): an empty UPDATE, or an empty MP_UNREACH for IPv6. */
export function endOfRib(family: 4 | 6): UpdateMessage {
  return withdrawMany([], family);
}
