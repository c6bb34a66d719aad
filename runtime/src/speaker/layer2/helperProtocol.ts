// The message framing spoken with openelb-packet-helper over its stdin/stdout
// (see runtime/native/packet-helper.c): [type: 1 byte][length: 2 bytes BE][payload].

/** Largest payload the helper accepts from us (an Ethernet frame without FCS, with a VLAN tag). */
export const MAX_PAYLOAD = 1518;

export type HelperMessageType = 'I' | 'F' | 'S' | 'E' | 'M' | 'm';

export interface HelperMessage {
  type: string;
  payload: Buffer;
}

export function encodeMessage(type: HelperMessageType, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  if (payload.length > MAX_PAYLOAD) throw new Error(`helper message of ${payload.length} bytes exceeds ${MAX_PAYLOAD}`);
  const out = Buffer.alloc(3 + payload.length);
  out.write(type, 0, 'latin1');
  out.writeUInt16BE(payload.length, 1);
  out.set(payload, 3);
  return out;
}

/** Splits a byte stream into messages; chunks may cut messages anywhere. */
export class MessageDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): HelperMessage[] {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: HelperMessage[] = [];
    let off = 0;
    while (buf.length - off >= 3) {
      const len = buf.readUInt16BE(off + 1);
      if (buf.length - off < 3 + len) break;
      out.push({ type: String.fromCharCode(buf[off]), payload: Buffer.from(buf.subarray(off + 3, off + 3 + len)) });
      off += 3 + len;
    }
    this.pending = Buffer.from(buf.subarray(off));
    return out;
  }
}
