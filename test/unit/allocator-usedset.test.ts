// The sorted used-address set: lowest free address without listing the pool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsedSet } from '../../runtime/src/allocator/usedSet';

test('lowest free skips a run of used addresses and stops at the pool end', () => {
  const u = new UsedSet();
  for (const v of [12n, 10n, 11n, 14n]) u.add(v);
  assert.deepEqual([...u], [10n, 11n, 12n, 14n]);
  assert.equal(u.lowestFree(10n, 20n), 13n);
  assert.equal(u.lowestFree(9n, 20n), 9n);
  assert.equal(u.lowestFree(14n, 14n), undefined);
  assert.equal(u.lowestFree(10n, 12n), undefined);
  assert.equal(u.countIn(11n, 14n), 3);
  u.delete(11n);
  assert.equal(u.lowestFree(10n, 20n), 11n);
  assert.equal(u.has(11n), false);
  u.add(12n); // adding twice keeps one copy
  assert.equal(u.size, 3);
});

test('walking is proportional to the used addresses, not the pool size', () => {
  const u = new UsedSet();
  const first = 1n << 100n;
  for (let i = 0n; i < 5000n; i++) u.add(first + i);
  const t = process.hrtime.bigint();
  assert.equal(u.lowestFree(first, first + (1n << 27n)), first + 5000n);
  assert.ok(process.hrtime.bigint() - t < 200_000_000n, 'under 200 ms');
});

test('lowestFree agrees with a plain walk over random sets and ranges', () => {
  let seed = 7;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  for (let round = 0; round < 500; round++) {
    const u = new UsedSet();
    const present = new Set<bigint>();
    for (let i = rnd(60); i > 0; i--) { const v = BigInt(rnd(80)); u.add(v); present.add(v); }
    const first = BigInt(rnd(70));
    const last = first + BigInt(rnd(30));
    let want: bigint | undefined;
    for (let v = first; v <= last; v++) if (!present.has(v)) { want = v; break; }
    assert.equal(u.lowestFree(first, last), want, `round ${round}: [${first}, ${last}] of ${[...present].sort((a, b) => Number(a - b)).join(',')}`);
  }
});
