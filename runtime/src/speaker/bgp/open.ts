// OPEN message body (RFC 4271 4.2) with capabilities (RFC 5492): multiprotocol (RFC 4760),
// route refresh (RFC 2918), graceful restart (RFC 4724) and 4-octet AS (RFC 6793).
import { AS_TRANS, BGP_VERSION, Cap, ErrCode, OPT_PARAM_CAPABILITIES, OpenSub } from './constants';
import { BgpError, u16 } from './errors';

export interface AfiSafi { afi: number; safi: number }

export interface GracefulRestart {
  /** R bit: the sender has restarted. */
  restarting: boolean;
  /** Seconds the peer should keep our routes while we restart (12 bits). */
  restartTime: number;
  families: (AfiSafi & { forwardingPreserved: boolean })[];
}

export interface Capabilities {
  multiprotocol: AfiSafi[];
  routeRefresh: boolean;
  fourOctetAs?: number;
  gracefulRestart?: GracefulRestart;
  /** Capabilities we do not interpret, kept for display. */
  unknown: { code: number; value: Uint8Array }[];
}

export interface OpenMessage {
  version: number;
  /** The 2-octet "My Autonomous System" field (AS_TRANS for large AS numbers). */
  myAs: number;
  holdTime: number;
  /** BGP Identifier as an unsigned 32-bit integer. */
  bgpId: number;
  caps: Capabilities;
}

export function emptyCapabilities(): Capabilities {
  return { multiprotocol: [], routeRefresh: false, unknown: [] };
}

/** The AS a peer really has: the 4-octet capability wins over the 2-octet field. */
export function openAs(open: OpenMessage): number {
  return open.caps.fourOctetAs ?? open.myAs;
}

function encodeCaps(c: Capabilities): number[] {
  const out: number[] = [];
  const cap = (code: number, value: number[]) => out.push(code, value.length, ...value);
  for (const f of c.multiprotocol) cap(Cap.MULTIPROTOCOL, [f.afi >> 8, f.afi & 0xff, 0, f.safi]);
  if (c.routeRefresh) cap(Cap.ROUTE_REFRESH, []);
  if (c.gracefulRestart) {
    const g = c.gracefulRestart;
    const head = ((g.restarting ? 0x8 : 0) << 12) | (g.restartTime & 0xfff);
    const v = [head >> 8, head & 0xff];
    for (const f of g.families) v.push(f.afi >> 8, f.afi & 0xff, f.safi, f.forwardingPreserved ? 0x80 : 0);
    cap(Cap.GRACEFUL_RESTART, v);
  }
  if (c.fourOctetAs !== undefined) {
    const a = c.fourOctetAs >>> 0;
    cap(Cap.FOUR_OCTET_AS, [a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff]);
  }
  for (const u of c.unknown) cap(u.code, [...u.value]);
  return out;
}

/** Encodes the OPEN body (everything after the 19-octet header). */
export function encodeOpenBody(m: OpenMessage): Uint8Array {
  const caps = encodeCaps(m.caps);
  const params = caps.length ? [OPT_PARAM_CAPABILITIES, caps.length, ...caps] : [];
  if (params.length > 255) throw new Error('too many capabilities for one OPEN');
  const id = m.bgpId >>> 0;
  return Uint8Array.from([
    m.version, m.myAs >> 8, m.myAs & 0xff, m.holdTime >> 8, m.holdTime & 0xff,
    id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff,
    params.length, ...params,
  ]);
}

/** Builds our OPEN: a large AS goes into the 2-octet field as AS_TRANS. */
export function makeOpen(localAs: number, holdTime: number, bgpId: number, caps: Capabilities): OpenMessage {
  return { version: BGP_VERSION, myAs: localAs > 0xffff ? AS_TRANS : localAs, holdTime, bgpId, caps };
}

const openErr = (sub: number, msg: string, data?: Uint8Array) => new BgpError(ErrCode.OPEN, sub, msg, data);

function decodeCaps(b: Uint8Array, into: Capabilities): void {
  let i = 0;
  while (i < b.length) {
    if (i + 2 > b.length) throw openErr(OpenSub.UNSPECIFIC, 'truncated capability header');
    const code = b[i];
    const len = b[i + 1];
    const v = b.subarray(i + 2, i + 2 + len);
    if (v.length !== len) throw openErr(OpenSub.UNSPECIFIC, `capability ${code} overruns its parameter`);
    i += 2 + len;
    switch (code) {
      case Cap.MULTIPROTOCOL:
        if (len !== 4) throw openErr(OpenSub.UNSPECIFIC, `multiprotocol capability length ${len} != 4`);
        into.multiprotocol.push({ afi: (v[0] << 8) | v[1], safi: v[3] });
        break;
      case Cap.ROUTE_REFRESH:
        into.routeRefresh = true;
        break;
      case Cap.FOUR_OCTET_AS:
        if (len !== 4) throw openErr(OpenSub.UNSPECIFIC, `4-octet AS capability length ${len} != 4`);
        into.fourOctetAs = ((v[0] << 24) | (v[1] << 16) | (v[2] << 8) | v[3]) >>> 0;
        break;
      case Cap.GRACEFUL_RESTART: {
        if (len < 2 || (len - 2) % 4 !== 0) throw openErr(OpenSub.UNSPECIFIC, `graceful restart capability length ${len}`);
        const families: GracefulRestart['families'] = [];
        for (let j = 2; j < len; j += 4) {
          families.push({ afi: (v[j] << 8) | v[j + 1], safi: v[j + 2], forwardingPreserved: (v[j + 3] & 0x80) !== 0 });
        }
        into.gracefulRestart = { restarting: (v[0] & 0x80) !== 0, restartTime: ((v[0] & 0x0f) << 8) | v[1], families };
        break;
      }
      default:
        into.unknown.push({ code, value: v.slice() });
    }
  }
}

/** Decodes and syntax-checks an OPEN body. Semantic checks (peer AS, hold time) live in negotiate.ts. */
export function decodeOpenBody(b: Uint8Array): OpenMessage {
  if (b.length < 10) throw new BgpError(ErrCode.HEADER, 2, 'OPEN shorter than 29 octets', u16(b.length + 19));
  const version = b[0];
  if (version !== BGP_VERSION) {
    // Data: the largest version we support (RFC 4271 6.2).
    throw openErr(OpenSub.UNSUPPORTED_VERSION, `unsupported BGP version ${version}`, u16(BGP_VERSION));
  }
  const myAs = (b[1] << 8) | b[2];
  const holdTime = (b[3] << 8) | b[4];
  const bgpId = ((b[5] << 24) | (b[6] << 16) | (b[7] << 8) | b[8]) >>> 0;
  const optLen = b[9];
  if (10 + optLen !== b.length) {
    throw openErr(OpenSub.UNSPECIFIC, `optional parameters length ${optLen} does not match the message`);
  }
  const caps = emptyCapabilities();
  let i = 10;
  while (i < b.length) {
    if (i + 2 > b.length) throw openErr(OpenSub.UNSPECIFIC, 'truncated optional parameter');
    const type = b[i];
    const len = b[i + 1];
    if (i + 2 + len > b.length) throw openErr(OpenSub.UNSPECIFIC, `optional parameter ${type} overruns the message`);
    const v = b.subarray(i + 2, i + 2 + len);
    i += 2 + len;
    if (type !== OPT_PARAM_CAPABILITIES) {
      throw openErr(OpenSub.UNSUPPORTED_OPT_PARAM, `unsupported optional parameter ${type}`);
    }
    decodeCaps(v, caps);
  }
  return { version, myAs, holdTime, bgpId, caps };
}
