// ARCHITECTURE.md documents every rule id the rules can report.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { RULES } from '@openelb/core/rules/index';

it('every rule id is listed in ARCHITECTURE.md', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'ARCHITECTURE.md'), 'utf8');
  const ids = [...RULES.flatMap((r) => r.ids), 'yaml-syntax', 'yaml-duplicate-key', 'yaml-unparsed'];
  const missing = ids.filter((id) => !doc.includes(`| \`${id}\` |`));
  assert.deepEqual(missing, []);
});
