#!/usr/bin/env node
// Runs the test tiers with Node's own test runner. `npm test` runs every tier;
// `npm test -- unit lsp` runs only the named tiers (folders under test/).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const ALL = ['unit', 'lsp', 'nvim', 'cluster', 'net', 'editor'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const tiers = wanted.length ? wanted : ALL;

function find(dir) {
  let out = [];
  let entries = [];
  try { entries = readdirSync(dir); } catch { return out; }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(find(p));
    else if (p.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

const files = tiers.flatMap((t) => find(join('test', t)));
if (files.length === 0) {
  console.error(`no test files found for tiers: ${tiers.join(', ')}`);
  process.exit(1);
}
const res = spawnSync(process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, OPENELB_TEST: '1' } });
process.exit(res.status ?? 1);
