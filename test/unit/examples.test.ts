// The sample workspace (examples/) is what a new user opens first: each file's opening comment
// says how many mistakes it holds on purpose, and the Problems panel must show exactly those.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OpenElbLanguageService } from '@openelb/core/languageService';

const dir = join(import.meta.dirname, '..', '..', 'examples');
const FILES = ['eips.yaml', 'services.yaml', 'bgp.yaml'];

/** Every example checked together, as the editor's workspace scan and `openelb lint examples/*.yaml` do. */
function problemsByFile(): Map<string, { line: number; code: string; severity: number }[]> {
  const service = new OpenElbLanguageService();
  const texts = FILES.map((f) => [f, readFileSync(join(dir, f), 'utf8')] as const);
  for (const [f, t] of texts) service.indexWorkspaceFile(`file:///examples/${f}`, t);
  return new Map(texts.map(([f, t]) => [f, service.validate(`file:///examples/${f}`, t)
    .map((d) => ({ line: d.range.start.line + 1, code: String(d.code), severity: d.severity ?? 1 }))]));
}

describe('examples/', () => {
  const problems = problemsByFile();

  it('eips.yaml: the comment promises two mistakes of eip-broken, and the Problems panel shows exactly those two', () => {
    const text = readFileSync(join(dir, 'eips.yaml'), 'utf8');
    assert.match(text.split('\n')[0], /eip-broken's two mistakes/);
    const brokenStart = text.split('\n').findIndex((l) => l.includes('name: eip-broken')) + 1;
    const found = problems.get('eips.yaml')!;
    assert.deepEqual(found.map((p) => p.code).sort(), ['eip-address-syntax', 'eip-interface-required']);
    assert.ok(found.every((p) => p.line > brokenStart), `both on eip-broken (from line ${brokenStart}): ${JSON.stringify(found)}`);
  });

  it('services.yaml and bgp.yaml: one mistake each, as their comments say', () => {
    assert.deepEqual(problems.get('services.yaml')!.map((p) => p.code), ['service-unknown-eip']);
    assert.equal(problems.get('bgp.yaml')!.length, 1, JSON.stringify(problems.get('bgp.yaml')));
  });
});
