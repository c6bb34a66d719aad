// Whole BGP messages: the 19-octet header (RFC 4271 4.1) plus each message type's body.
// decodeMessage never throws anything but BgpError; callers map that to a NOTIFICATION.
import { ErrCode, HEADER_LEN, HeaderSub, MAX_MESSAGE_LEN, MsgType } from './constants';
import { BgpError, u16 } from './errors';
import { OpenMessage, decodeOpenBody, encodeOpenBody } from './open';
import { DecodedUpdate, UpdateContext, UpdateMessage, decodeUpdateBody, encodeUpdateBody } from './update';

export interface NotificationMessage { code: number; subcode: number; data: Uint8Array }
/** `subtype` is RFC 7313's Message Subtype (the old reserved octet): 0 is a plain request. */
export interface RouteRefreshMessage { afi: number; safi: number; subtype?: number }

export type BgpMessage =
  | { type: 'open'; open: OpenMessage }
  | { type: 'update'; update: UpdateMessage }
  | { type: 'keepalive' }
  | { type: 'notification'; notification: NotificationMessage }
  | { type: 'route-refresh'; refresh: RouteRefreshMessage };

export type DecodedMessage =
  | { type: 'open'; open: OpenMessage }
  | { type: 'update'; decoded: DecodedUpdate }
  | { type: 'keepalive' }
  | { type: 'notification'; notification: NotificationMessage }
  | { type: 'route-refresh'; refresh: RouteRefreshMessage };

function frame(type: number, body: Uint8Array): Buffer {
  const len = HEADER_LEN + body.length;
  if (len > MAX_MESSAGE_LEN) throw new Error(`message of ${len} octets exceeds ${MAX_MESSAGE_LEN}`);
  const out = Buffer.alloc(len, 0xff);
  out.writeUInt16BE(len, 16);
  out[18] = type;
  out.set(body, HEADER_LEN);
  return out;
}

export function encodeMessage(m: BgpMessage, ctx: UpdateContext = { fourOctetAs: true }): Buffer {
  switch (m.type) {
    case 'open': return frame(MsgType.OPEN, encodeOpenBody(m.open));
    case 'update': return frame(MsgType.UPDATE, encodeUpdateBody(m.update, ctx));
    case 'keepalive': return frame(MsgType.KEEPALIVE, new Uint8Array(0));
    case 'notification': {
      const n = m.notification;
      const body = new Uint8Array(2 + n.data.length);
      body[0] = n.code; body[1] = n.subcode; body.set(n.data, 2);
      return frame(MsgType.NOTIFICATION, body);
    }
    case 'route-refresh': {
      const r = m.refresh;
      return frame(MsgType.ROUTE_REFRESH, Uint8Array.of(r.afi >> 8, r.afi & 0xff, r.subtype ?? 0, r.safi));
    }
  }
}

export function notificationFor(e: BgpError): Buffer {
  // Data must keep the message within 4096 octets.
  const data = e.data.subarray(0, MAX_MESSAGE_LEN - HEADER_LEN - 2);
  return encodeMessage({ type: 'notification', notification: { code: e.code, subcode: e.subcode, data } });
}

/** Checks a header; returns the total message length. */
export function checkHeader(buf: Uint8Array): number {
  for (let i = 0; i < 16; i++) {
    if (buf[i] !== 0xff) throw new BgpError(ErrCode.HEADER, HeaderSub.CONN_NOT_SYNCHRONIZED, 'marker is not all ones');
  }
  const len = (buf[16] << 8) | buf[17];
  if (len < HEADER_LEN || len > MAX_MESSAGE_LEN) {
    throw new BgpError(ErrCode.HEADER, HeaderSub.BAD_LENGTH, `message length ${len} outside 19..4096`, u16(len));
  }
  return len;
}

/** Decodes one complete message (header included). */
export function decodeMessage(buf: Uint8Array, ctx: UpdateContext = { fourOctetAs: true }): DecodedMessage {
  if (buf.length < HEADER_LEN) throw new BgpError(ErrCode.HEADER, HeaderSub.BAD_LENGTH, 'short header', u16(buf.length));
  const len = checkHeader(buf);
  if (len !== buf.length) throw new BgpError(ErrCode.HEADER, HeaderSub.BAD_LENGTH, `length field ${len} but ${buf.length} octets`, u16(len));
  const type = buf[18];
  const body = buf.subarray(HEADER_LEN);
  const badLen = () => new BgpError(ErrCode.HEADER, HeaderSub.BAD_LENGTH, `bad length ${len} for message type ${type}`, u16(len));
  switch (type) {
    case MsgType.OPEN:
      if (len < 29) throw badLen();
      return { type: 'open', open: decodeOpenBody(body) };
    case MsgType.UPDATE:
      if (len < 23) throw badLen();
      return { type: 'update', decoded: decodeUpdateBody(body, ctx) };
    case MsgType.KEEPALIVE:
      if (len !== HEADER_LEN) throw badLen();
      return { type: 'keepalive' };
    case MsgType.NOTIFICATION:
      if (len < 21) throw badLen();
      return { type: 'notification', notification: { code: body[0], subcode: body[1], data: body.slice(2) } };
    case MsgType.ROUTE_REFRESH:
      if (len !== 23) throw badLen();
      return { type: 'route-refresh', refresh: { afi: (body[0] << 8) | body[1], safi: body[3], subtype: body[2] } };
    default:
      throw new BgpError(ErrCode.HEADER, HeaderSub.BAD_TYPE, `unknown message type ${type}`, Uint8Array.of(type));
  }
}
