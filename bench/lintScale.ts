// Big files: `openelb lint`, the language service's validate and the language server on files of
// 1,000 to 20,000 Eips (some overlapping, some default), next to yaml-language-server validating
// the same file with the CRD's JSON Schema (what a user would otherwise install). Each cell is a
// fresh process; peak memory is its peak resident set (getrusage maxrss).
//
//   node --import tsx bench/lintScale.ts [--sizes 1000,8000,20000] [--runs 3] [--timeout 60] [--servers ours,yaml-ls]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
// @ts-expect-error: a plain .mjs module shared with scripts/build.mjs
import { common as commonOptions } from '../scripts/esbuildOptions.mjs';
import { writeCrdJsonSchema } from './schemas';
import { ourServer, yamlServer, type ServerSpec } from './support/servers';
import { runSession } from './support/session';
import { median } from './support/stats';

const ROOT = resolve(__dirname, '..');
const arg = (name: string) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : undefined; };
const SIZES = (arg('sizes') ?? '1000,8000,20000').split(',').map(Number);
const RUNS = Number(arg('runs') ?? 3);
const TIMEOUT_MS = Number(arg('timeout') ?? 60) * 1000;
const SERVERS = (arg('servers') ?? 'ours,yaml-ls').split(',');

const DEFAULT = 'eip.openelb.kubesphere.io/is-default-eip';

/** n Eips on /28 blocks; every 10th overlaps its predecessor, every 50th is marked default; `worst`: one range, all default. */
function eipFile(n: number, worst = false): string {
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    const block = i % 10 === 9 ? i - 1 : i;
    const address = worst ? '10.0.0.0/24' : `10.${(block >> 12) & 255}.${(block >> 4) & 255}.${(block & 15) * 16}/28`;
    const ann = worst || i % 50 === 0 ? `  annotations:\n    ${DEFAULT}: "true"\n` : '';
    docs.push(`apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: eip-${i}\n${ann}spec:\n  address: ${address}\n  protocol: bgp\n`);
  }
  return docs.join('---\n');
}

const WARMUP = 'apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: warm-up\nspec:\n  address: 192.168.0.0/28\n  protocol: bgpp\n';

/** A preload that keeps the process's peak RSS (kB) and CPU time (ms) in $RSS_FILE: it outlives a SIGKILL. */
function rssPreload(dir: string): string {
  const path = join(dir, 'rss-preload.cjs');
  writeFileSync(path, `const fs = require('fs');
const f = process.env.RSS_FILE;
const write = () => { try { const u = process.resourceUsage(); fs.writeFileSync(f, u.maxRSS + ' ' + (u.userCPUTime + u.systemCPUTime) / 1000); } catch {} };
if (f) { setInterval(write, 50).unref(); process.on('exit', write); }
`);
  return path;
}

function usage(file: string): { mb: number; cpuMs: number } {
  try {
    const [kb, cpu] = readFileSync(file, 'utf8').split(' ').map(Number);
    return { mb: kb / 1024, cpuMs: cpu };
  } catch {
    return { mb: NaN, cpuMs: NaN };
  }
}

/** Wall time, CPU time (less sensitive to a loaded machine), peak resident set. */
interface Cell { ms: number; cpuMs: number; mb: number; problems?: number; note?: string }

/** `openelb lint FILE` from a bundle of the current source, as a user runs it. */
function timeLint(cli: string, preload: string, file: string, dir: string): Cell {
  const rss = join(dir, `rss-lint-${Date.now()}`);
  const t0 = performance.now();
  let out = '';
  try {
    out = execFileSync(process.execPath, ['--require', preload, cli, 'lint', file], { env: { ...process.env, RSS_FILE: rss }, maxBuffer: 1 << 30, encoding: 'utf8' });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? ''); // exit 1: errors found
  }
  return { ms: performance.now() - t0, ...usage(rss), problems: out.split('\n').filter(Boolean).length };
}

/** The language service in a fresh process (this file in --child mode): validate only, no start-up. */
function timeValidate(preload: string, file: string, dir: string): Cell {
  const rss = join(dir, `rss-validate-${Date.now()}`);
  const out = execFileSync(process.execPath, ['--require', preload, '--import', 'tsx', __filename, '--child', file],
    { env: { ...process.env, RSS_FILE: rss }, encoding: 'utf8', cwd: ROOT });
  const r = JSON.parse(out) as { ms: number; cpuMs: number; problems: number };
  return { ms: r.ms, cpuMs: r.cpuMs, mb: usage(rss).mb, problems: r.problems };
}

async function childValidate(file: string): Promise<void> {
  const { OpenElbLanguageService } = await import('@openelb/core/languageService');
  const text = readFileSync(file, 'utf8');
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const diags = new OpenElbLanguageService().validate(pathToFileURL(file).toString(), text);
  const c = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, problems: diags.length }));
}

