// `openelb lint [--format text|json] [--cluster] FILES...`: the language server's diagnostics, for
// CI and pre-commit hooks. Files are checked together, so overlaps across them are found. With
// --cluster the live cluster is read too: its Eips count for overlaps, and Eip edits that take
// addresses in use out of their pool are flagged and summed up (core/impact/eipImpact.ts).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeChange, describeSummary, type ImpactSummary } from '@openelb/core/impact/eipImpact';
import { filesImpact } from '@openelb/core/impact/fileImpact';
import { OpenElbLanguageService } from '@openelb/core/languageService';
import { readClusterFacts, type ClusterFacts } from './lintCluster';

const SEVERITY = ['', 'error', 'warning', 'information', 'hint'];

export interface LintRow {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  code: string;
  message: string;
}

export const LINT_USAGE = `usage: openelb lint [--format text|json] [--cluster [--kubeconfig PATH] [--context NAME]] FILE...

  --cluster           also check against the live cluster (its Eips, and the addresses Services
                      hold): prints what the files' Eip edits would do to running Services`;

interface LintOptions { format: string; files: string[]; cluster: boolean; kubeconfig?: string; context?: string }

function parseLintArgs(args: string[], err: (s: string) => void): LintOptions | number {
  const o: LintOptions = { format: 'text', files: [], cluster: false };
  const value = (a: string, name: string, i: number): [string | undefined, number] =>
    a === `--${name}` ? [args[i + 1], i + 1] : [a.slice(name.length + 3), i];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const name = /^--([a-z]+)(?:=|$)/.exec(a)?.[1];
    if (a === '-h' || a === '--help') return -1;
    if (name === 'format' || name === 'kubeconfig' || name === 'context') {
      const [v, next] = value(a, name, i);
      i = next;
      if (name === 'format') o.format = v ?? ''; else o[name] = v;
      if (!v && name !== 'format') { err(`openelb lint: --${name} needs a value\n${LINT_USAGE}`); return 2; }
    } else if (a === '--cluster') o.cluster = true;
    else if (a.startsWith('-') && a !== '-') { err(`openelb lint: unknown option ${a}\n${LINT_USAGE}`); return 2; }
    else o.files.push(a);
  }
  if (o.format !== 'text' && o.format !== 'json') { err(`openelb lint: --format must be text or json, not '${o.format}'\n${LINT_USAGE}`); return 2; }
  if (o.files.length === 0) { err(`openelb lint: no files given\n${LINT_USAGE}`); return 2; }
  if (!o.cluster && (o.kubeconfig || o.context)) { err(`openelb lint: --kubeconfig and --context go with --cluster\n${LINT_USAGE}`); return 2; }
  return o;
}

/**
 * Returns the process exit code: 1 when any error (or the cluster cannot be read), 0 otherwise,
 * 2 on usage errors. Synchronous without --cluster; `readCluster` is for tests.
 */
export function lint(args: string[], out: (s: string) => void, err: (s: string) => void,
  readCluster: (src: { kubeconfig?: string; context?: string }) => Promise<ClusterFacts> = readClusterFacts): number | Promise<number> {
  const o = parseLintArgs(args, err);
  if (o === -1) { out(LINT_USAGE); return 0; }
  if (typeof o === 'number') return o;
  const texts = new Map<string, string>();
  for (const f of o.files) {
    try {
      texts.set(f, readFileSync(f === '-' ? 0 : f, 'utf8'));
    } catch (e) {
      err(`openelb lint: cannot read ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return 2;
    }
  }
  if (!o.cluster) return report(texts, o.format, out);
  return readCluster({ kubeconfig: o.kubeconfig, context: o.context }).then(
    (facts) => report(texts, o.format, out, facts),
    (e: unknown) => { err(`openelb lint: cannot read the cluster: ${(e as Error).message}`); return 1; },
  );
}

const uriOf = (f: string): string => (f === '-' ? 'stdin:' : pathToFileURL(resolve(f)).toString());

function report(texts: Map<string, string>, format: string, out: (s: string) => void, cluster?: ClusterFacts): number {
  const service = new OpenElbLanguageService();
  if (cluster) service.setClusterFacts(cluster);
  for (const [f, t] of texts) service.indexWorkspaceFile(uriOf(f), t);
  const rows: LintRow[] = [];
  for (const [f, t] of texts) {
    for (const d of service.validate(uriOf(f), t)) {
      rows.push({ file: f, line: d.range.start.line + 1, column: d.range.start.character + 1, endLine: d.range.end.line + 1,
        endColumn: d.range.end.character + 1, severity: SEVERITY[d.severity ?? 1], code: String(d.code), message: d.message });
    }
  }
  const impact = cluster ? filesImpact([...texts].map(([f, t]) => [uriOf(f), t] as const), cluster) : undefined;
  if (format === 'json') out(JSON.stringify(impact ? { problems: rows, impact: impactJson(impact) } : rows, null, 2));
  else {
    for (const r of rows) out(`${r.file}:${r.line}:${r.column} ${r.severity} ${r.code} ${r.message}`);
    if (impact) for (const line of describeSummary(impact)) out(line);
  }
  return rows.some((r) => r.severity === 'error') ? 1 : 0;
}

function impactJson(s: ImpactSummary) {
  return {
    services: s.services, addressesFreed: s.addressesFreed, fullPools: s.fullPools,
    changes: s.changes.map((c) => ({ eip: c.name, kind: c.kind, before: c.before, after: c.after, lost: c.lost, kept: c.kept,
      freeAfter: c.freeAfter?.toString(), becomesFull: c.becomesFull, message: describeChange(c) })),
  };
}
