// Differential test of the fast YAML path: whenever fastParse accepts a document, its tree must
// equal the one the `yaml` library's parse converts into (libraryParse.ts): every node's kind,
// value, quoting and offsets, and the errors. Inputs: the fixtures, the bench generator's Eip
// files, and thousands of random Kubernetes-like documents (seeded, mutated).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, type AstDocument, type AstNode } from '@openelb/core/model/ast';
import { fastParse } from '@openelb/core/model/fastParse';
import { parseWithLibrary } from '@openelb/core/model/libraryParse';
import { splitDocuments } from '@openelb/core/model/documents';
import { generateEips } from '../../bench/support/generate';
import { prng } from '../harness/support/prng';

/** Everything rules can observe about a node, as plain data. */
function describe(n: AstNode | null): unknown {
  if (n === null) return n;
  const range = [n.start, n.end, n.nodeEnd];
  if (isMap(n)) return { kind: 'map', range, pairs: n.pairs.map((p) => ({ key: describe(p.key), value: describe(p.value) })) };
  if (isSeq(n)) return { kind: 'seq', range, items: n.items.map(describe) };
  if (isAlias(n)) return { kind: 'alias', range, name: n.name };
  if (isScalar(n)) {
    const v = n.value;
    return { kind: 'scalar', range, value: typeof v === 'number' && Number.isNaN(v) ? 'NaN' : v, valueType: typeof v, quoted: n.quoted };
  }
  return { kind: 'other', n: String(n) };
}

function describeDoc(d: AstDocument): unknown {
  return { contents: describe(d.contents), errors: d.errors.map((e) => [e.code, e.pos, e.message]) };
}

/** Compares one document text; returns whether the fast path took it. */
function check(text: string): boolean {
  const fast = fastParse(text);
  if (!fast) return false;
  const [a, b] = [describeDoc(fast), describeDoc(parseWithLibrary(text))];
  const where = firstDifference(a, b, 'doc');
  assert.ok(where === undefined, `fastParse differs from yaml at ${where} on:\n${JSON.stringify(text)}`);
  assert.deepEqual(a, b);
  return true;
}

/** Path and values of the first difference between two plain-data trees, for readable failures. */
function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : `${path}: fast ${JSON.stringify(a)}, yaml ${JSON.stringify(b)}`;
}

const docsOf = (file: string) => splitDocuments(file).map((c) => c.text);

test('fixtures: equal to the library, and clean documents take the fast path', () => {
  const root = join(__dirname, '..', 'fixtures');
  let fast = 0;
  let total = 0;
  for (const dir of readdirSync(root)) {
    for (const f of readdirSync(join(root, dir)).filter((x) => x.endsWith('.yaml'))) {
      for (const text of docsOf(readFileSync(join(root, dir, f), 'utf8'))) {
        total++;
        const took = check(text);
        if (took) fast++;
        const lib = parseWithLibrary(text);
        const syntaxError = lib.errors.some((e) => e.code !== 'DUPLICATE_KEY');
        if (!syntaxError && lib.contents !== null) assert.ok(took, `declined a clean fixture document (${dir}/${f}):\n${text}`);
      }
    }
  }
  assert.ok(total > 10 && fast > 0, `${fast}/${total}`);
});

test('bench-generated Eip documents all take the fast path and are equal', () => {
  for (const n of [1, 24, 500]) {
    for (const text of docsOf(generateEips(n).text)) assert.ok(check(text), `declined a bench document:\n${text}`);
  }
});

// --- random Kubernetes-like documents --------------------------------------------------------


const SCALARS = [
  'eth0', 'layer2', 'bgp', '10.0.0.1-10.0.0.9', '192.168.0.0/24', 'can_reach:10.0.0.1', 'fd00::/124', 'http://x:80/a',
  '~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'false', 'False', 'no', 'yes', 'on',
  '0', '1', '-1', '+1', '010', '0o17', '0o8', '0x1F', '0xg', '1_000', '1e3', '1E-3', '+1e3', '1.', '.5', '0.5', '1.50', '-0.0',
  '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '.NAN', 'NaN', 'inf', '1.2.3', '12:30', '--x', '?x', ':x', 'a b  c',
  'x#y', 'b]c', 'a,b', 'a{b}', 'naïve ✓ 😀', '---x', '...', '"dq"', '"d q \'x\'"', "'sq'", "'it''s'", "''", '""', '"a#b"', "'a: b'", '[]', '{}',
];
/** Values outside the fast subset (or invalid): each makes its document take the library path. */
const EXOTIC = ['[ ]', '"esc\\n"', "'multi", '&a x', '*a', '!t x', '|', '>', '%x', '@x', '`x', 'a: b', 'b:', '-', '[1, 2]', '"x"y'];
const KEYS = ['apiVersion', 'kind', 'name', 'spec', 'address', 'protocol', 'interface', 'priority', 'disable', 'namespaces',
  'a', 'b', '1', 'true', '~', 'null', '"q"', "'s'", '"a b"', 'x y', '.5', '"1"', "'it''s'"];
const EXOTIC_KEYS = ['a:b', '<<', '? x', '-k', 'k ', '', '[a]', '&a k', '"a\\"b"'];

