// Big inputs: overlap and default-Eip checks stay n log n and their messages stay bounded, in
// the editor rules, `openelb lint` and the controller. Work is measured by counting (comparisons,
// problems, names in a message), never by a clock.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { OverlapIndex, type OverlapCounter } from '@openelb/core/address/overlaps';
import { overlappingPairs, parsePool, poolsOverlap, type Pool } from '@openelb/core/address/pool';
import { OpenElbLanguageService } from '@openelb/core/languageService';
import { MAX_PER_RULE } from '@openelb/core/rules/cap';
import { overlapRefusals } from '../../runtime/src/allocator/overlap';
import { lint } from '../../server/src/cli/lint';
import { prng } from '../harness/support/prng';

const DEFAULT = 'eip.openelb.kubesphere.io/is-default-eip';

function eipDoc(name: string, address: string, isDefault = false): string {
  const ann = isDefault ? `  annotations:\n    ${DEFAULT}: "true"\n` : '';
  return `apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: ${name}\n${ann}spec:\n  address: ${address}\n  protocol: bgp\n`;
}

const file = (docs: string[]) => docs.join('---\n');
const pool = (text: string): Pool => parsePool(text).pool!;

function comparisonsFor(pools: Pool[]): number {
  const counter: OverlapCounter = { comparisons: 0 };
  const index = new OverlapIndex(pools, { counter });
  for (const p of pools) {
    index.count(p);
    index.find(p, 3);
  }
  return counter.comparisons;
}

test('overlap index: n identical pools cost n log n comparisons, not n² pairs', () => {
  const same = (n: number) => Array.from({ length: n }, () => pool('10.0.0.0/24'));
  const at4k = comparisonsFor(same(4000));
  const at8k = comparisonsFor(same(8000));
  // n log n doubles plus a little; n² would quadruple.
  assert.ok(at8k < 2.4 * at4k, `4,000 pools: ${at4k} comparisons, 8,000: ${at8k}`);
  assert.ok(at8k < 8000 * 14 * 8, `8,000 pools: ${at8k} comparisons`);
});

test('overlap index: counts and partners agree with the pairwise definition on random pools', () => {
  const r = prng(13);
  const pools: (Pool | undefined)[] = Array.from({ length: 300 }, (_x, i) => {
    if (i % 37 === 0) return undefined;
    const a = Math.floor(r() * 2000);
    const b = a + Math.floor(r() * (r() < 0.1 ? 600 : 20));
    return i % 5 === 0 ? { family: 6, first: BigInt(a), last: BigInt(b), form: 'range' } : { family: 4, first: BigInt(a), last: BigInt(b), form: 'range' };
  });
  const index = new OverlapIndex(pools);
  pools.forEach((p, i) => {
    if (!p) return;
    const want = pools.map((q, j) => (q && poolsOverlap(p, q) ? j : -1)).filter((j) => j >= 0);
    assert.equal(index.count(p), want.length, `count of pool ${i}`);
    const found = index.find(p, 5, (j) => j === i);
    assert.equal(found.length, Math.min(5, want.length - 1));
    for (const j of found) assert.ok(want.includes(j) && j !== i);
  });
  const pairs = overlappingPairs(pools);
  const brute: [number, number][] = [];
  pools.forEach((p, i) => pools.forEach((q, j) => { if (p && q && i < j && poolsOverlap(p, q)) brute.push([i, j]); }));
  assert.deepEqual(pairs, brute);
  // Shown one by one: only what was shown counts.
  const hidden = new OverlapIndex(pools, { hidden: true });
  hidden.show(1);
  hidden.show(2);
  const p1 = pools[1]!;
  assert.equal(hidden.count(p1), [1, 2].filter((j) => poolsOverlap(p1, pools[j]!)).length);
});

