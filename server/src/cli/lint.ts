// `openelb lint [--format text|json] FILES...`: the language server's diagnostics, for CI and
// pre-commit hooks. Files are checked together, so overlaps across them are found.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OpenElbLanguageService } from '@openelb/core/languageService';

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

export const LINT_USAGE = 'usage: openelb lint [--format text|json] FILE...';

/** Returns the process exit code: 1 when any error, 0 otherwise, 2 on usage errors. */
export function lint(args: string[], out: (s: string) => void, err: (s: string) => void): number {
  let format = 'text';
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--format') format = args[++i] ?? '';
    else if (a.startsWith('--format=')) format = a.slice('--format='.length);
    else if (a === '-h' || a === '--help') { out(LINT_USAGE); return 0; }
    else if (a.startsWith('-') && a !== '-') { err(`openelb lint: unknown option ${a}\n${LINT_USAGE}`); return 2; }
    else files.push(a);
  }
  if (format !== 'text' && format !== 'json') { err(`openelb lint: --format must be text or json, not '${format}'\n${LINT_USAGE}`); return 2; }
  if (files.length === 0) { err(`openelb lint: no files given\n${LINT_USAGE}`); return 2; }
  const texts = new Map<string, string>();
  for (const f of files) {
    try {
      texts.set(f, readFileSync(f === '-' ? 0 : f, 'utf8'));
    } catch (e) {
      err(`openelb lint: cannot read ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return 2;
    }
  }
  const service = new OpenElbLanguageService();
  const uri = (f: string) => (f === '-' ? 'stdin:' : pathToFileURL(resolve(f)).toString());
  for (const [f, t] of texts) service.indexWorkspaceFile(uri(f), t);
  const rows: LintRow[] = [];
  for (const [f, t] of texts) {
    for (const d of service.validate(uri(f), t)) {
      rows.push({ file: f, line: d.range.start.line + 1, column: d.range.start.character + 1, endLine: d.range.end.line + 1,
        endColumn: d.range.end.character + 1, severity: SEVERITY[d.severity ?? 1], code: String(d.code), message: d.message });
    }
  }
  if (format === 'json') out(JSON.stringify(rows, null, 2));
  else for (const r of rows) out(`${r.file}:${r.line}:${r.column} ${r.severity} ${r.code} ${r.message}`);
  return rows.some((r) => r.severity === 'error') ? 1 : 0;
}
