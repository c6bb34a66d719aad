// ARP (RFC 826) for IPv4 over Ethernet: parse requests, build replies and
// gratuitous announcements. Pure functions on Buffers, no I/O.
import { type Ip } from '@openelb/core/address/ip';
import {
  BROADCAST_MAC, ETH_HEADER, ETHERTYPE_ARP, ETHERTYPE_IPV4, bytesToIp, ethernetHeader, ipToBytes,
} from './wire';

export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;
/** Ethernet header + 28-byte ARP body for Ethernet/IPv4. */
export const ARP_FRAME_LENGTH = ETH_HEADER + 28;

export interface ArpPacket {
  op: number;
  /** Ethernet source of the frame (normally equal to senderMac). */
  ethSource: Buffer;
  senderMac: Buffer;
  senderIp: Ip;
  targetMac: Buffer;
  targetIp: Ip;
}

/** Parses an Ethernet/IPv4 ARP frame; undefined for anything else or a short frame. */
export function parseArp(frame: Buffer): ArpPacket | undefined {
  if (frame.length < ARP_FRAME_LENGTH) return undefined;
  if (frame.readUInt16BE(12) !== ETHERTYPE_ARP) return undefined;
  const a = ETH_HEADER;
  // Hardware type 1 (Ethernet), protocol IPv4, address lengths 6 and 4.
  if (frame.readUInt16BE(a) !== 1 || frame.readUInt16BE(a + 2) !== ETHERTYPE_IPV4) return undefined;
  if (frame[a + 4] !== 6 || frame[a + 5] !== 4) return undefined;
  return {
    op: frame.readUInt16BE(a + 6),
    ethSource: Buffer.from(frame.subarray(6, 12)),
    senderMac: Buffer.from(frame.subarray(a + 8, a + 14)),
    senderIp: bytesToIp(frame.subarray(a + 14, a + 18)),
    targetMac: Buffer.from(frame.subarray(a + 18, a + 24)),
    targetIp: bytesToIp(frame.subarray(a + 24, a + 28)),
  };
}

/** One ARP frame; all addresses given explicitly. */
export function buildArp(p: {
  ethDest: Uint8Array; ethSource: Uint8Array; op: number;
  senderMac: Uint8Array; senderIp: Ip; targetMac: Uint8Array; targetIp: Ip;
}): Buffer {
  if (p.senderIp.family !== 4 || p.targetIp.family !== 4) throw new Error('ARP carries IPv4 addresses only');
  const body = Buffer.alloc(28);
  body.writeUInt16BE(1, 0);
  body.writeUInt16BE(ETHERTYPE_IPV4, 2);
  body[4] = 6;
  body[5] = 4;
  body.writeUInt16BE(p.op, 6);
  body.set(p.senderMac.subarray(0, 6), 8);
  body.set(ipToBytes(p.senderIp), 14);
  body.set(p.targetMac.subarray(0, 6), 18);
  body.set(ipToBytes(p.targetIp), 24);
  return Buffer.concat([ethernetHeader(p.ethDest, p.ethSource, ETHERTYPE_ARP), body]);
}

/**
 * The reply to `request` saying "request.targetIp is at ourMac", sent unicast to
 * the asker. A probe (sender 0.0.0.0, RFC 5227) gets the same reply.
 */
export function buildArpReply(request: ArpPacket, ourMac: Uint8Array): Buffer {
  return buildArp({
    ethDest: request.senderMac,
    ethSource: ourMac,
    op: ARP_REPLY,
    senderMac: ourMac,
    senderIp: request.targetIp,
    targetMac: request.senderMac,
    targetIp: request.senderIp,
  });
}

/**
 * Gratuitous ARP (an RFC 5227 "announcement"): a broadcast request whose sender
 * and target are both `ip`. Hosts that already have a neighbour entry for `ip`
 * update it to `ourMac`; this is how a failover moves traffic.
 */
export function buildGratuitousArp(ourMac: Uint8Array, ip: Ip): Buffer {
  return buildArp({
    ethDest: BROADCAST_MAC,
    ethSource: ourMac,
    op: ARP_REQUEST,
    senderMac: ourMac,
    senderIp: ip,
    targetMac: Buffer.alloc(6),
    targetIp: ip,
  });
}
