// The markdown summary the README quotes: one row per file size, plus keystroke latency.
import { fmtMs, median, percentile } from './stats';

export interface SizeRow {
  documents: number;
  lines: number;
  ours: number[];
  theirs: number[];
  /** Server CPU time for the same runs (ms). */
  oursCpu: number[];
  theirsCpu: number[];
  /** Spawn -> initialized (ms). */
  oursStart: number[];
  theirsStart: number[];
  theirsTimedOut: boolean;
  theirsFixedDelayMs: number;
  ourDiagnostics?: number;
  theirDiagnostics?: number;
  missedByUs?: number;
  onlyOurs?: number;
}

export interface KeyRow {
  documents: number;
  ours: number[];
  theirs: number[];
  theirsFixedDelayMs: number;
  theirsNote?: string;
}

const ratio = (theirs: number, ours: number) => (Number.isFinite(theirs) && ours > 0 ? `${(theirs / ours).toFixed(1)}x` : 'n/a');

export function markdown(rows: SizeRow[], keys: KeyRow | undefined, env: string, timeoutMs: number): string {
  const out: string[] = [];
  out.push('| Eip documents | ours (ms) | yaml-language-server (ms) | yaml-ls minus its 200 ms debounce | ratio (theirs/ours) | CPU ours / yaml-ls (ms) | CPU ratio | start ours / yaml-ls (ms) | our diagnostics | their diagnostics | their lines we miss | semantic only we find |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const o = median(r.ours);
    const tRaw = r.theirs.length ? median(r.theirs) : NaN;
    const t = tRaw - r.theirsFixedDelayMs;
    const theirCell = r.theirsTimedOut && !r.theirs.length ? `timeout (>${timeoutMs / 1000} s)` : fmtMs(tRaw) + (r.theirsTimedOut ? ' (some runs timed out)' : '');
    const ratioCell = r.theirsTimedOut && !r.theirs.length ? `>${(timeoutMs / o).toFixed(0)}x` : `${ratio(t, o)} (raw ${ratio(tRaw, o)})`;
    const co = median(r.oursCpu);
    const ct = r.theirsCpu.length ? median(r.theirsCpu) : NaN;
    const cpuCell = `${fmtMs(co)} / ${r.theirsCpu.length ? fmtMs(ct) : 'n/a'}`;
    out.push(`| ${r.documents.toLocaleString('en-US')} | ${fmtMs(o)} | ${theirCell} | ${r.theirs.length ? fmtMs(t) : 'n/a'} | ${ratioCell} | ${cpuCell} | ${ratio(ct, co)} | ${fmtMs(median(r.oursStart))} / ${r.theirsStart.length ? fmtMs(median(r.theirsStart)) : 'n/a'} | ${r.ourDiagnostics ?? 'n/a'} | ${r.theirDiagnostics ?? 'n/a'} | ${r.missedByUs ?? 'n/a'} | ${r.onlyOurs ?? 'n/a'} |`);
  }
  if (keys) {
    out.push('');
    out.push(`Keystroke to diagnostics, ${keys.documents.toLocaleString('en-US')} documents, ${keys.ours.length} single-character edits of one address:`);
    out.push('');
    out.push('| server | p50 (ms) | p95 (ms) |');
    out.push('|---|---:|---:|');
    out.push(`| ours | ${fmtMs(percentile(keys.ours, 50))} | ${fmtMs(percentile(keys.ours, 95))} |`);
    if (keys.theirs.length) {
      const minus = keys.theirs.map((x) => x - keys.theirsFixedDelayMs);
      out.push(`| yaml-language-server | ${fmtMs(percentile(keys.theirs, 50))} | ${fmtMs(percentile(keys.theirs, 95))} |`);
      out.push(`| yaml-language-server minus its ${keys.theirsFixedDelayMs} ms debounce | ${fmtMs(percentile(minus, 50))} | ${fmtMs(percentile(minus, 95))} |`);
    }
    if (keys.theirsNote) out.push(`| yaml-language-server | ${keys.theirsNote} | |`);
  }
  out.push('');
  out.push(`Times are medians of didOpen -> publishDiagnostics over fresh server processes, after a warm-up file. ` +
    `Ours runs with debounceMs 0 and push diagnostics; yaml-language-server validates against a JSON Schema generated from the same CRD (bench/schemas.ts) ` +
    `and always waits 200 ms before validating, so the ratio is computed on its time minus 200 ms (raw ratio in brackets). ` +
    `CPU columns: CPU time the server process used between didOpen and the diagnostics (from /proc, 10 ms ticks, includes GC threads), less sensitive to a busy machine. ` +
    `Start: spawn to the initialize answer; ours answers first and compiles its hot paths on synthetic files afterwards, in idle time (up to 300 ms of rounds, server/src/lsp/idleWarmUp.ts), so that the first real file is checked by optimised code.`);
  out.push('');
  out.push(env);
  return out.join('\n') + '\n';
}
