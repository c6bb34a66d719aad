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

/** What the helper reports about its interface when it starts ('I'). */
export interface InterfaceInfo {
  ifname: string;
  ifindex: number;
  mac: string;
  mtu: number;
  addrs: string[];
}

/** Helper-side counters ('S'): kernel-filtered frames it saw, forwarded, dropped, sent. */
export interface HelperStats {
  rx: number;
  forwarded: number;
  droppedRate: number;
  droppedSlow: number;
  /** Frames longer than MAX_PAYLOAD (jumbo frames); never an ARP request or NS we can answer. */
  droppedOversize: number;
  tx: number;
  txErrors: number;
  socketErrors: number;
}

const STATS_KEYS = ['rx', 'forwarded', 'droppedRate', 'droppedSlow', 'droppedOversize', 'tx', 'txErrors', 'socketErrors'] as const;

/** A helper message's payload as a JSON object; throws saying which message and what is wrong. */
function parseJsonObject(what: string, payload: Buffer): Record<string, unknown> {
  const text = payload.toString('utf8');
  const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`packet helper sent a malformed ${what} (${(err as Error).message}): ${JSON.stringify(shown)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`packet helper sent a malformed ${what} (not a JSON object): ${JSON.stringify(shown)}`);
  }
  return value as Record<string, unknown>;
}

/** Parses the 'I' message; throws a clear error when it is not valid JSON of the expected shape. */
export function parseInterfaceInfo(payload: Buffer): InterfaceInfo {
  const v = parseJsonObject('interface report', payload);
  const bad = (field: string, expected: string) =>
    new Error(`packet helper sent a malformed interface report: "${field}" is ${JSON.stringify(v[field])}, expected ${expected}`);
  if (typeof v.ifname !== 'string') throw bad('ifname', 'a string');
  if (!Number.isInteger(v.ifindex) || (v.ifindex as number) <= 0) throw bad('ifindex', 'a positive integer');
  if (typeof v.mac !== 'string' || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(v.mac)) throw bad('mac', 'a MAC address like 02:00:00:00:00:01');
  if (!Number.isInteger(v.mtu) || (v.mtu as number) < 0) throw bad('mtu', 'a non-negative integer');
  if (!Array.isArray(v.addrs) || !v.addrs.every((a) => typeof a === 'string')) throw bad('addrs', 'a list of address strings');
  return { ifname: v.ifname, ifindex: v.ifindex as number, mac: v.mac, mtu: v.mtu as number, addrs: v.addrs as string[] };
}

/** Parses the 'S' message; throws a clear error when it is not valid JSON with every counter. */
export function parseHelperStats(payload: Buffer): HelperStats {
  const v = parseJsonObject('counters report', payload);
  const missing = STATS_KEYS.filter((k) => !Number.isSafeInteger(v[k]) || (v[k] as number) < 0);
  if (missing.length) throw new Error(`packet helper sent a malformed counters report: ${missing.join(', ')} missing or not a count`);
  return Object.fromEntries(STATS_KEYS.map((k) => [k, v[k]])) as unknown as HelperStats;
}
