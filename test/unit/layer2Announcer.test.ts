// Layer2Announcer logic against an in-memory frame port (the real port, the
// packet helper, is exercised in test/net/layer2.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIp } from '@openelb/core/address/ip';
import { ARP_REPLY, buildArp, ARP_REQUEST, parseArp } from '../../runtime/src/speaker/layer2/arp';
import { Layer2Announcer } from '../../runtime/src/speaker/layer2/layer2Announcer';
import type { FramePort, InterfaceInfo } from '../../runtime/src/speaker/layer2/packetIO';
import { BROADCAST_MAC, formatMac, parseMac } from '../../runtime/src/speaker/layer2/wire';

const NDISC6_NS = Buffer.from(
  '3333ff0001005a7b94ae986986dd6003920800203afffe80000000000000587b94fffeae9869ff0200000000000000000001ff000100' +
  '87006fc500000000fd00003100000000000000000000010001015a7b94ae9869', 'hex');

class MemoryPort implements FramePort {
  readonly info: InterfaceInfo = { ifname: 'eth0', ifindex: 2, mac: '02:00:00:00:00:01', mtu: 1500, addrs: [] };
  sent: Buffer[] = [];
  joined: string[] = [];
  private listener?: (f: Buffer) => void;
  send(frame: Buffer) { this.sent.push(frame); }
  onFrame(l: (f: Buffer) => void) { this.listener = l; }
  joinMulticast(mac: Buffer) { this.joined.push(formatMac(mac)); }
  leaveMulticast(mac: Buffer) { this.joined = this.joined.filter((m) => m !== formatMac(mac)); }
  receive(frame: Buffer) { this.listener!(frame); }
}

function request(target: string, fromMac = '5a:7b:94:ae:98:69', fromIp = '172.31.255.9'): Buffer {
  const mac = parseMac(fromMac)!;
  return buildArp({
    ethDest: BROADCAST_MAC, ethSource: mac, op: ARP_REQUEST,
    senderMac: mac, senderIp: parseIp(fromIp)!, targetMac: Buffer.alloc(6), targetIp: parseIp(target)!,
  });
}

test('answers ARP only for announced addresses, and stops after withdraw', () => {
  const port = new MemoryPort();
  const a = new Layer2Announcer(port, { gratuitousCount: 1 });
  port.receive(request('172.31.255.100'));
  assert.equal(port.sent.length, 0, 'nothing announced yet');

  a.announce('172.31.255.100');
  assert.equal(port.sent.length, 1, 'one gratuitous ARP on announce');
  assert.equal(a.counters.gratuitousSent, 1);
  port.receive(request('172.31.255.100'));
  port.receive(request('172.31.255.101'));
  assert.equal(port.sent.length, 2, 'one reply, for the announced VIP only');
  const reply = parseArp(port.sent[1])!;
  assert.equal(reply.op, ARP_REPLY);
  assert.equal(formatMac(reply.senderMac), '02:00:00:00:00:01');
  assert.equal(a.counters.arpRequestsSeen, 3, 'the one before announce counts too');
  assert.equal(a.counters.arpRepliesSent, 1);

  a.withdraw('172.31.255.100');
  port.receive(request('172.31.255.100'));
  assert.equal(port.sent.length, 2, 'no reply after withdraw');
  a.close();
});

test('answers Neighbor Solicitations and joins the solicited-node group', () => {
  const port = new MemoryPort();
  const a = new Layer2Announcer(port, { gratuitousCount: 1 });
  a.announce('fd00:31::100');
  assert.deepEqual(port.joined, ['33:33:ff:00:01:00']);
  assert.equal(port.sent.length, 1, 'unsolicited NA');
  port.receive(NDISC6_NS);
  assert.equal(port.sent.length, 2);
  assert.equal(port.sent[1][54], 136, 'a Neighbor Advertisement');
  assert.equal(a.counters.neighborAdvertisementsSent, 1);
  // A second address in the same group keeps the membership until both are gone.
  a.announce('fd00:31::1:0:100');
  a.withdraw('fd00:31::100');
  assert.deepEqual(port.joined, ['33:33:ff:00:01:00']);
  a.withdraw('fd00:31::1:0:100');
  assert.deepEqual(port.joined, []);
});

