// Byte-level helpers shared by the ARP and NDP codecs: MAC addresses and the
// network-order byte form of IP addresses (from the shared address module).
import { type Ip, formatIp } from '@openelb/core/address/ip';

export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETH_HEADER = 14;

export const BROADCAST_MAC = Buffer.from('ffffffffffff', 'hex');

/** "aa:bb:cc:dd:ee:ff" (or with "-") to 6 bytes; undefined when malformed. */
export function parseMac(text: string): Buffer | undefined {
  if (!/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/.test(text)) return undefined;
  return Buffer.from(text.replace(/[:-]/g, ''), 'hex');
}

export function formatMac(mac: Uint8Array): string {
  return Array.from(mac.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** The 4 or 16 network-order bytes of an address. */
export function ipToBytes(ip: Ip): Buffer {
  const len = ip.family === 4 ? 4 : 16;
  const out = Buffer.alloc(len);
  let v = ip.value;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function bytesToIp(bytes: Uint8Array): Ip {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return { family: bytes.length === 4 ? 4 : 6, value: v };
}

/** Stable map key for an address, e.g. "4:172.31.255.100". */
export function ipKey(ip: Ip): string {
  return `${ip.family}:${formatIp(ip.family, ip.value)}`;
}

/** Ethernet II header: destination, source, ethertype. */
export function ethernetHeader(dst: Uint8Array, src: Uint8Array, ethertype: number): Buffer {
  const h = Buffer.alloc(ETH_HEADER);
  h.set(dst.subarray(0, 6), 0);
  h.set(src.subarray(0, 6), 6);
  h.writeUInt16BE(ethertype, 12);
  return h;
}
