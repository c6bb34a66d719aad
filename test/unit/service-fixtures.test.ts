// Golden fixtures: every `#! code` marker in test/fixtures/invalid/*.yaml names a diagnostic that
// must start on that line; valid/*.yaml must produce no error or warning at all.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OpenElbLanguageService } from '@openelb/core/languageService';

const dir = join(import.meta.dirname, '..', 'fixtures');

function expected(text: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /#!\s*(.+)$/.exec(line);
    if (m) for (const code of m[1].trim().split(/\s+/)) out.push(`${i + 1}:${code}`);
  });
  return out.sort();
}

describe('golden fixtures', () => {
  for (const file of readdirSync(join(dir, 'invalid'))) {
    it(`invalid/${file}: exactly the marked diagnostics`, () => {
      const text = readFileSync(join(dir, 'invalid', file), 'utf8');
      const diags = new OpenElbLanguageService().validate(`file:///${file}`, text);
      const actual = diags.map((d) => `${d.range.start.line + 1}:${d.code}`).sort();
      assert.deepEqual(actual, expected(text));
      for (const d of diags) {
        assert.equal(d.source, 'openelb');
        assert.ok(d.message.length > 20, `message too thin: ${d.message}`);
      }
    });
  }
  for (const file of readdirSync(join(dir, 'valid'))) {
    it(`valid/${file}: no error or warning`, () => {
      const text = readFileSync(join(dir, 'valid', file), 'utf8');
      const diags = new OpenElbLanguageService().validate(`file:///${file}`, text).filter((d) => (d.severity ?? 1) <= 2);
      assert.deepEqual(diags.map((d) => `${d.range.start.line + 1}:${d.code} ${d.message}`), []);
    });
  }
});
