// Malformed input → the specific NOTIFICATION (RFC 4271 section 6) or RFC 7606 handling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage } from '../../runtime/src/speaker/bgp/messages';
import { BgpError } from '../../runtime/src/speaker/bgp/errors';
import { Framer } from '../../runtime/src/speaker/bgp/framer';
import { negotiate } from '../../runtime/src/speaker/bgp/negotiate';
import { makeOpen, emptyCapabilities } from '../../runtime/src/speaker/bgp/open';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const M = 'ff'.repeat(16);

/** Wraps a body in a header with a correct length. */
function msg(type: number, body: string): Buffer {
  const b = hex(body);
  return Buffer.concat([hex(M), Buffer.from([(19 + b.length) >> 8, (19 + b.length) & 0xff, type]), b]);
}

function errorOf(fn: () => unknown): BgpError {
  try { fn(); } catch (e) { assert.ok(e instanceof BgpError, `expected BgpError, got ${String(e)}`); return e; }
  assert.fail('expected an error');
}

const cases: [string, Buffer, number, number, string?][] = [
  ['bad marker', hex(`${'ff'.repeat(15)}fe 0013 04`), 1, 1],
  ['length below 19', hex(`${M} 0012 04`), 1, 2, '0012'],
  ['length above 4096', hex(`${M} 1001 04`), 1, 2, '1001'],
  ['KEEPALIVE with a body', msg(4, '00'), 1, 2, '0014'],
  ['unknown message type', msg(9, ''), 1, 3, '09'],
  ['OPEN too short', msg(1, '04fde9005a0a00'), 1, 2],
  ['OPEN version 3', msg(1, '03 fde9 005a 0a000001 00'), 2, 1, '0004'],
  ['OPEN unknown optional parameter', msg(1, '04 fde9 005a 0a000001 03 01 01 00'), 2, 4],
  ['OPEN optional length mismatch', msg(1, '04 fde9 005a 0a000001 05 02 00'), 2, 0],
  ['OPEN truncated capability', msg(1, '04 fde9 005a 0a000001 03 02 01 41'), 2, 0],
  ['UPDATE withdrawn length overrun', msg(2, '0009 20ac1ffe64 0000'), 3, 1],
  ['UPDATE attribute length overrun of the message', msg(2, '0000 0040 400101 00'), 3, 1],
  ['UPDATE NLRI prefix length 33', msg(2, '0000 0000 21 0a000000 00'), 3, 10],
  ['UPDATE NLRI prefix overruns', msg(2, '0000 0000 20 0a00'), 3, 10],
  ['UPDATE unknown well-known attribute', msg(2, '0000 0004 4063 01 00'), 3, 2],
  ['UPDATE duplicate MP_REACH_NLRI', msg(2, '0000 0018 800e09 0001 01 04 0a000001 00 800e09 0001 01 04 0a000001 00'), 3, 1],
  ['UPDATE MP_REACH bad next hop length', msg(2, '0000 000c 800e09 0002 01 03 aabbcc 00 00 00'), 3, 9],
  ['NOTIFICATION without subcode', msg(3, '06'), 1, 2],
  ['ROUTE-REFRESH wrong length', msg(5, '000100'), 1, 2],
];

for (const [name, buf, code, sub, data] of cases) {
  test(`${name} → NOTIFICATION ${code}/${sub}`, () => {
    const e = errorOf(() => decodeMessage(buf));
    assert.equal(e.code, code, e.describe());
    assert.equal(e.subcode, sub, e.describe());
    assert.equal(e.action, 'session-reset');
    if (data) assert.equal(Buffer.from(e.data).toString('hex'), data);
  });
}

test('the framer reports header errors once and then stops', () => {
  const f = new Framer();
  const r = f.push(hex(`${M} 0013 04 ${'00'.repeat(19)}`));
  assert.equal(r.messages.length, 1);
  assert.equal(r.error?.code, 1);
  assert.equal(r.error?.subcode, 1);
  assert.deepEqual(f.push(hex(`${M} 0013 04`)), { messages: [] });
});

