// Fuzz: random and mutated OpenELB YAML through the real server over stdio, with didOpen,
// didChange, completion, hover, code actions, symbols and inlay hints at random positions.
// Every request must be answered, no handler may fail, and the server must survive.
// Reproduce a run with OPENELB_FUZZ_SEED=<seed printed below>; OPENELB_FUZZ_ITERATIONS sets the count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Position, Range } from 'vscode-languageserver-protocol';
import { applyEdits, ensureBuilt, LspClient, PUSH_CAPABILITIES } from '../harness/support/lspClient';
import { layer2Eip, MISTAKES, MISTAKES_EXPECTED, V1ALPHA1_BGPCONF, VALID } from './samples';
import { prng } from '../harness/support/prng';

const ITERATIONS = Number(process.env.OPENELB_FUZZ_ITERATIONS ?? 300);
const SEED = Number(process.env.OPENELB_FUZZ_SEED ?? Date.now() % 2 ** 31);


const SAMPLES = [MISTAKES, VALID, V1ALPHA1_BGPCONF, layer2Eip('fuzz', '10.0.0.1-10.0.0.9'), layer2Eip('six', '2001:db8::/120')];
const JUNK = ['---\n', '- ', ': ', '{', '}', '[', ']', '&a ', '*a ', '!!binary ', '"', "'", '#', '\t', '\r\n', '\uFEFF', '\0', '\uD800', '|\n', '>-\n',
  '<<: *a\n', '? ', '%YAML 1.2\n', 'address: ', 'protocol: layer2\n', 'interface: ', '192.168.0.255-192.168.0.1', '::/0', '10.0.0.0/33',
  'kind: Eip\n', 'apiVersion: network.kubesphere.io/v1alpha1\n', 'eip.openelb.kubesphere.io/v1alpha2: ', '  ', '\n', '9'.repeat(40)];

class Fuzzer {
  constructor(readonly rnd: () => number) {}
  int(n: number): number { return Math.floor(this.rnd() * n); }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }

  /** A mutated sample: characters and lines deleted, duplicated, swapped; junk inserted. */
  mutate(text: string): string {
    let s = text;
    const rounds = 1 + this.int(8);
    for (let r = 0; r < rounds; r++) {
      const at = this.int(s.length + 1);
      const lines = s.split('\n');
      const li = this.int(lines.length);
      switch (this.int(7)) {
        case 0: s = s.slice(0, at) + s.slice(at + 1 + this.int(5)); break; // delete characters
        case 1: s = s.slice(0, at) + s.slice(at, at + 1 + this.int(10)) + s.slice(at); break; // duplicate characters
        case 2: if (at + 1 < s.length) s = s.slice(0, at) + s[at + 1] + s[at] + s.slice(at + 2); break; // swap two
        case 3: lines.splice(li, 1); s = lines.join('\n'); break; // delete a line
        case 4: lines.splice(li, 0, lines[this.int(lines.length)]); s = lines.join('\n'); break; // duplicate a line
        case 5: { const lj = this.int(lines.length); [lines[li], lines[lj]] = [lines[lj], lines[li]]; s = lines.join('\n'); break; } // swap lines
        default: s = s.slice(0, at) + this.pick(JUNK) + s.slice(at); // insert junk
      }
    }
    return s;
  }

  /** Random characters, biased towards YAML's own. */
  random(): string {
    const alphabet = 'ab: -\n\n  #{}[],&*!|>"\'0123456789./';
    let s = '';
    const n = this.int(400);
    for (let i = 0; i < n; i++) s += this.rnd() < 0.9 ? alphabet[this.int(alphabet.length)] : String.fromCharCode(this.int(0x10000));
    return s;
  }

  document(): string {
    const r = this.rnd();
    if (r < 0.1) return this.random();
    if (r < 0.2) return this.pick(SAMPLES);
    return this.mutate(r < 0.4 ? SAMPLES.join('---\n') : this.pick(SAMPLES));
  }

  /** A position inside the text (mostly) or beyond it (sometimes). */
  position(text: string): Position {
    const lines = text.split('\n');
    if (this.rnd() < 0.05) return { line: lines.length + this.int(5), character: this.int(50) };
    const line = this.int(lines.length);
    return { line, character: this.int(lines[line].length + (this.rnd() < 0.05 ? 10 : 1)) };
  }

  range(text: string): Range {
    const a = this.position(text);
    const b = this.position(text);
    return a.line < b.line || (a.line === b.line && a.character <= b.character) ? { start: a, end: b } : { start: b, end: a };
  }
}

