// What two speakers agree on after exchanging OPENs, and the semantic checks on the
// peer's OPEN (RFC 4271 6.2, RFC 6793 for the AS, RFC 4760 for families).
import { AS_TRANS, Afi, ErrCode, OpenSub, Safi } from './constants';
import { BgpError } from './errors';
import { AfiSafi, Capabilities, OpenMessage, openAs } from './open';

export interface LocalOpenConfig {
  localAs: number;
  /** Expected peer AS. */
  peerAs: number;
  routerId: number;
  /** Our proposed hold time in seconds (0 or >= 3). */
  holdTime: number;
  caps: Capabilities;
}

export interface Negotiated {
  peerAs: number;
  peerRouterId: number;
  /** min(ours, theirs); 0 disables keepalives and the hold timer. */
  holdTime: number;
  /** holdTime / 3, rounded down (RFC 4271 10 suggests one third). */
  keepalive: number;
  fourOctetAs: boolean;
  /** Families both sides can exchange. */
  families: AfiSafi[];
  routeRefresh: boolean;
  /** Graceful restart time the peer asked for, when it sent the capability. */
  peerRestartTime?: number;
}

const openErr = (sub: number, msg: string, data?: Uint8Array) => new BgpError(ErrCode.OPEN, sub, msg, data);

/** RFC 4760 8: a peer that sends no multiprotocol capability speaks IPv4 unicast only. */
function familiesOf(c: Capabilities): AfiSafi[] {
  return c.multiprotocol.length ? c.multiprotocol : [{ afi: Afi.IPV4, safi: Safi.UNICAST }];
}

export function negotiate(peer: OpenMessage, local: LocalOpenConfig): Negotiated {
  if (peer.holdTime === 1 || peer.holdTime === 2) {
    throw openErr(OpenSub.UNACCEPTABLE_HOLD_TIME, `hold time ${peer.holdTime} is below 3 seconds`);
  }
  if (peer.bgpId === 0 || peer.bgpId === 0xffffffff) {
    throw openErr(OpenSub.BAD_BGP_ID, 'BGP identifier is not a valid unicast address');
  }
  const as = openAs(peer);
  if (peer.caps.fourOctetAs !== undefined && peer.myAs !== AS_TRANS && peer.myAs !== peer.caps.fourOctetAs) {
    throw openErr(OpenSub.BAD_PEER_AS, `2-octet AS ${peer.myAs} disagrees with 4-octet AS ${peer.caps.fourOctetAs}`);
  }
  if (as !== local.peerAs) throw openErr(OpenSub.BAD_PEER_AS, `peer AS ${as}, expected ${local.peerAs}`);
  if (as === local.localAs && peer.bgpId === local.routerId) {
    throw openErr(OpenSub.BAD_BGP_ID, 'iBGP peer has our own BGP identifier');
  }
  const holdTime = Math.min(peer.holdTime, local.holdTime);
  const theirs = familiesOf(peer.caps);
  const families = familiesOf(local.caps).filter((f) => theirs.some((t) => t.afi === f.afi && t.safi === f.safi));
  return {
    peerAs: as,
    peerRouterId: peer.bgpId,
    holdTime,
    keepalive: Math.floor(holdTime / 3),
    fourOctetAs: peer.caps.fourOctetAs !== undefined && local.caps.fourOctetAs !== undefined,
    families,
    routeRefresh: peer.caps.routeRefresh && local.caps.routeRefresh,
    peerRestartTime: peer.caps.gracefulRestart?.restartTime,
  };
}

/** Dotted-quad text to a 32-bit router ID. */
export function parseRouterId(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
}

export function formatRouterId(id: number): string {
  return [24, 16, 8, 0].map((s) => (id >>> s) & 0xff).join('.');
}
