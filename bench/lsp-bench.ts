// `npm run bench`: openelb-language-server vs yaml-language-server on the same Eip files.
// For 100 / 1,000 / 10,000 documents: time didOpen -> publishDiagnostics on fresh processes,
// count and compare diagnostics, then time single-character edits on the 1,000-document file.
// Prints a markdown table and writes it to bench/results/lsp-bench.md.
// Options: --sizes=100,1000  --runs=N (all sizes)  --timeout=SECONDS  --no-yaml-keys  --servers=ours|yaml-ls
// Env: BENCH_USE_DIST=1 (use dist/ instead of bundling the source), BENCH_PROFILE=ours|yaml-ls.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeCrdJsonSchema } from './schemas';
import { compare } from './support/compare';
import { generateEips, middleDoc, type Generated } from './support/generate';
import { markdown, type KeyRow, type SizeRow } from './support/report';
import { runSession, SchemaNotAppliedError, type SessionResult } from './support/session';
import { ourServer, yamlServer, type ServerSpec } from './support/servers';
import { fmtMs, median, percentile } from './support/stats';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const SIZES = (arg('sizes') ?? '100,1000,10000').split(',').map(Number);
const TIMEOUT_MS = Number(arg('timeout') ?? 120) * 1000;
const KEY_SIZE = 1000;
const KEY_COUNT = 20;
const runsFor = (n: number) => Number(arg('runs') ?? (n >= 10_000 ? 3 : 5));

const WARMUP = [
  'apiVersion: network.kubesphere.io/v1alpha2', 'kind: Eip', 'metadata:', '  name: warm-up', 'spec:',
  '  address: 192.168.0.0/28', '  protocol: bgpp', '  priority: high', '---',
  'apiVersion: network.kubesphere.io/v1alpha2', 'kind: Eip', 'metadata:', '  name: warm-up-2', 'spec:', '  protocol: bgp', '',
].join('\n');

function loud(message: string): never {
  const bar = '!'.repeat(78);
  console.error(`\n${bar}\n!! ${message}\n${bar}\n`);
  process.exit(1);
}

function addressLineOf(gen: Generated, doc: number, text: string): number {
  const lines = text.split('\n');
  for (let l = gen.docLines[doc][0]; l <= gen.docLines[doc][1]; l++) if (lines[l].startsWith('  address:')) return l;
  throw new Error(`document ${doc} has no address line`);
}