test(`fuzz: ${ITERATIONS} random and mutated documents through the server (seed ${SEED})`, { timeout: 120_000 }, async () => {
  console.log(`fuzz seed ${SEED} (set OPENELB_FUZZ_SEED=${SEED} to replay)`);
  ensureBuilt();
  const f = new Fuzzer(prng(SEED));
  const c = LspClient.start();
  const started = Date.now();
  let requests = 0;
  try {
    await c.initialize(PUSH_CAPABILITIES, { initializationOptions: { debounceMs: f.int(3) === 0 ? 0 : 5 } });
    const open: string[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      // Open a new document, or edit one that is open (one to three incremental edits).
      if (open.length === 0 || f.rnd() < 0.3) {
        const uri = `file:///fuzz/doc-${i}.yaml`;
        c.open(uri, f.document());
        open.push(uri);
      } else {
        const uri = f.pick(open);
        if (f.rnd() < 0.05) {
          c.close(uri);
          open.splice(open.indexOf(uri), 1);
          continue;
        }
        // One to three edits in one notification; each applies to the text the previous one left.
        const edits: { range: Range; text: string }[] = [];
        let after = c.text(uri);
        for (let k = 1 + f.int(3); k > 0; k--) {
          const e = { range: f.range(after), text: f.rnd() < 0.5 ? f.pick(JUNK) : f.mutate(f.pick(SAMPLES)).slice(0, f.int(200)) };
          after = applyEdits(after, [{ range: e.range, newText: e.text }]);
          edits.push(e);
        }
        c.change(uri, edits);
      }
      const uri = f.pick(open);
      const text = c.text(uri);
      const pending: Promise<unknown>[] = [];
      for (let k = 1 + f.int(4); k > 0; k--) {
        const kind = f.int(5);
        if (kind === 0) pending.push(c.completion(uri, f.position(text)));
        else if (kind === 1) pending.push(c.hover(uri, f.position(text)));
        else if (kind === 2) pending.push(c.codeActions(uri, f.range(text)));
        else if (kind === 3) pending.push(c.symbols(uri));
        else pending.push(c.inlayHints(uri, f.range(text)));
      }
      requests += pending.length;
      await Promise.all(pending);
      assert.ok(c.alive, `server died at iteration ${i} (seed ${SEED})\n${c.stderr}`);
    }
    // Still correct afterwards, not only alive: a fresh file gets its exact diagnostics.
    c.notify('openelb/clusterFacts', null);
    for (const uri of open) c.close(uri);
    const check = 'file:///fuzz-check/mistakes.yaml';
    c.open(check, MISTAKES);
    const diags = await c.waitForCurrentDiagnostics(check, (d) => d.length >= MISTAKES_EXPECTED.length);
    assert.deepEqual(diags.filter((d) => d.code !== 'eip-overlap').map((d) => d.code).sort(),
      MISTAKES_EXPECTED.filter((e) => e[0] !== 'eip-overlap').map((e) => e[0]).sort());
    assert.deepEqual(c.loggedErrors, [], `no handler failed (seed ${SEED})`);
    console.log(`fuzz: ${ITERATIONS} iterations, ${requests} requests in ${Date.now() - started} ms`);
    assert.equal(await c.shutdown(), 0);
  } finally {
    c.kill();
  }
});
