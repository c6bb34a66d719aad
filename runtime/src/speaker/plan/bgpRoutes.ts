// The host routes this node originates over BGP (pure): each address desiredState() gives it,
// with this node's InternalIP of the address's family as next hop (an IPv6 route cannot be
// reached through an IPv4 next hop, so without one the route is left out and that is said once).
import { parseIp } from '@openelb/core/address/ip';
import { nodeAddress, type NodeInfo } from '../node/bgpConfig';
import type { BgpAnnouncement } from './desiredState';

export interface BgpRoutes {
  /** prefix (ip/32, ip/128) → next hop. */
  routes: Map<string, string>;
  problems: string[];
}

export function bgpRoutes(wanted: readonly BgpAnnouncement[], node: NodeInfo): BgpRoutes {
  const out: BgpRoutes = { routes: new Map(), problems: [] };
  for (const r of wanted) {
    const nextHop = nodeAddress(node, parseIp(r.ip)!.family);
    if (nextHop) out.routes.set(r.prefix, nextHop);
    else out.problems.push(`bgp: no InternalIP of ${r.ip}'s family on this node; not announcing ${r.prefix}`);
  }
  return out;
}