/** Both servers' start (spawn -> initialize answer) side by side, medians. */
function startLine(ours: number[], theirs: number[]): string {
  const o = ours.length ? median(ours) : NaN;
  const t = theirs.length ? median(theirs) : NaN;
  const ratio = Number.isFinite(o) && Number.isFinite(t) ? ` (theirs/ours ${(t / o).toFixed(2)}x)` : '';
  return `start, spawn -> initialize answer (median of ${ours.length} / ${theirs.length} runs): ours ${fmtMs(o)} ms, yaml-ls ${fmtMs(t)} ms${ratio}`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'openelb-lsp-bench-'));
  try {
    const schemaPath = writeCrdJsonSchema(dir);
    const ours = await ourServer(dir);
    const theirs = yamlServer(schemaPath, 'bench-eips-*.yaml');
    const only = arg('servers')?.split(',');
    const servers: ServerSpec[] = [ours, theirs].filter((s) => !only || only.includes(s.name));
    const warmupFile = join(dir, 'bench-eips-warmup.yaml');
    writeFileSync(warmupFile, WARMUP);
    console.log(`bench dir ${dir}; schema ${schemaPath}`);

    const rows: SizeRow[] = [];
    let keyRow: KeyRow | undefined;
    for (const n of SIZES) {
      const gen = generateEips(n);
      const sub = join(dir, String(n));
      mkdirSync(sub);
      const file = join(sub, `bench-eips-${n}.yaml`);
      writeFileSync(file, gen.text);
      const lineCount = gen.text.split('\n').length - 1;
      console.log(`\n== ${n} documents (${lineCount} lines, ${(gen.text.length / 1024).toFixed(0)} KiB, ${gen.mistakes.length} planted mistakes)`);
      const row: SizeRow = { documents: n, lines: lineCount, ours: [], theirs: [], oursCpu: [], theirsCpu: [], oursStart: [], theirsStart: [], theirsTimedOut: false, theirsFixedDelayMs: theirs.fixedDelayMs };
      const last = new Map<string, SessionResult>();
      const timedOut = new Set<string>();
      const runs = runsFor(n);
      // Runs alternate between the servers so both see the same background load.
      for (let run = 0; run < runs; run++) {
        for (const spec of servers) {
          if (timedOut.has(spec.name)) continue; // another run would only time out again
          const wantKeys = n === KEY_SIZE && run === runs - 1 && (spec.name === 'ours' || !process.argv.includes('--no-yaml-keys'));
          const keys = wantKeys ? { count: KEY_COUNT, line: addressLineOf(gen, middleDoc(n), gen.text), timeoutMs: 60_000 } : undefined;
          let r: SessionResult;
          try {
            r = await runSession(spec, { file, text: gen.text, warmupFile, warmupText: WARMUP, timeoutMs: TIMEOUT_MS, keys });
          } catch (err) {
            if (err instanceof SchemaNotAppliedError) loud(`${err.message}\nThe comparison is void.`);
            throw err;
          }
          if (r.openMs === undefined) {
            console.log(`  ${spec.name.padEnd(8)} run ${run + 1}/${runs}: TIMEOUT after ${TIMEOUT_MS / 1000} s`);
            if (spec.name === 'ours') loud(`our server did not answer within ${TIMEOUT_MS / 1000} s on ${n} documents`);
            row.theirsTimedOut = true;
            timedOut.add(spec.name);
            continue;
          }
          (spec.name === 'ours' ? row.ours : row.theirs).push(r.openMs);
          (spec.name === 'ours' ? row.oursCpu : row.theirsCpu).push(r.openCpuMs ?? NaN);
          (spec.name === 'ours' ? row.oursStart : row.theirsStart).push(r.startMs ?? NaN);
          last.set(spec.name, r);
          console.log(`  ${spec.name.padEnd(8)} run ${run + 1}/${runs}: ${fmtMs(r.openMs)} ms (server CPU ${fmtMs(r.openCpuMs)} ms), ${r.diagnostics!.length} diagnostics`);
          if (keys) {
            const note = r.keystrokeTimeouts ? ` (${r.keystrokeTimeouts} timed out)` : '';
            console.log(`  ${spec.name.padEnd(8)} keystrokes: ${r.keystrokeMs.map((x) => fmtMs(x)).join(' ')}${note}`);
            keyRow ??= { documents: n, ours: [], theirs: [], theirsFixedDelayMs: theirs.fixedDelayMs };
            if (spec.name === 'ours') keyRow.ours = r.keystrokeMs;
            else {
              keyRow.theirs = r.keystrokeMs;
              if (r.keystrokeTimeouts) keyRow.theirsNote = `timed out after ${r.keystrokeMs.length} edits`;
            }
          }
        }
      }
      console.log(`  ${startLine(row.oursStart, row.theirsStart)}`);
      const o = last.get('ours');
      const t = last.get('yaml-ls');
      row.ourDiagnostics = o?.diagnostics?.length;
      row.theirDiagnostics = t?.diagnostics?.length;
      if (o?.diagnostics) {
        const schemaPlanted = gen.mistakes.filter((m) => m.category === 'schema').length;
        const c = compare(gen, o.diagnostics, t?.diagnostics ?? []);
        const oursMissingPlanted = c.expected.filter((e) => !e.ours);
        if (t?.diagnostics) {
          const theirSchemaFound = c.expected.filter((e) => e.category === 'schema' && e.theirs).length;
          if (t.diagnostics.length === 0 || theirSchemaFound === 0) {
            loud(`yaml-language-server reported ${t.diagnostics.length} diagnostics on ${n} documents with ${schemaPlanted} planted schema errors: the comparison is void`);
          }
          row.missedByUs = c.missedByUs.length;
          console.log(`  yaml-ls found ${theirSchemaFound}/${schemaPlanted} planted schema mistakes; unclassified diagnostics of theirs: ${c.theirOther.length}`);
          console.log(`  lines yaml-ls flags that we do not: ${c.missedByUs.length} (of which same document and kind: ${c.missedSameDocument})`);
          for (const d of c.missedByUs.slice(0, 5)) console.log(`    line ${d.range.start.line + 1}: ${d.message}`);
        } else {
          console.log('  yaml-ls gave no result for this size (timeout): coverage not compared');
        }
        row.onlyOurs = c.expected.filter((e) => e.category === 'semantic' && e.ours && !e.theirs).length;
        console.log(`  planted mistakes we found: ${c.expected.length - oursMissingPlanted.length}/${c.expected.length}; semantic problems only we find: ${row.onlyOurs}; our other diagnostics: ${c.ourExtra.length}`);
        for (const e of oursMissingPlanted.slice(0, 5)) console.log(`    WE MISSED planted ${e.kind} at line ${e.line + 1}`);
        for (const d of c.ourExtra.slice(0, 3)) console.log(`    extra: line ${d.range.start.line + 1} ${String(d.code)}: ${d.message.slice(0, 100)}`);
      }
      rows.push(row);
    }

    const load = loadavg()[0];
    const env = `Machine: ${cpus().length} x ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ` +
      `load average ${load.toFixed(1)} at the end${load > cpus().length ? ' (a busy machine: wall times are inflated, CPU times less so)' : ''}. Reproduce with \`npm run bench\`.`;
    const md = markdown(rows, keyRow, env, TIMEOUT_MS);
    console.log('\n' + md);
    for (const r of rows) {
      if (!r.theirs.length) continue;
      const x = (median(r.theirs) - r.theirsFixedDelayMs) / median(r.ours);
      if (r.documents >= 1000) console.log(`target >=5x at ${r.documents}: ${x >= 5 ? 'met' : 'NOT met'} (${x.toFixed(1)}x)`);
    }
    console.log(`${startLine(rows.flatMap((r) => r.oursStart), rows.flatMap((r) => r.theirsStart))}, all sizes`);
    if (keyRow) {
      const p95 = percentile(keyRow.ours, 95);
      console.log(`target keystroke < 50 ms at ${keyRow.documents}: ${p95 < 50 ? 'met' : 'NOT met'} (p50 ${fmtMs(percentile(keyRow.ours, 50))}, p95 ${fmtMs(p95)} ms)`);
    }
    // Only a complete run (both servers, default sizes) replaces the committed results.
    if (arg('servers') || arg('sizes') || arg('runs')) {
      console.log('partial run (--servers/--sizes/--runs): bench/results/lsp-bench.md not written');
    } else {
      const out = resolve(__dirname, 'results', 'lsp-bench.md');
      mkdirSync(resolve(__dirname, 'results'), { recursive: true });
      writeFileSync(out, `# Language server benchmark\n\n${md}`);
      console.log(`wrote ${out}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
