// "Did you mean": the bounded edit distance behind `closest` against a plain Levenshtein table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closest } from '@openelb/core/model/resource';
import { prng } from '../harness/support/prng';

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

/** The specification: the first candidate at the smallest distance, if within the limit. */
function reference(word: string, candidates: string[]): string | undefined {
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) { bestD = d; best = c; }
  }
  return bestD <= limit ? best : undefined;
}

test('closest: known suggestions', () => {
  assert.equal(closest('protocl', ['protocol', 'priority', 'interface']), 'protocol');
  assert.equal(closest('bgpp', ['bgp', 'layer2', 'vip']), 'bgp');
  assert.equal(closest('Adress', ['address']), 'address');
  assert.equal(closest('zzzzzz', ['address', 'protocol']), undefined);
});

test('closest: agrees with a full Levenshtein table on 5,000 random cases', () => {
  const rnd = prng(7);
  const word = () => Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => 'abcdeAB-'[Math.floor(rnd() * 8)]).join('');
  for (let n = 0; n < 5000; n++) {
    const w = word();
    const candidates = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => (rnd() < 0.5 ? word() : w.slice(0, Math.floor(rnd() * w.length)) + word().slice(0, 2)));
    assert.equal(closest(w, candidates), reference(w, candidates), `${w} in ${candidates.join(',')}`);
  }
});
