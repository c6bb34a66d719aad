// IPv6 Neighbor Discovery (RFC 4861) over Ethernet: parse Neighbor
// Solicitations, build solicited and unsolicited Neighbor Advertisements.
// Pure functions on Buffers, no I/O.
import { type Ip } from '@openelb/core/address/ip';
import { ETH_HEADER, ETHERTYPE_IPV6, bytesToIp, ethernetHeader, ipToBytes } from './wire';

export const ICMPV6 = 58;
export const NEIGHBOR_SOLICITATION = 135;
export const NEIGHBOR_ADVERTISEMENT = 136;
const IPV6_HEADER = 40;
const OPT_SOURCE_LLADDR = 1;
const OPT_TARGET_LLADDR = 2;
/** ff02::1, all nodes, and its Ethernet group 33:33:00:00:00:01. */
export const ALL_NODES: Ip = { family: 6, value: 0xff020000000000000000000000000001n };

export interface NeighborSolicitation {
  ethSource: Buffer;
  source: Ip;
  destination: Ip;
  target: Ip;
  /** The Source Link-Layer Address option, when present. */
  sourceMac?: Buffer;
}

/** RFC 4291 2.7.1: ff02::1:ffXX:XXXX from the low 24 bits of `ip`. */
export function solicitedNodeAddress(ip: Ip): Ip {
  return { family: 6, value: 0xff0200000000000000000001ff000000n | (ip.value & 0xffffffn) };
}

/** RFC 2464 7: an IPv6 multicast address maps to 33:33 + its low 32 bits. */
export function multicastMac(group: Ip): Buffer {
  const mac = Buffer.from([0x33, 0x33, 0, 0, 0, 0]);
  mac.writeUInt32BE(Number(group.value & 0xffffffffn), 2);
  return mac;
}

/** ICMPv6 checksum over the IPv6 pseudo-header (RFC 8200 8.1) and the message. */
export function icmpv6Checksum(source: Ip, destination: Ip, message: Uint8Array): number {
  const pseudo = Buffer.alloc(40);
  pseudo.set(ipToBytes(source), 0);
  pseudo.set(ipToBytes(destination), 16);
  pseudo.writeUInt32BE(message.length, 32);
  pseudo[39] = ICMPV6;
  let sum = 0;
  const add = (b: Uint8Array) => {
    for (let i = 0; i < b.length; i += 2) sum += (b[i] << 8) | (i + 1 < b.length ? b[i + 1] : 0);
  };
  add(pseudo);
  add(message);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const isMulticast = (ip: Ip) => ip.value >> 120n === 0xffn;

/**
 * Parses an Ethernet frame holding an ICMPv6 Neighbor Solicitation, with the
 * validity checks of RFC 4861 7.1.1 (hop limit 255, code 0, checksum, target
 * not multicast, well-formed options, no source link-layer option from ::).
 * Returns undefined for anything else. Extension headers are not followed.
 */
export function parseNeighborSolicitation(frame: Buffer): NeighborSolicitation | undefined {
  const ip = ETH_HEADER;
  const icmp = ip + IPV6_HEADER;
  if (frame.length < icmp + 24) return undefined;
  if (frame.readUInt16BE(12) !== ETHERTYPE_IPV6 || frame[ip] >> 4 !== 6) return undefined;
  if (frame[ip + 6] !== ICMPV6 || frame[ip + 7] !== 255) return undefined;
  const payloadLength = frame.readUInt16BE(ip + 4);
  if (payloadLength < 24 || icmp + payloadLength > frame.length) return undefined;
  const message = frame.subarray(icmp, icmp + payloadLength);
  if (message[0] !== NEIGHBOR_SOLICITATION || message[1] !== 0) return undefined;
  const source = bytesToIp(frame.subarray(ip + 8, ip + 24));
  const destination = bytesToIp(frame.subarray(ip + 24, ip + 40));
  // A correct checksum makes the whole sum (checksum field included) verify to 0.
  if (icmpv6Checksum(source, destination, message) !== 0) return undefined;
  const target = bytesToIp(message.subarray(8, 24));
  if (isMulticast(target)) return undefined;

  let sourceMac: Buffer | undefined;
  for (let o = 24; o < message.length; ) {
    if (o + 2 > message.length) return undefined;
    const len = message[o + 1] * 8;
    if (len === 0 || o + len > message.length) return undefined;
    if (message[o] === OPT_SOURCE_LLADDR && len >= 8) sourceMac = Buffer.from(message.subarray(o + 2, o + 8));
    o += len;
  }
  if (source.value === 0n && (sourceMac || !isMulticast(destination))) return undefined;
  return { ethSource: Buffer.from(frame.subarray(6, 12)), source, destination, target, sourceMac };
}

/** One Neighbor Advertisement frame carrying a Target Link-Layer Address option. */
export function buildNeighborAdvertisement(p: {
  ethDest: Uint8Array; ourMac: Uint8Array; source: Ip; destination: Ip; target: Ip;
  solicited: boolean; override: boolean; router?: boolean;
}): Buffer {
  if (p.source.family !== 6 || p.destination.family !== 6 || p.target.family !== 6) {
    throw new Error('Neighbor Advertisement carries IPv6 addresses only');
  }
  const message = Buffer.alloc(32);
  message[0] = NEIGHBOR_ADVERTISEMENT;
  message[4] = (p.router ? 0x80 : 0) | (p.solicited ? 0x40 : 0) | (p.override ? 0x20 : 0);
  message.set(ipToBytes(p.target), 8);
  message[24] = OPT_TARGET_LLADDR;
  message[25] = 1; // option length in units of 8 bytes
  message.set(p.ourMac.subarray(0, 6), 26);
  message.writeUInt16BE(icmpv6Checksum(p.source, p.destination, message), 2);

  const header = Buffer.alloc(IPV6_HEADER);
  header[0] = 0x60; // version 6, traffic class and flow label 0
  header.writeUInt16BE(message.length, 4);
  header[6] = ICMPV6;
  header[7] = 255; // hop limit 255 proves the packet was not routed
  header.set(ipToBytes(p.source), 8);
  header.set(ipToBytes(p.destination), 24);
  return Buffer.concat([ethernetHeader(p.ethDest, p.ourMac, ETHERTYPE_IPV6), header, message]);
}

/**
 * The answer to `ns` saying "ns.target is at ourMac". Sent from the target
 * address itself. A duplicate-address probe (source ::) is answered to all
 * nodes without the Solicited flag (RFC 4861 7.2.4).
 */
export function buildSolicitedAdvertisement(ns: NeighborSolicitation, ourMac: Uint8Array): Buffer {
  const fromDad = ns.source.value === 0n;
  const destination = fromDad ? ALL_NODES : ns.source;
  return buildNeighborAdvertisement({
    ethDest: fromDad ? multicastMac(ALL_NODES) : ns.sourceMac ?? ns.ethSource,
    ourMac,
    source: ns.target,
    destination,
    target: ns.target,
    solicited: !fromDad,
    override: true,
  });
}

/** Unsolicited NA to all nodes with Override set: the IPv6 gratuitous ARP. */
export function buildUnsolicitedAdvertisement(ourMac: Uint8Array, ip: Ip): Buffer {
  return buildNeighborAdvertisement({
    ethDest: multicastMac(ALL_NODES),
    ourMac,
    source: ip,
    destination: ALL_NODES,
    target: ip,
    solicited: false,
    override: true,
  });
}
