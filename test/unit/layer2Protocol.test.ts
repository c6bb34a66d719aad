// Helper message framing, parsing the helper's JSON reports, and the token bucket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encodeMessage, MessageDecoder, parseHelperStats, parseInterfaceInfo,
} from '../../runtime/src/speaker/layer2/helperProtocol';
import { PacketIO } from '../../runtime/src/speaker/layer2/packetIO';
import { TokenBucket } from '../../runtime/src/speaker/layer2/tokenBucket';

test('encodes type, big-endian length, payload', () => {
  assert.equal(encodeMessage('F', Buffer.from([1, 2, 3])).toString('hex'), '460003010203');
  assert.equal(encodeMessage('S').toString('hex'), '530000');
  assert.throws(() => encodeMessage('F', Buffer.alloc(2000)), /exceeds/);
});

test('decodes messages split at any byte', () => {
  const stream = Buffer.concat([
    encodeMessage('I', Buffer.from('{"a":1}')), encodeMessage('F', Buffer.alloc(300, 7)), encodeMessage('S'),
  ]);
  for (let cut = 0; cut <= stream.length; cut++) {
    const d = new MessageDecoder();
    const msgs = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
    assert.deepEqual(msgs.map((m) => [m.type, m.payload.length]), [['I', 7], ['F', 300], ['S', 0]], `cut at ${cut}`);
  }
});

test('token bucket allows a burst, then the refill rate', () => {
  let now = 0;
  const b = new TokenBucket(10, 5, () => now);
  const taken = () => Array.from({ length: 20 }, () => b.take()).filter(Boolean).length;
  assert.equal(taken(), 5);
  now += 500;
  assert.equal(taken(), 5, '10/s for 0.5 s');
  now += 10_000;
  assert.equal(taken(), 5, 'never more than the burst');
  assert.throws(() => new TokenBucket(0, 1), /rate/);
});

const info = (o: object) => Buffer.from(JSON.stringify(o));
const goodInfo = { ifname: 'eth0', ifindex: 2, mac: '02:00:00:00:00:01', mtu: 1500, addrs: ['10.0.0.1'] };

test('parses the interface report, names with quotes and backslashes included', () => {
  assert.deepEqual(parseInterfaceInfo(info(goodInfo)), goodInfo);
  // What the helper writes for an interface named a"b\c (escaped in C).
  assert.equal(parseInterfaceInfo(Buffer.from('{"ifname":"a\\"b\\\\c","ifindex":3,"mac":"02:00:00:00:00:01","mtu":1500,"addrs":[]}')).ifname, 'a"b\\c');
});

test('a malformed interface report is an error saying what is wrong', () => {
  // Unescaped quote: what the helper used to send for such a name.
  assert.throws(() => parseInterfaceInfo(Buffer.from('{"ifname":"a"b","ifindex":3}')), /malformed interface report \(.*JSON.*\): "\{\\"ifname/);
  assert.throws(() => parseInterfaceInfo(Buffer.from('[1]')), /malformed interface report \(not a JSON object\)/);
  assert.throws(() => parseInterfaceInfo(info({ ...goodInfo, mac: 'zz' })), /"mac" is "zz", expected a MAC address/);
  assert.throws(() => parseInterfaceInfo(info({ ...goodInfo, ifindex: 0 })), /"ifindex" is 0, expected a positive integer/);
  assert.throws(() => parseInterfaceInfo(info({ ...goodInfo, addrs: [1] })), /"addrs" is \[1\], expected a list/);
});

test('parses counters; a malformed counters report names what is missing', () => {
  const counts = { rx: 1, forwarded: 2, droppedRate: 3, droppedSlow: 4, droppedOversize: 5, tx: 6, txErrors: 7, socketErrors: 8 };
  assert.deepEqual(parseHelperStats(info({ ...counts, extra: 9 })), counts);
  assert.throws(() => parseHelperStats(Buffer.from('{"rx":')), /malformed counters report/);
  assert.throws(() => parseHelperStats(info({ ...counts, tx: -1, rx: 'x' })), /rx, tx missing or not a count/);
});

/** A stand-in helper: a shell script that writes `script`'s output as the helper's stdout. */
function fakeHelper(dir: string, body: string): string {
  const path = join(dir, `helper-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}
const shellBytes = (msg: Buffer) => `printf '${[...msg].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('')}'`;

test('a helper sending a malformed report fails the open or the stats call, not the process', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'openelb-fake-helper-'));
  try {
    const badInfo = fakeHelper(dir, `${shellBytes(encodeMessage('I', Buffer.from('{"ifname":"a"b"}')))}; cat >/dev/null`);
    await assert.rejects(PacketIO.open('a"b', { helperPath: badInfo }), /packet helper on a"b: packet helper sent a malformed interface report/);

    // Good report, then answers the first message it reads (our 'S') with broken JSON.
    const badStats = fakeHelper(dir, [
      shellBytes(encodeMessage('I', info(goodInfo))),
      'head -c 3 >/dev/null',
      shellBytes(encodeMessage('S', Buffer.from('{"rx":1,'))),
      'cat >/dev/null',
    ].join('\n'));
    const io = await PacketIO.open('eth0', { helperPath: badStats });
    try {
      await assert.rejects(io.stats(), /packet helper on eth0: packet helper sent a malformed counters report/);
      assert.equal(io.running, true);
    } finally {
      await io.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