function randomDoc(r: () => number): string {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const lines: string[] = [];
  const comment = (indent: number) => {
    const x = r();
    if (x < 0.08) lines.push(' '.repeat(indent + pick([-2, 0, 0, 2, 4].map((d) => Math.max(0, d)))) + '# note');
    else if (x < 0.14) lines.push(pick(['', '  ', ' ']));
  };
  const scalar = () => (r() < 0.02 ? pick(EXOTIC) : pick(SCALARS));
  const tail = () => (r() < 0.1 ? '  # c' : r() < 0.05 ? '   ' : '');
  const seqStep = () => pick([0, 2, 2, 4]);
  function mapBody(indent: number, depth: number, firstPrefix?: string) {
    const n = 1 + Math.floor(r() * 4);
    for (let i = 0; i < n; i++) {
      comment(indent);
      const key = r() < 0.02 ? pick(EXOTIC_KEYS) : pick(KEYS);
      const pre = i === 0 && firstPrefix !== undefined ? firstPrefix : ' '.repeat(indent);
      const x = r();
      if (depth < 3 && x < 0.25) {
        lines.push(`${pre}${key}:${tail()}`);
        comment(indent);
        mapBody(indent + pick([2, 2, 2, 4, 1]), depth + 1);
      } else if (depth < 3 && x < 0.4) {
        lines.push(`${pre}${key}:${tail()}`);
        comment(indent);
        seqBody(indent + seqStep(), depth + 1);
      } else if (x < 0.5) lines.push(`${pre}${key}:${tail()}`);
      else lines.push(`${pre}${key}: ${scalar()}${tail()}`);
    }
  }
  function seqBody(indent: number, depth: number) {
    const n = 1 + Math.floor(r() * 3);
    for (let i = 0; i < n; i++) {
      comment(indent);
      const pre = ' '.repeat(indent) + '-' + pick([' ', ' ', '   ']);
      const x = r();
      if (depth < 3 && x < 0.35) mapBody(pre.length, depth + 1, pre);
      else if (depth < 3 && x < 0.45) { lines.push(pre.trimEnd() + tail()); mapBody(indent + 2, depth + 1); }
      else if (x < 0.55) lines.push(pre.trimEnd() + tail());
      else lines.push(pre + scalar() + tail());
    }
  }
  if (r() < 0.05) lines.push('# header');
  if (r() < 0.5) lines.push(pick(['---', '--- # doc', '---  ']));
  comment(0);
  if (r() < 0.9) mapBody(r() < 0.9 ? 0 : 2, 0);
  else seqBody(0, 0);
  comment(0);
  return lines.join('\n') + pick(['\n', '\n', '', '\n\n', '\n# end\n']);
}

/** Small random edits: characters from YAML's syntax, dropped/duplicated lines, indentation shifts. */
function mutate(text: string, r: () => number): string {
  const edits = 1 + Math.floor(r() * 3);
  let s = text;
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(r() * (s.length + 1));
    const x = r();
    if (x < 0.4) s = s.slice(0, at) + ' :-#\'"[]{}\n,0.~&*!|>?\t\r'[Math.floor(r() * 25)] + s.slice(at);
    else if (x < 0.7) s = s.slice(0, at) + s.slice(at + 1);
    else {
      const lines = s.split('\n');
      const li = Math.floor(r() * lines.length);
      if (x < 0.8) lines.splice(li, 0, lines[li]);
      else if (x < 0.9) lines[li] = ' ' + lines[li];
      else lines[li] = lines[li].replace(/^ /, '');
      s = lines.join('\n');
    }
  }
  return s;
}

test('random Kubernetes-like documents: equal to the library whenever taken', () => {
  const r = prng(Number(process.env.FASTPARSE_SEED ?? 20240611));
  let fast = 0;
  let fastMutated = 0;
  let dupErrors = 0;
  const N = Number(process.env.FASTPARSE_DOCS ?? 4000);
  for (let i = 0; i < N; i++) {
    const doc = randomDoc(r);
    if (check(doc)) {
      fast++;
      if (fastParse(doc)!.errors.length) dupErrors++;
    }
    if (check(mutate(doc, r))) fastMutated++;
  }
  if (process.env.FASTPARSE_DOCS) console.log(`fast: ${fast} generated, ${fastMutated} mutated of ${N}; ${dupErrors} with duplicate keys`);
  // The generator mostly writes the supported subset: make sure the fast path is exercised.
  assert.ok(fast > N * 0.5, `fast path taken for only ${fast} of ${N} generated documents`);
  assert.ok(fastMutated > N * 0.2, `fast path taken for only ${fastMutated} of ${N} mutated documents`);
  assert.ok(dupErrors > 20, `only ${dupErrors} fast documents with duplicate-key errors`);
});

test('declines what it does not handle', () => {
  for (const text of ['a: |\n  x\n', 'a: &x 1\nb: *x\n', 'a: !t x\n', 'a: "x\\ny"\n', 'a: b\n  c\n', '? a\n: b\n', 'a:\tb\n',
    'a: [1, 2]\n', '\tname: x\n', 'a:\n\tb: 1\n', 'a: b\r\n', '%YAML 1.2\n---\na: 1\n', 'a: 1\n...\n', '', '# only a comment\n', 'plain scalar\n', 'a: b: c\n', 'a:b: c\n']) {
    assert.equal(fastParse(text), undefined, JSON.stringify(text));
  }
});

test('speed: 10,000 bench Eip documents, library vs fast path', () => {
  const docs = docsOf(generateEips(10_000).text);
  const best = (runs: number, f: (t: string) => unknown) => {
    let ms = Infinity;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      for (const d of docs) f(d);
      ms = Math.min(ms, performance.now() - t0);
    }
    return ms;
  };
  const lib = best(2, (t) => parseWithLibrary(t));
  const fast = best(3, (t) => fastParse(t));
  console.log(`parse of ${docs.length} Eip documents: yaml (converted) ${lib.toFixed(0)} ms, fastParse ${fast.toFixed(0)} ms (${(lib / fast).toFixed(1)}x)`);
  // The target is 5x; the floor leaves room for a busy shared machine.
  assert.ok(lib / fast > 3, `fastParse only ${(lib / fast).toFixed(1)}x faster than the library`);
});
