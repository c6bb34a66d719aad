// BGP message codec: byte vectors derived by hand from RFC 4271 / 4760 / 6793 / 5492
// and encode/decode round trips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage } from '../../runtime/src/speaker/bgp/messages';
import { makeOpen, openAs } from '../../runtime/src/speaker/bgp/open';
import { Afi, AS_TRANS, Safi } from '../../runtime/src/speaker/bgp/constants';
import { parsePrefix, formatPrefix } from '../../runtime/src/speaker/bgp/prefix';
import { announceUpdate, endOfRib, withdrawUpdate } from '../../runtime/src/speaker/bgp/routes';
import { parseIp } from '@openelb/core/address/ip';
import { Negotiated } from '../../runtime/src/speaker/bgp/negotiate';
import { Framer } from '../../runtime/src/speaker/bgp/framer';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const MARKER = 'ff'.repeat(16);
const neg = (fourOctetAs = true): Negotiated => ({
  peerAs: 65000, peerRouterId: 1, holdTime: 90, keepalive: 30, fourOctetAs,
  families: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }], routeRefresh: true,
});

test('KEEPALIVE is the bare 19-octet header with type 4', () => {
  assert.deepEqual(encodeMessage({ type: 'keepalive' }), hex(`${MARKER} 0013 04`));
  assert.deepEqual(decodeMessage(hex(`${MARKER} 0013 04`)), { type: 'keepalive' });
});

test('OPEN with multiprotocol, route refresh and 4-octet AS capabilities', () => {
  const open = makeOpen(65001, 90, 0x0a000001, {
    multiprotocol: [{ afi: Afi.IPV4, safi: Safi.UNICAST }], routeRefresh: true, fourOctetAs: 65001, unknown: [],
  });
  // version 4, AS 0xfde9, hold 90, id 10.0.0.1, opt len 16, param 2 len 14:
  // cap 1 len 4 (AFI 1, res, SAFI 1), cap 2 len 0, cap 65 len 4 (0000fde9)
  const expected = hex(`${MARKER} 002d 01 04 fde9 005a 0a000001 10 02 0e 01 04 0001 00 01 02 00 41 04 0000fde9`);
  assert.deepEqual(encodeMessage({ type: 'open', open }), expected);
  const back = decodeMessage(expected);
  assert.equal(back.type, 'open');
  if (back.type === 'open') assert.deepEqual(back.open, open);
});

test('an AS above 65535 travels as AS_TRANS plus the 4-octet capability', () => {
  const open = makeOpen(4200000000, 180, 1, { multiprotocol: [], routeRefresh: false, fourOctetAs: 4200000000, unknown: [] });
  assert.equal(open.myAs, AS_TRANS);
  const buf = encodeMessage({ type: 'open', open });
  assert.equal(buf.readUInt16BE(20), 23456);
  const back = decodeMessage(buf);
  assert.ok(back.type === 'open' && openAs(back.open) === 4200000000);
});

test('graceful restart capability round-trips', () => {
  const gr = { restarting: true, restartTime: 120, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] };
  const open = makeOpen(65001, 90, 1, { multiprotocol: [], routeRefresh: false, gracefulRestart: gr, unknown: [] });
  const buf = encodeMessage({ type: 'open', open });
  // cap 64 len 6: R bit + time 120 = 0x8078, AFI 1 SAFI 1 flags 0x80
  assert.ok(buf.includes(hex('4006 8078 0001 01 80')));
  const back = decodeMessage(buf);
  assert.ok(back.type === 'open');
  if (back.type === 'open') assert.deepEqual(back.open.caps.gracefulRestart, gr);
});

test('IPv4 host route UPDATE for eBGP, byte for byte', () => {
  const r = { prefix: parsePrefix('172.31.254.100/32')!, nextHop: parseIp('172.31.254.2')! };
  const buf = encodeMessage({ type: 'update', update: announceUpdate(r, { localAs: 65001, peerAs: 65000, negotiated: neg() }) });
  // withdrawn len 0; attrs len 20: ORIGIN IGP, AS_PATH SEQ [65001] (4-octet), NEXT_HOP; NLRI /32
  const expected = hex(`${MARKER} 0030 02 0000 0014 400101 00 400206 0201 0000fde9 400304 ac1ffe02 20 ac1ffe64`);
  assert.deepEqual(buf, expected);
  const back = decodeMessage(buf);
  assert.ok(back.type === 'update');
  if (back.type === 'update') {
    assert.equal(back.decoded.treatAsWithdraw, undefined);
    assert.equal(formatPrefix(back.decoded.update.nlri[0]), '172.31.254.100/32');
    assert.equal(back.decoded.update.attrs.nextHop, 0xac1ffe02n);
    assert.deepEqual(back.decoded.update.attrs.asPath, [{ type: 2, asns: [65001] }]);
  }
});