// RFC 7606: attribute errors keep the session and treat the UPDATE as a withdraw.
const nlri = '20 ac1ffe64';
const good = { origin: '400101 00', path: '400206 0201 0000fde9', nh: '400304 ac1ffe02' };
function update(attrs: string[]): Buffer {
  const a = hex(attrs.join(''));
  return msg(2, `0000 ${a.length.toString(16).padStart(4, '0')} ${a.toString('hex')} ${nlri}`);
}
const withdrawCases: [string, string[], number][] = [
  ['invalid ORIGIN value', ['400101 07', good.path, good.nh], 6],
  ['ORIGIN length 2', ['400102 0000', good.path, good.nh], 5],
  ['ORIGIN flagged optional', ['c00101 00', good.path, good.nh], 4],
  ['malformed AS_PATH (count overruns)', [good.origin, '400206 0205 0000fde9', good.nh], 11],
  ['AS_PATH segment type 9', [good.origin, '400206 0901 0000fde9', good.nh], 11],
  ['NEXT_HOP length 3', [good.origin, good.path, '400303 ac1ffe'], 5],
  ['NEXT_HOP 0.0.0.0', [good.origin, good.path, '400304 00000000'], 8],
  ['missing NEXT_HOP', [good.origin, good.path], 3],
  ['missing ORIGIN', [good.path, good.nh], 3],
  ['attribute overruns the attribute block', [good.origin, good.path, good.nh, '80040a 0000'], 5],
  ['MED length 2', [good.origin, good.path, good.nh, '800402 0000'], 5],
];
for (const [name, attrs, sub] of withdrawCases) {
  test(`UPDATE with ${name} → treat-as-withdraw 3/${sub}`, () => {
    const m = decodeMessage(update(attrs));
    assert.equal(m.type, 'update');
    if (m.type !== 'update') return;
    assert.equal(m.decoded.treatAsWithdraw?.code, 3);
    assert.equal(m.decoded.treatAsWithdraw?.subcode, sub, m.decoded.treatAsWithdraw?.describe());
    assert.equal(m.decoded.treatAsWithdraw?.action, 'treat-as-withdraw');
  });
}

test('bad ATOMIC_AGGREGATE and AS4_PATH are discarded, the UPDATE stays valid', () => {
  const m = decodeMessage(update([good.origin, good.path, good.nh, '400601 00', 'c01103 020100']));
  assert.ok(m.type === 'update');
  if (m.type !== 'update') return;
  assert.equal(m.decoded.treatAsWithdraw, undefined);
  assert.equal(m.decoded.discarded.length, 2);
  assert.ok(m.decoded.discarded.every((e) => e.action === 'attribute-discard'));
});

test('a well-formed UPDATE has no error; a repeated ORIGIN keeps the first', () => {
  const m = decodeMessage(update([good.origin, good.path, good.nh, '400101 02']));
  assert.ok(m.type === 'update' && !m.decoded.treatAsWithdraw && m.decoded.update.attrs.origin === 0);
});

test('OPEN semantics: bad peer AS, hold time 1, zero BGP ID', () => {
  const local = { localAs: 65001, peerAs: 65000, routerId: 1, holdTime: 90, caps: emptyCapabilities() };
  const open = (as: number, hold: number, id: number) => makeOpen(as, hold, id, emptyCapabilities());
  const sub = (fn: () => unknown) => { const e = errorOf(fn); assert.equal(e.code, 2); return e.subcode; };
  assert.equal(sub(() => negotiate(open(65099, 90, 5), local)), 2);
  assert.equal(sub(() => negotiate(open(65000, 1, 5), local)), 6);
  assert.equal(sub(() => negotiate(open(65000, 90, 0), local)), 3);
  const n = negotiate(open(65000, 30, 5), local);
  assert.equal(n.holdTime, 30);
  assert.equal(n.keepalive, 10);
  assert.deepEqual(n.families, [{ afi: 1, safi: 1 }], 'no MP capability means IPv4 unicast');
  assert.equal(n.fourOctetAs, false);
});
