#!/usr/bin/env node
// Runs the test tiers with Node's own test runner. `npm test` runs every tier;
// `npm test -- unit lsp` runs only the named tiers (folders under test/).
// First it runs scripts/provision.sh for those tiers, which installs what they need and returns at
// once when everything is there (OPENELB_NO_PROVISION=1 skips that), then `npm run build`.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const ALL = ['unit', 'lsp', 'nvim', 'cluster', 'net', 'node', 'editor'];
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
if (process.env.OPENELB_NO_PROVISION !== '1') {
  const prov = spawnSync('bash', ['scripts/provision.sh', ...tiers], { stdio: 'inherit' });
  if (prov.status !== 0) {
    console.error(`provisioning failed (scripts/provision.sh ${tiers.join(' ')}); OPENELB_NO_PROVISION=1 skips it`);
    process.exit(prov.status ?? 1);
  }
}
// The tests run what ships: the bundles and packet helpers in dist/ (a few seconds; esbuild).
if (tiers.some((t) => t !== 'unit')) {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const res = spawnSync(process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, OPENELB_TEST: '1' } });
process.exit(res.status ?? 1);
