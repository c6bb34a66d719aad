// The speaker's plan stays pure: runtime/src/speaker/plan/ and the node/ modules it reads neither
// read the clock nor import anything that does I/O, so a snapshot alone decides every plan.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const SPEAKER = join(__dirname, '../../runtime/src/speaker');
/** The node/ modules the plan may call: pure helpers kept there for their older callers. */
const PURE_NODE = ['interfaces', 'bgpConfig', 'clusterView', 'liveness', 'conditions', 'selector'];
const files = [
  ...readdirSync(join(SPEAKER, 'plan')).filter((f) => f.endsWith('.ts')).map((f) => `plan/${f}`),
  ...PURE_NODE.map((m) => `node/${m}.ts`),
];

/** Where a value (not type-only) import may come from. */
function allowed(from: string, dir: string): boolean {
  if (from === 'node:crypto') return true; // hashing for the election
  if (from.includes('/server/core/src/') || from.startsWith('@openelb/core/')) return true;
  const mod = from.replace(/^.*\//, '');
  if (from.startsWith('./')) return dir === 'plan' || PURE_NODE.includes(mod);
  if (from.startsWith('../plan/')) return true;
  return from.startsWith('../node/') && PURE_NODE.includes(mod);
}

test('the plan reads no clock and imports nothing that does I/O', () => {
  const bad: string[] = [];
  for (const f of files) {
    const text = readFileSync(join(SPEAKER, f), 'utf8');
    for (const m of text.matchAll(/^import\s+(type\s+)?[\s\S]*?from\s+'([^']+)';/gm)) {
      if (!m[1] && !allowed(m[2], f.split('/')[0])) bad.push(`${f}: imports ${m[2]}`);
    }
    for (const m of text.matchAll(/Date\.now\(|new Date\(\)|performance\.now\(|setTimeout\(|setInterval\(|process\./g)) bad.push(`${f}: ${m[0]}`);
  }
  assert.deepEqual(bad, []);
});
