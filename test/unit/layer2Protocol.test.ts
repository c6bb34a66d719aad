// Helper message framing and the token bucket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMessage, MessageDecoder } from '../../runtime/src/speaker/layer2/helperProtocol';
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
