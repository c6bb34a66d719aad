// The membership protocol core stays pure: runtime/src/speaker/membership/ minus its two I/O files
// (hmacSeal.ts: node:crypto; gossipNode.ts: sockets, clock, timers) reads no clock, draws no
// randomness of its own and imports nothing that does I/O, so tests drive it in virtual time.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const DIR = join(__dirname, '../../runtime/src/speaker/membership');
const IO = new Set(['hmacSeal.ts', 'gossipNode.ts']);

test('the membership core reads no clock, draws no random numbers and imports only itself', () => {
  const core = readdirSync(DIR).filter((f) => f.endsWith('.ts') && !IO.has(f));
  assert.ok(core.includes('swim.ts'));
  const bad: string[] = [];
  for (const f of core) {
    const text = readFileSync(join(DIR, f), 'utf8');
    for (const m of text.matchAll(/^import\s+(type\s+)?[\s\S]*?from\s+'([^']+)';/gm)) {
      const from = m[2];
      if (!from.startsWith('./') || IO.has(`${from.slice(2)}.ts`)) if (!m[1]) bad.push(`${f}: imports ${from}`);
    }
    for (const m of text.matchAll(/Date\.now\(|new Date\(|performance\.|setTimeout\(|setInterval\(|setImmediate\(|Math\.random\(|process\./g)) bad.push(`${f}: ${m[0]}`);
  }
  assert.deepEqual(bad, []);
});