/** didOpen -> publishDiagnostics over stdio, fresh server, after a warm-up file. */
async function timeServer(spec: ServerSpec, preload: string, file: string, text: string, dir: string): Promise<Cell> {
  const rss = join(dir, `rss-${spec.name}-${Date.now()}`);
  process.env.RSS_FILE = rss; // inherited by the spawned server
  const withPreload = { ...spec, args: ['--require', preload, ...spec.args] };
  const r = await runSession(withPreload, { file, text, warmupFile: join(dir, 'scale-warmup.yaml'), warmupText: WARMUP, timeoutMs: TIMEOUT_MS });
  await new Promise((res) => setTimeout(res, 100));
  delete process.env.RSS_FILE;
  const mb = usage(rss).mb;
  if (r.openMs === undefined) return { ms: NaN, cpuMs: NaN, mb, note: r.error ?? 'failed' };
  return { ms: r.openMs, cpuMs: r.openCpuMs ?? NaN, mb, problems: r.diagnostics?.length };
}

function best(cells: Cell[]): Cell {
  const ok = cells.filter((c) => Number.isFinite(c.ms));
  if (!ok.length) return cells[0];
  return { ms: median(ok.map((c) => c.ms)), cpuMs: median(ok.map((c) => c.cpuMs)), mb: Math.max(...ok.map((c) => c.mb)), problems: ok[0].problems, note: ok.length < cells.length ? 'some runs timed out' : undefined };
}

const sec = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');
const fmt = (c: Cell | undefined) => (!c ? 'n/a' : Number.isFinite(c.ms) ? `${sec(c.ms)} (CPU ${sec(c.cpuMs)}) / ${c.mb.toFixed(0)} MB` : `${c.note} (>${TIMEOUT_MS / 1000} s) / ${c.mb.toFixed(0)} MB`);
const ratio = (theirs: Cell | undefined, ours: Cell | undefined) =>
  !theirs || !ours ? 'n/a' : Number.isFinite(theirs.ms) ? `${(theirs.ms / ours.ms).toFixed(1)}x (CPU ${(theirs.cpuMs / ours.cpuMs).toFixed(1)}x)` : `>${(TIMEOUT_MS / ours.ms).toFixed(0)}x`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'openelb-lint-scale-'));
  try {
    const preload = rssPreload(dir);
    const cli = join(dir, 'openelb.js');
    await build({ ...(commonOptions as BuildOptions), entryPoints: [join(ROOT, 'runtime/src/cli/openelb.ts')], outfile: cli });
    const ours = await ourServer(dir);
    const theirs = yamlServer(writeCrdJsonSchema(dir), 'scale-*.yaml');
    writeFileSync(join(dir, 'scale-warmup.yaml'), WARMUP);
    const cases = [...SIZES.map((n) => ({ n, worst: false })), { n: 8000, worst: true }];
    const rows: string[] = [];
    for (const { n, worst } of cases) {
      const text = eipFile(n, worst);
      const file = join(dir, `scale-${n}${worst ? '-worst' : ''}.yaml`);
      writeFileSync(file, text);
      const runs = (f: () => Cell) => best(Array.from({ length: RUNS }, f));
      const lint = runs(() => timeLint(cli, preload, file, dir));
      const validate = runs(() => timeValidate(preload, file, dir));
      const cells: Partial<Record<'ours' | 'yaml-ls', Cell>> = {};
      for (const spec of [ours, theirs].filter((s) => SERVERS.includes(s.name))) {
        const got: Cell[] = [];
        for (let i = 0; i < RUNS; i++) {
          const c = await timeServer(spec, preload, file, text, dir);
          got.push(c);
          if (!Number.isFinite(c.ms)) break; // one timeout says enough
        }
        cells[spec.name] = best(got);
      }
      const label = `${n.toLocaleString('en-US')}${worst ? ' (one range, all default)' : ''}`;
      const row = `| ${label} | ${(text.length / 1e6).toFixed(2)} | ${fmt(lint)} | ${lint.problems} | ${fmt(validate)} | ${fmt(cells.ours)} | ${fmt(cells['yaml-ls'])} | ${ratio(cells['yaml-ls'], cells.ours)} |`;
      console.log(row);
      rows.push(row);
    }
    console.log('\n| Eips | MB | `openelb lint` time / peak | lint lines | service validate / peak | our server didOpen→diagnostics / peak | yaml-language-server / peak | yaml-ls ÷ ours |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) console.log(r);
    console.log(`\nMedian of ${RUNS} fresh processes: wall time (CPU time of the process, which a busy machine inflates less); peak = max resident set. ` +
      'lint includes Node start-up; validate is the service call alone; ' +
      `servers: after a warm-up file, didOpen to publishDiagnostics (yaml-language-server waits a fixed 200 ms before validating). node ${process.version}.`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--child')) void childValidate(process.argv[process.argv.indexOf('--child') + 1]);
else main().catch((e) => { console.error(e); process.exit(1); });
