// Random and mutated messages through the framer and decoder: only BgpError may come out,
// and the whole loop stays within a time bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Framer } from '../../runtime/src/speaker/bgp/framer';
import { decodeMessage, encodeMessage } from '../../runtime/src/speaker/bgp/messages';
import { BgpError } from '../../runtime/src/speaker/bgp/errors';
import { makeOpen } from '../../runtime/src/speaker/bgp/open';
import { announceUpdate, withdrawUpdate, endOfRib } from '../../runtime/src/speaker/bgp/routes';
import { parsePrefix } from '../../runtime/src/speaker/bgp/prefix';
import { parseIp } from '@openelb/core/address/ip';
import { prng } from '../harness/support/prng';

const rng = prng;

const negotiated = { peerAs: 65000, peerRouterId: 1, holdTime: 90, keepalive: 30, fourOctetAs: true, families: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }], routeRefresh: true };
const view = { localAs: 65001, peerAs: 65000, negotiated };
const seeds: Buffer[] = [
  encodeMessage({ type: 'keepalive' }),
  encodeMessage({ type: 'open', open: makeOpen(4200000000, 90, 1, { multiprotocol: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }], routeRefresh: true, fourOctetAs: 4200000000, gracefulRestart: { restarting: false, restartTime: 120, families: [{ afi: 1, safi: 1, forwardingPreserved: false }] }, unknown: [] }) }),
  encodeMessage({ type: 'update', update: announceUpdate({ prefix: parsePrefix('172.31.254.100/32')!, nextHop: parseIp('172.31.254.2')! }, view) }),
  encodeMessage({ type: 'update', update: announceUpdate({ prefix: parsePrefix('fd00:254::100/128')!, nextHop: parseIp('fd00:254::2')! }, view) }),
  encodeMessage({ type: 'update', update: withdrawUpdate(parsePrefix('fd00:254::100/128')!) }),
  encodeMessage({ type: 'update', update: endOfRib(4) }),
  encodeMessage({ type: 'notification', notification: { code: 3, subcode: 1, data: Uint8Array.of(1, 2, 3) } }),
  encodeMessage({ type: 'route-refresh', refresh: { afi: 1, safi: 1 } }),
];

function mutate(r: () => number, src: Buffer): Buffer {
  const b = Buffer.from(src);
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const pos = Math.floor(r() * b.length);
    switch (Math.floor(r() * 4)) {
      case 0: b[pos] = Math.floor(r() * 256); break;
      case 1: b[pos] ^= 1 << Math.floor(r() * 8); break;
      case 2: if (pos >= 19) b[pos] = r() < 0.5 ? 0 : 0xff; break;
      // Keep the header valid but corrupt the body length fields more often.
      default: if (b.length > 23) b[19 + Math.floor(r() * 4)] = Math.floor(r() * 256);
    }
  }
  return b;
}

function feed(buf: Buffer, r: () => number, fourOctetAs: boolean): void {
  const f = new Framer();
  for (let i = 0; i < buf.length;) {
    const step = 1 + Math.floor(r() * 64);
    const { messages, error } = f.push(buf.subarray(i, i + step));
    i += step;
    if (error) assert.ok(error instanceof BgpError);
    for (const m of messages) {
      try {
        decodeMessage(m, { fourOctetAs });
      } catch (e) {
        if (!(e instanceof BgpError)) throw new Error(`non-BgpError from decoder: ${String(e)} for ${m.toString('hex')}`);
        assert.ok(e.code >= 1 && e.code <= 6);
      }
    }
    if (error) break;
  }
}

test('fuzz: mutated valid messages never throw anything but BgpError', () => {
  const r = rng(20240501);
  const t0 = Date.now();
  for (let i = 0; i < 20000; i++) {
    const src = seeds[Math.floor(r() * seeds.length)];
    feed(mutate(r, src), r, r() < 0.5);
  }
  assert.ok(Date.now() - t0 < 20000, 'fuzz loop stays bounded');
});

test('fuzz: random bytes with a valid marker and length', () => {
  const r = rng(7);
  const t0 = Date.now();
  for (let i = 0; i < 20000; i++) {
    const len = 19 + Math.floor(r() * 200);
    const b = Buffer.alloc(len);
    for (let k = 16; k < len; k++) b[k] = Math.floor(r() * 256);
    b.fill(0xff, 0, 16);
    b.writeUInt16BE(len, 16);
    b[18] = 1 + Math.floor(r() * 5);
    feed(b, r, r() < 0.5);
  }
  assert.ok(Date.now() - t0 < 20000);
});

test('fuzz: pure noise streams stop the framer cleanly', () => {
  const r = rng(99);
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.alloc(1 + Math.floor(r() * 500));
    for (let k = 0; k < b.length; k++) b[k] = Math.floor(r() * 256);
    feed(b, r, true);
  }
});