test('8,000 overlapping default Eips: at most MAX_PER_RULE problems of each id, a summary, bounded messages', () => {
  const text = file(Array.from({ length: 8000 }, (_x, i) => eipDoc(`eip-${i}`, '10.0.0.0/24', true)));
  const diags = new OpenElbLanguageService().validate('file:///big.yaml', text);
  for (const code of ['eip-overlap', 'eip-default-multiple']) {
    const mine = diags.filter((d) => d.code === code);
    assert.equal(mine.length, MAX_PER_RULE + 1, code);
    assert.match(mine[MAX_PER_RULE].message, new RegExp(`^${8000 - MAX_PER_RULE} more ${code} problems in this file are not listed`));
    assert.equal(mine[MAX_PER_RULE].range.start.line, text.split('\n').length - 3 - (code === 'eip-overlap' ? 0 : 2), 'the summary sits on the last one');
    for (const d of mine) assert.ok(d.message.length < 1000, `${code}: a message of ${d.message.length} characters`);
  }
  const overlap = diags.find((d) => d.code === 'eip-overlap')!;
  assert.match(overlap.message, /overlaps 'eip-1' \(10\.0\.0\.0\/24, in this file; shared: 10\.0\.0\.0-10\.0\.0\.255\), 'eip-2' .*, 'eip-3' .* and 7996 more;/);
  assert.ok(overlap.relatedInformation!.length <= 20);
  const dflt = diags.find((d) => d.code === 'eip-default-multiple')!;
  assert.match(dflt.message, /'eip-1' \(this file\), 'eip-2' \(this file\), 'eip-3' \(this file\) and 7996 more are marked default too/);
});

test('openelb lint of 8,000 overlapping Eips prints a capped list', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openelb-scale-'));
  try {
    const path = join(dir, 'big.yaml');
    writeFileSync(path, file(Array.from({ length: 8000 }, (_x, i) => eipDoc(`eip-${i}`, `10.0.${i % 256}.0/24`))));
    const out: string[] = [];
    assert.equal(lint([path], (s) => out.push(s), () => {}), 1);
    assert.equal(out.filter((l) => l.includes(' eip-overlap ')).length, MAX_PER_RULE + 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('across files: the shared catalog finds other files, never the file itself, and counts the rest', () => {
  const ls = new OpenElbLanguageService();
  const files = Array.from({ length: 50 }, (_x, i) => [`file:///f${i}.yaml`, eipDoc(`eip-${i}`, '10.0.0.0/24', i < 2)] as const);
  for (const [u, t] of files) ls.indexWorkspaceFile(u, t);
  const diags = ls.validate(files[0][0], files[0][1]);
  const overlap = diags.find((d) => d.code === 'eip-overlap')!;
  assert.match(overlap.message, /overlaps 'eip-1' \(10\.0\.0\.0\/24, in f1\.yaml; .*\), 'eip-2' .*, 'eip-3' .* and 46 more;/);
  assert.doesNotMatch(overlap.message, /overlaps .*'eip-0'/, 'not its own indexed copy');
  const dflt = diags.find((d) => d.code === 'eip-default-multiple')!;
  assert.match(dflt.message, /only one Eip can be the default pool; 'eip-1' \(in f1\.yaml\) is marked default too/);
  // Alone in its file, the same Eip indexed elsewhere under its own name is the same object.
  const alone = new OpenElbLanguageService();
  alone.indexWorkspaceFile('file:///applied.yaml', eipDoc('x', '10.0.0.0/24', true));
  assert.deepEqual(alone.validate('file:///x.yaml', eipDoc('x', '10.0.0.0/24', true)).map((d) => d.code), []);
});

test('controller: 8,000 copies of one range refuse all but the oldest, each naming at most 3', () => {
  const eips = Array.from({ length: 8000 }, (_x, i) => ({ name: `e${String(i).padStart(5, '0')}`, pool: pool('10.0.0.0/24'), created: i }));
  const refused = overlapRefusals(eips);
  assert.equal(refused.size, 7999);
  assert.ok(!refused.has('e00000'));
  const last = refused.get('e07999')!;
  assert.deepEqual(last.others.length, 3);
  assert.match(last.message, /^spec\.address overlaps the older Eip e\d+ .* and 7996 more; the older Eip keeps the range/);
  assert.deepEqual(refused.get('e00001')!.others, ['e00000']);
  assert.ok(!/ more;/.test(refused.get('e00001')!.message));
});