test('2-octet AS_PATH with AS_TRANS and AS4_PATH towards an old speaker', () => {
  const r = { prefix: parsePrefix('10.1.2.3/32')!, nextHop: parseIp('10.0.0.1')! };
  const u = announceUpdate(r, { localAs: 4200000000, peerAs: 65000, negotiated: neg(false) });
  const buf = encodeMessage({ type: 'update', update: u }, { fourOctetAs: false });
  assert.ok(buf.includes(hex('400204 0201 5ba0')), 'AS_PATH carries AS_TRANS (0x5ba0)');
  assert.ok(buf.includes(hex('c01106 0201 fa56ea00')), 'AS4_PATH carries 4200000000');
  const back = decodeMessage(buf, { fourOctetAs: false });
  assert.ok(back.type === 'update');
  if (back.type === 'update') assert.deepEqual(back.decoded.update.attrs.as4Path, [{ type: 2, asns: [4200000000] }]);
});

test('IPv6 /128 goes in MP_REACH_NLRI and is withdrawn with MP_UNREACH_NLRI', () => {
  const r = { prefix: parsePrefix('fd00:254::100/128')!, nextHop: parseIp('fd00:254::2')! };
  const buf = encodeMessage({ type: 'update', update: announceUpdate(r, { localAs: 65001, peerAs: 65000, negotiated: neg() }) });
  // MP_REACH: flags 0x80 type 14 len 38: AFI 2, SAFI 1, NH len 16, NH, reserved, 0x80 + 16 octets
  assert.ok(buf.includes(hex(`800e26 0002 01 10 fd000254000000000000000000000002 00 80 fd000254000000000000000000000100`)));
  const back = decodeMessage(buf);
  assert.ok(back.type === 'update');
  if (back.type === 'update') {
    const m = back.decoded.update.attrs.mpReach!;
    assert.equal(formatPrefix(m.nlri[0]), 'fd00:254::100/128');
    assert.equal(m.nextHops[0].value, parseIp('fd00:254::2')!.value);
  }
  const w = encodeMessage({ type: 'update', update: withdrawUpdate(r.prefix) });
  assert.ok(w.includes(hex('800f14 0002 01 80 fd000254000000000000000000000100')));
  const wb = decodeMessage(w);
  assert.ok(wb.type === 'update' && formatPrefix(wb.decoded.update.attrs.mpUnreach!.withdrawn[0]) === 'fd00:254::100/128');
});

test('IPv4 withdraw and End-of-RIB markers', () => {
  const w = encodeMessage({ type: 'update', update: withdrawUpdate(parsePrefix('172.31.254.100/32')!) });
  assert.deepEqual(w, hex(`${MARKER} 001c 02 0005 20ac1ffe64 0000`));
  assert.deepEqual(encodeMessage({ type: 'update', update: endOfRib(4) }), hex(`${MARKER} 0017 02 0000 0000`));
  assert.deepEqual(encodeMessage({ type: 'update', update: endOfRib(6) }), hex(`${MARKER} 001d 02 0000 0006 800f03 0002 01`));
});

test('NOTIFICATION and ROUTE-REFRESH round-trip', () => {
  const n = encodeMessage({ type: 'notification', notification: { code: 6, subcode: 2, data: Uint8Array.of(1, 2) } });
  assert.deepEqual(n, hex(`${MARKER} 0017 03 06 02 0102`));
  const back = decodeMessage(n);
  assert.ok(back.type === 'notification' && back.notification.code === 6 && back.notification.subcode === 2);
  const rr = encodeMessage({ type: 'route-refresh', refresh: { afi: 2, safi: 1 } });
  assert.deepEqual(rr, hex(`${MARKER} 0017 05 0002 00 01`));
  assert.deepEqual(decodeMessage(rr), { type: 'route-refresh', refresh: { afi: 2, safi: 1, subtype: 0 } });
});

test('prefixes shorter than a host route use only the needed octets', () => {
  const r = { prefix: parsePrefix('10.128.0.0/9')!, nextHop: parseIp('10.0.0.1')! };
  const buf = encodeMessage({ type: 'update', update: announceUpdate(r, { localAs: 65000, peerAs: 65000, negotiated: neg() }) });
  assert.ok(buf.subarray(buf.length - 3).equals(hex('09 0a80')));
  const back = decodeMessage(buf);
  assert.ok(back.type === 'update' && back.decoded.update.attrs.localPref === 100, 'iBGP carries LOCAL_PREF');
});

test('framer splits a stream at any chunk boundary', () => {
  const msgs = [
    encodeMessage({ type: 'keepalive' }),
    encodeMessage({ type: 'update', update: endOfRib(6) }),
    encodeMessage({ type: 'notification', notification: { code: 6, subcode: 4, data: new Uint8Array(0) } }),
  ];
  const stream = Buffer.concat(msgs);
  for (let step = 1; step <= stream.length; step++) {
    const f = new Framer();
    const got: Buffer[] = [];
    for (let i = 0; i < stream.length; i += step) {
      const r = f.push(stream.subarray(i, i + step));
      assert.equal(r.error, undefined);
      got.push(...r.messages);
    }
    assert.deepEqual(got.map((b) => b.toString('hex')), msgs.map((b) => b.toString('hex')));
    assert.equal(f.pending, 0);
  }
});
