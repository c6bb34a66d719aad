// ARP codec: a request captured from iputils arping, replies and gratuitous ARP
// built by hand-checked byte offsets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIp } from '@openelb/core/address/ip';
import {
  ARP_REPLY, ARP_REQUEST, buildArpReply, buildGratuitousArp, parseArp,
} from '../../runtime/src/speaker/layer2/arp';
import { formatMac, parseMac } from '../../runtime/src/speaker/layer2/wire';

// "Who has 172.31.255.100? Tell 172.31.255.9", as sent by arping from 5a:7b:94:ae:98:69.
const ARPING_REQUEST = Buffer.from(
  'ffffffffffff5a7b94ae9869080600010800060400015a7b94ae9869ac1fff09ffffffffffffac1fff64', 'hex');
const OUR_MAC = parseMac('02:00:00:00:00:01')!;
const ip = (s: string) => parseIp(s)!;

test('parses an ARP request captured from arping', () => {
  const p = parseArp(ARPING_REQUEST)!;
  assert.equal(p.op, ARP_REQUEST);
  assert.equal(formatMac(p.senderMac), '5a:7b:94:ae:98:69');
  assert.deepEqual(p.senderIp, ip('172.31.255.9'));
  assert.deepEqual(p.targetIp, ip('172.31.255.100'));
});

test('rejects frames that are not Ethernet/IPv4 ARP', () => {
  assert.equal(parseArp(ARPING_REQUEST.subarray(0, 41)), undefined, 'short frame');
  const ipv6Ethertype = Buffer.from(ARPING_REQUEST);
  ipv6Ethertype.writeUInt16BE(0x86dd, 12);
  assert.equal(parseArp(ipv6Ethertype), undefined);
  const badPlen = Buffer.from(ARPING_REQUEST);
  badPlen[19] = 16;
  assert.equal(parseArp(badPlen), undefined);
  assert.equal(parseArp(Buffer.alloc(0)), undefined);
});

test('a padded 60-byte frame still parses', () => {
  const padded = Buffer.concat([ARPING_REQUEST, Buffer.alloc(18)]);
  assert.deepEqual(parseArp(padded)!.targetIp, ip('172.31.255.100'));
});

test('builds the reply: unicast to the asker, VIP is-at our MAC', () => {
  const reply = buildArpReply(parseArp(ARPING_REQUEST)!, OUR_MAC);
  assert.equal(reply.length, 42);
  assert.equal(reply.subarray(0, 6).toString('hex'), '5a7b94ae9869', 'Ethernet destination = asker');
  assert.equal(reply.subarray(6, 12).toString('hex'), '020000000001', 'Ethernet source = us');
  assert.equal(reply.readUInt16BE(12), 0x0806);
  assert.equal(reply.subarray(14, 20).toString('hex'), '000108000604');
  assert.equal(reply.readUInt16BE(20), ARP_REPLY);
  assert.equal(reply.subarray(22, 28).toString('hex'), '020000000001', 'sender MAC');
  assert.equal(reply.subarray(28, 32).toString('hex'), 'ac1fff64', 'sender IP = VIP');
  assert.equal(reply.subarray(32, 38).toString('hex'), '5a7b94ae9869', 'target MAC');
  assert.equal(reply.subarray(38, 42).toString('hex'), 'ac1fff09', 'target IP');
  // Round trip through the parser.
  const back = parseArp(reply)!;
  assert.equal(back.op, ARP_REPLY);
  assert.deepEqual(back.senderIp, ip('172.31.255.100'));
});

test('gratuitous ARP: broadcast request with sender = target = VIP', () => {
  const g = buildGratuitousArp(OUR_MAC, ip('172.31.255.100'));
  assert.equal(g.subarray(0, 6).toString('hex'), 'ffffffffffff');
  const p = parseArp(g)!;
  assert.equal(p.op, ARP_REQUEST);
  assert.equal(formatMac(p.senderMac), '02:00:00:00:00:01');
  assert.deepEqual(p.senderIp, ip('172.31.255.100'));
  assert.deepEqual(p.targetIp, ip('172.31.255.100'));
});

test('ARP refuses IPv6 addresses', () => {
  assert.throws(() => buildGratuitousArp(OUR_MAC, ip('fd00:31::100')), /IPv4/);
});

test('MAC parsing is strict', () => {
  assert.equal(parseMac('02:00:00:00:00'), undefined);
  assert.equal(parseMac('zz:00:00:00:00:00'), undefined);
  assert.equal(formatMac(parseMac('AA-BB-CC-DD-EE-FF')!), 'aa:bb:cc:dd:ee:ff');
});