test('reannounce sends the gratuitous announcement again for an address it already answers for', () => {
  const port = new MemoryPort();
  const a = new Layer2Announcer(port, { gratuitousCount: 1 });
  a.announce('172.31.255.100');
  a.announce('172.31.255.100');
  assert.equal(port.sent.length, 1, 'announce alone is idempotent');
  a.reannounce('172.31.255.100');
  assert.equal(port.sent.length, 2, 'announced again: neighbours may have moved to another MAC meanwhile');
  assert.deepEqual(port.sent[1], port.sent[0], 'the same gratuitous ARP');
  a.reannounce('fd00:31::100');
  assert.ok(a.isAnnounced('fd00:31::100'), 'an address not announced yet is announced');
  assert.deepEqual(port.joined, ['33:33:ff:00:01:00']);
  assert.equal(a.counters.gratuitousSent, 3);
  a.close();
});

test('reannounce during a gratuitous series starts it over instead of adding a second one', async () => {
  const port = new MemoryPort();
  const a = new Layer2Announcer(port, { gratuitousCount: 3, gratuitousIntervalMs: 20 });
  a.announce('172.31.255.100');
  a.reannounce('172.31.255.100');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(port.sent.length, 4, 'two at once, then the two left of one series');
  a.close();
});

test('repeats the gratuitous announcement, and withdraw cancels the rest', async () => {
  const port = new MemoryPort();
  const a = new Layer2Announcer(port, { gratuitousCount: 3, gratuitousIntervalMs: 20 });
  a.announce('172.31.255.100');
  const deadline = Date.now() + 2000;
  while (a.counters.gratuitousSent < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.equal(a.counters.gratuitousSent, 3);

  a.announce('172.31.255.101');
  a.withdraw('172.31.255.101');
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(a.counters.gratuitousSent, 4, 'only the immediate one for the withdrawn VIP');
});

test('rate limits replies per asker and overall', () => {
  let now = 0;
  const port = new MemoryPort();
  const a = new Layer2Announcer(port, { gratuitousCount: 0, replyRate: 100, perRequesterRate: 10, now: () => now });
  a.announce('172.31.255.100');
  for (let i = 0; i < 50; i++) port.receive(request('172.31.255.100'));
  assert.equal(a.counters.arpRepliesSent, 10, 'burst of 10 for one asker');
  assert.equal(a.counters.rateLimited, 40);
  now += 1000;
  port.receive(request('172.31.255.100'));
  assert.equal(a.counters.arpRepliesSent, 11, 'refilled after a second');

  // Many forged askers: the global bucket (burst replyRate/5 = 20) caps them.
  for (let i = 0; i < 100; i++) {
    port.receive(request('172.31.255.100', `02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`));
  }
  assert.ok(a.counters.arpRepliesSent <= 11 + 20, `global cap held (${a.counters.arpRepliesSent})`);
});

test('ignores junk, replies and foreign gratuitous ARPs without throwing', () => {
  const port = new MemoryPort();
  const a = new Layer2Announcer(port, { gratuitousCount: 0 });
  a.announce('172.31.255.100');
  port.receive(Buffer.alloc(0));
  port.receive(Buffer.alloc(100, 0xff));
  port.receive(request('172.31.255.100', '02:00:00:00:00:09', '172.31.255.100'));
  assert.equal(port.sent.length, 0);
  assert.equal(a.counters.ignored, 3);
  assert.throws(() => a.announce('not-an-ip'), /not an IP address/);
});

test('refuses an interface without a MAC', () => {
  const port = new MemoryPort();
  (port.info as { mac: string }).mac = '';
  assert.throws(() => new Layer2Announcer(port), /no Ethernet MAC/);
});
