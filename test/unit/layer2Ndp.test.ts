// NDP codec: a Neighbor Solicitation captured from ndisc6 (its checksum was
// computed by the kernel, so it checks our checksum code), and advertisements.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIp, parseIp } from '@openelb/core/address/ip';
import {
  buildSolicitedAdvertisement, buildUnsolicitedAdvertisement, icmpv6Checksum, multicastMac,
  parseNeighborSolicitation, solicitedNodeAddress,
} from '../../runtime/src/speaker/layer2/ndp';
import { bytesToIp, formatMac, parseMac } from '../../runtime/src/speaker/layer2/wire';

// ndisc6 from fe80::587b:94ff:feae:9869 (5a:7b:94:ae:98:69) asking for fd00:31::100.
const NDISC6_NS = Buffer.from(
  '3333ff0001005a7b94ae986986dd6003920800203afffe80000000000000587b94fffeae9869ff0200000000000000000001ff000100' +
  '87006fc500000000fd00003100000000000000000000010001015a7b94ae9869', 'hex');
const OUR_MAC = parseMac('02:00:00:00:00:02')!;
const ip = (s: string) => parseIp(s)!;
const text = (b: Buffer, from: number) => formatIp(6, bytesToIp(b.subarray(from, from + 16)).value);

test('parses a Neighbor Solicitation captured from ndisc6', () => {
  const ns = parseNeighborSolicitation(NDISC6_NS)!;
  assert.ok(ns, 'valid NS');
  assert.equal(formatIp(6, ns.target.value), 'fd00:31::100');
  assert.equal(formatIp(6, ns.source.value), 'fe80::587b:94ff:feae:9869');
  assert.equal(formatIp(6, ns.destination.value), 'ff02::1:ff00:100');
  assert.equal(formatMac(ns.sourceMac!), '5a:7b:94:ae:98:69');
});

test('rejects a corrupted checksum, a routed packet, a short frame', () => {
  const corrupt = Buffer.from(NDISC6_NS);
  corrupt[NDISC6_NS.length - 1] ^= 1;
  assert.equal(parseNeighborSolicitation(corrupt), undefined, 'checksum');
  const routed = Buffer.from(NDISC6_NS);
  routed[21] = 64; // hop limit
  assert.equal(parseNeighborSolicitation(routed), undefined, 'hop limit');
  assert.equal(parseNeighborSolicitation(NDISC6_NS.subarray(0, 70)), undefined, 'short');
  const zeroOption = Buffer.from(NDISC6_NS);
  zeroOption[14 + 40 + 25] = 0; // option length 0 is invalid
  assert.equal(parseNeighborSolicitation(zeroOption), undefined, 'zero-length option');
});

test('solicited-node group and its Ethernet multicast MAC', () => {
  const g = solicitedNodeAddress(ip('fd00:31::abcd:1234'));
  assert.equal(formatIp(6, g.value), 'ff02::1:ffcd:1234');
  assert.equal(formatMac(multicastMac(g)), '33:33:ff:cd:12:34');
});

test('solicited NA: unicast to the asker, S and O set, valid checksum', () => {
  const na = buildSolicitedAdvertisement(parseNeighborSolicitation(NDISC6_NS)!, OUR_MAC);
  assert.equal(na.length, 14 + 40 + 32);
  assert.equal(na.subarray(0, 6).toString('hex'), '5a7b94ae9869');
  assert.equal(na.subarray(6, 12).toString('hex'), '020000000002');
  assert.equal(na.readUInt16BE(12), 0x86dd);
  assert.equal(na[14] >> 4, 6);
  assert.equal(na.readUInt16BE(18), 32, 'payload length');
  assert.equal(na[20], 58);
  assert.equal(na[21], 255);
  assert.equal(text(na, 22), 'fd00:31::100', 'source = target address');
  assert.equal(text(na, 38), 'fe80::587b:94ff:feae:9869', 'destination = asker');
  const icmp = na.subarray(54);
  assert.equal(icmp[0], 136);
  assert.equal(icmp[1], 0);
  assert.equal(icmp[4], 0x60, 'Solicited + Override, not Router');
  assert.equal(text(na, 54 + 8), 'fd00:31::100');
  assert.equal(icmp.subarray(24, 32).toString('hex'), '0201020000000002', 'target link-layer option');
  assert.equal(icmpv6Checksum(ip('fd00:31::100'), ip('fe80::587b:94ff:feae:9869'), icmp), 0, 'checksum verifies');
});

test('checksum matches a hand computation', () => {
  // Pseudo-header for ::1 -> ::2 with a 4-byte message 0x8700 0x0000:
  // words: 1 + 2 + 4 (length) + 58 + 0x8700 = 0x8741, complement 0x78be.
  assert.equal(icmpv6Checksum(ip('::1'), ip('::2'), Buffer.from('87000000', 'hex')), 0x78be);
});

test('answer to a duplicate-address probe goes to all nodes without S', () => {
  const dad = Buffer.from(NDISC6_NS.subarray(0, 14 + 40 + 24)); // drop the source link-layer option
  dad.writeUInt16BE(24, 18);
  dad.fill(0, 22, 38); // source ::
  dad.writeUInt16BE(0, 56);
  dad.writeUInt16BE(icmpv6Checksum(ip('::'), ip('ff02::1:ff00:100'), dad.subarray(54)), 56);
  const ns = parseNeighborSolicitation(dad)!;
  assert.ok(ns, 'DAD probe parses');
  const na = buildSolicitedAdvertisement(ns, OUR_MAC);
  assert.equal(na.subarray(0, 6).toString('hex'), '333300000001');
  assert.equal(text(na, 38), 'ff02::1');
  assert.equal(na[54 + 4], 0x20, 'Override only');
});

test('unsolicited NA announces the takeover to all nodes', () => {
  const na = buildUnsolicitedAdvertisement(OUR_MAC, ip('fd00:31::100'));
  assert.equal(na.subarray(0, 6).toString('hex'), '333300000001');
  assert.equal(text(na, 38), 'ff02::1');
  assert.equal(na[54 + 4], 0x20);
  assert.equal(icmpv6Checksum(ip('fd00:31::100'), ip('ff02::1'), na.subarray(54)), 0);
  assert.throws(() => buildUnsolicitedAdvertisement(OUR_MAC, ip('10.0.0.1')), /IPv6/);
});
