// What a ROUTE-REFRESH asks of us (pure). RFC 2918 4: a family we did not advertise is
// ignored. A peer that did not advertise the capability itself is not expected to send it:
// as GoBGP does, we ignore that too rather than re-send the table on request of a peer that
// never agreed to the exchange. RFC 7313 5: subtypes other than 0 (plain request) are BoRR/EoRR
// markers or unknown, and we do not do enhanced route refresh: ignored. Had we not advertised
// route refresh at all, type 5 would be a message type we do not know (RFC 4271 6.1, as FRR does).
import { Afi, ErrCode, HeaderSub, MsgType, Safi } from './constants';
import { BgpError } from './errors';
import { RouteRefreshMessage } from './messages';
import { Negotiated } from './negotiate';
import { Capabilities } from './open';
import { familyNegotiated } from './routes';

export type RefreshAnswer = { family: 4 | 6; ignore?: undefined; error?: undefined }
  | { ignore: string; family?: undefined; error?: undefined }
  | { error: BgpError; family?: undefined; ignore?: undefined };

export function refreshFamily(r: RouteRefreshMessage, n: Negotiated, local: Capabilities): RefreshAnswer {
  if (!local.routeRefresh) {
    return { error: new BgpError(ErrCode.HEADER, HeaderSub.BAD_TYPE, 'ROUTE-REFRESH, but we did not advertise route refresh', Uint8Array.of(MsgType.ROUTE_REFRESH)) };
  }
  if ((r.subtype ?? 0) !== 0) return { ignore: `subtype ${r.subtype} (enhanced route refresh was not negotiated)` };
  if (!n.routeRefresh) return { ignore: 'the peer did not advertise the route refresh capability' };
  const family = r.safi === Safi.UNICAST ? (r.afi === Afi.IPV4 ? 4 : r.afi === Afi.IPV6 ? 6 : undefined) : undefined;
  if (!family || !familyNegotiated(n, family)) return { ignore: `AFI ${r.afi} / SAFI ${r.safi} was not negotiated` };
  return { family };
}
