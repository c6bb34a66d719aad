#!/usr/bin/env node
// Runs the test tiers with Node's own test runner. `npm test` runs every tier;
// `npm test -- unit lsp` runs only the named tiers (folders under test/).
// First it runs scripts/provision.sh for those tiers, which installs what they need and returns at
// once when everything is there (OPENELB_NO_PROVISION=1 skips that), then `npm run build`.
//
// Each tier is its own `node --test` process with a time budget, so one hung tier is killed and
// reported and the others still run: CI always ends, and says where the time went. Afterwards no
// process may still hold this run's output (a daemon a test forgot): such processes are listed,
// stopped, and fail the run, because a CI runner waits for its output to close.
import { readdirSync, readlinkSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

const ALL = ['unit', 'lsp', 'nvim', 'cluster', 'net', 'node', 'editor'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const tiers = wanted.length ? wanted : ALL;
// Whole minutes; generous next to what the tiers take (README), small next to CI's 90 minutes.
const TIER_BUDGET_S = Number(process.env.OPENELB_TIER_TIMEOUT_S ?? 20 * 60);
// Node 20 applies --test-timeout to each test file as a whole: it must fit the longest file.
const TEST_TIMEOUT_MS = Number(process.env.OPENELB_TEST_TIMEOUT_MS ?? 15 * 60_000);

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

const plan = tiers.map((t) => ({ tier: t, files: find(join('test', t)) })).filter((p) => p.files.length);
if (plan.length === 0) {
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

/** Runs one tier; resolves with its exit status and whether it overran. */
function runTier({ tier, files }) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath,
      ['--import', 'tsx', '--test', '--test-concurrency=1', `--test-timeout=${TEST_TIMEOUT_MS}`, '--test-reporter=spec', ...files],
      { stdio: 'inherit', detached: true, env: { ...process.env, OPENELB_TEST: '1' } });
    let overran = false;
    const kill = (sig) => { try { process.kill(-child.pid, sig); } catch { /* gone */ } };
    const timer = setTimeout(() => {
      overran = true;
      console.error(`\n!! tier ${tier} overran its ${TIER_BUDGET_S} s budget: stopping it (OPENELB_TIER_TIMEOUT_S sets the budget)`);
      kill('SIGTERM');
      setTimeout(() => kill('SIGKILL'), 20_000).unref();
    }, TIER_BUDGET_S * 1000);
    child.on('exit', (code, signal) => { clearTimeout(timer); kill('SIGKILL'); resolve({ status: code ?? (signal ? 1 : 0), overran }); });
  });
}

/** Processes other than us and our ancestors whose stdout or stderr is our stdout. */
function holdersOfOurOutput() {
  let ours;
  try { ours = readlinkSync('/proc/self/fd/1'); } catch { return []; }
  if (!ours.startsWith('pipe:')) return [];
  const mine = new Set();
  for (let pid = process.pid; pid > 1;) {
    mine.add(String(pid));
    try { pid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]); } catch { break; }
  }
  const out = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p) && !mine.has(p))) {
    try {
      if ([1, 2].some((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`) === ours)) {
        out.push({ pid: Number(pid), cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 120) });
      }
    } catch { /* gone, or not ours to read */ }
  }
  return out;
}

const results = [];
for (const p of plan) {
  const t0 = Date.now();
  const r = await runTier(p);
  results.push({ tier: p.tier, files: p.files.length, ...r, seconds: Math.round((Date.now() - t0) / 1000) });
  // A node-tier file that was stopped never ran its teardown: sweep what it left.
  if (r.status !== 0 && p.tier === 'node') spawnSync(process.execPath, ['--import', 'tsx', 'test/harness/nodes/sweep.ts'], { stdio: 'inherit' });
}
const left = holdersOfOurOutput();
console.log('\ntier      files  seconds  result');
for (const r of results) {
  console.log(`${r.tier.padEnd(9)} ${String(r.files).padStart(5)}  ${String(r.seconds).padStart(7)}  ${r.overran ? 'OVERRAN (killed)' : r.status === 0 ? 'passed' : 'FAILED'}`);
}
if (left.length) {
  console.error(`\n!! ${left.length} process(es) left running by the tests still hold this run's output; stopping them:`);
  for (const l of left) { console.error(`   ${l.pid} ${l.cmd}`); try { process.kill(l.pid, 'SIGKILL'); } catch { /* gone */ } }
}
process.exit(results.some((r) => r.status !== 0 || r.overran) || left.length ? 1 : 0);
