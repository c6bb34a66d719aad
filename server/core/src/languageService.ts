// The pure language service: text in, results out. No editor, no protocol connection, no I/O.
// The LSP server, the `openelb lint` CLI and the runtime all go through this facade.
import {
  CodeActionKind, DiagnosticSeverity, DiagnosticTag,
  type CodeAction, type CompletionItem, type Diagnostic, type DocumentSymbol, type Hover, type InlayHint, type Position, type Range,
} from 'vscode-languageserver-types';
import { parsePoolCached } from './address/pool';
import { complete } from './features/completion';
import { hover } from './features/hover';
import { inlayHints } from './features/inlayHints';
import { symbols } from './features/symbols';
import { ParseCache, splitDocuments } from './model/documents';
import { EipCatalog } from './model/eipCatalog';
import { type EipFact, type Facts } from './model/facts';
import { LineIndex } from './model/lineIndex';
import type { Problem, Severity } from './model/problem';
import { analyze, type Analysis } from './rules/index';
import { migrateFix } from './rules/migrate';

export const SOURCE = 'openelb';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information, hint: DiagnosticSeverity.Hint,
};

interface IndexEntry { eips: EipFact[]; lines: LineIndex; facts?: EipFact[] }

/** True when two lists state the same Eips (what other files can see of them). */
function sameEips(before: readonly EipFact[], after: readonly EipFact[]): boolean {
  return before.length === after.length && before.every((b, i) => {
    const a = after[i];
    return b.name === a.name && b.address === a.address && b.isDefault === a.isDefault && b.disable === a.disable && b.protocol === a.protocol && b.start === a.start &&
      JSON.stringify(b.restrictedTo) === JSON.stringify(a.restrictedTo);
  });
}

interface FileState {
  text: string;
  lines: LineIndex;
  analysis: Analysis;
  factsVersion: number;
}

export class OpenElbLanguageService {
  private readonly cache = new ParseCache();
  private readonly files = new Map<string, FileState>();
  /** Per file: the Eips it contributes to the others, as the file states them (offsets), turned
   * into workspace facts (with line and column) only when another file first asks. */
  private workspace = new Map<string, IndexEntry>();
  /** Open index batches (nested begin/end), and the index updates they hold back (null: the file
   * is gone). Requests meanwhile see the index as it was before the batch, whole. */
  private batchDepth = 0;
  private staged = new Map<string, IndexEntry | null>();
  private cluster: Facts['cluster'];
  private factsVersion = 0;
  /** Per open file: the Eip names it held when first seen, until closed (Facts.heldBefore). */
  private readonly heldBefore = new Map<string, readonly string[]>();

  /** Replaces what is known of the live cluster (undefined when disconnected). */
  setClusterFacts(cluster: Facts['cluster']): void {
    // Facts arrive as JSON (no bigints): re-derive each Eip's parsed pool from its address.
    this.cluster = cluster ? { ...cluster, eips: (cluster.eips ?? []).map((e) => ({ ...e, pool: parsePoolCached(String(e.address)).pool })), nodes: cluster.nodes ?? [], services: cluster.services ?? [] } : undefined;
    this.factsVersion++;
  }

  /** Called when the Eips that one file contributes to the others change (once per batch, with
   * the last file changed, when they change in a batch). */
  onIndexChanged?: (uri: string) => void;

  /** Records the Eips of a workspace file that is not open (call again when it changes). True
   * when what the file contributes to the others changed (or will, when its batch ends). */
  indexWorkspaceFile(uri: string, text: string): boolean {
    this.heldBefore.delete(uri); // a new disk version is the new baseline
    const a = analyze(text, uri, {}, this.cache);
    return this.updateIndex(uri, a, new LineIndex(text));
  }

  removeWorkspaceFile(uri: string): boolean {
    this.heldBefore.delete(uri);
    if (!this.indexed(uri)) return false;
    this.setIndex(uri, null);
    return true;
  }

  /** Holds back index updates until the matching endIndexBatch (batches nest): a scan of
   * thousands of files changes the facts once, not once per file, so requests during it reuse one
   * catalog of the workspace's Eips instead of rebuilding it after every file. */
  beginIndexBatch(): void {
    this.batchDepth++;
  }

  /** Ends a batch; the outermost end applies its updates with one facts version and one
   * onIndexChanged, when anything changed. An end without a begin does nothing. */
  endIndexBatch(): void {
    if (this.batchDepth === 0 || --this.batchDepth > 0) return;
    const staged = this.staged;
    this.staged = new Map();
    let last: string | undefined;
    for (const [uri, entry] of staged) {
      const before = this.workspace.get(uri);
      // A file changed and changed back within the batch changes nothing.
      if (sameEips(before?.eips ?? [], entry?.eips ?? [])) continue;
      if (entry) this.workspace.set(uri, entry);
      else this.workspace.delete(uri);
      last = uri;
    }
    if (last === undefined) return;
    this.factsVersion++;
    this.onIndexChanged?.(last);
  }

  /** A file's index entry as the latest updates left it (staged in a batch, or applied). */
  private indexed(uri: string): IndexEntry | undefined {
    const s = this.staged.get(uri);
    return s === undefined ? this.workspace.get(uri) : s ?? undefined;
  }

  private updateIndex(uri: string, analysis: Analysis, lines: LineIndex): boolean {
    const after = analysis.fileEips;
    if (sameEips(this.indexed(uri)?.eips ?? [], after)) return false;
    this.setIndex(uri, after.length ? { eips: after, lines } : null);
    return true;
  }

  private setIndex(uri: string, entry: IndexEntry | null): void {
    if (this.batchDepth > 0) {
      this.staged.set(uri, entry);
      return;
    }
    if (entry) this.workspace.set(uri, entry);
    else this.workspace.delete(uri);
    this.factsVersion++;
    this.onIndexChanged?.(uri);
  }

  /** Forgets an open document's state (on close); its Eips stay indexed while the file exists. */
  close(uri: string): void {
    this.files.delete(uri);
    this.heldBefore.delete(uri);
  }

  /** True when the document's results are current (nothing to recompute). */
  isFresh(uri: string, text: string): boolean {
    const s = this.files.get(uri);
    return !!s && s.text === text && s.factsVersion === this.factsVersion;
  }

  /** One workspace file's Eips as facts (line and column computed on first ask). */
  private static entryFacts(entry: IndexEntry): EipFact[] {
    return (entry.facts ??= entry.eips.map((f) => {
      const p = f.start !== undefined ? entry.lines.position(f.start) : undefined;
      return { ...f, source: 'workspace' as const, line: p?.line, character: p?.character };
    }));
  }

  /** Every workspace file's Eips and the cluster's, indexed once per facts version (eipCatalog.ts). */
  private catalog(): EipCatalog {
    if (this.shared?.version === this.factsVersion) return this.shared.catalog;
    const all: EipFact[] = [];
    for (const entry of this.workspace.values()) for (const f of OpenElbLanguageService.entryFacts(entry)) all.push(f);
    for (const f of this.cluster?.eips ?? []) all.push(f);
    this.shared = { version: this.factsVersion, catalog: new EipCatalog(all) };
    return this.shared.catalog;
  }
  private shared?: { version: number; catalog: EipCatalog };

  private facts(uri: string): Facts {
    const workspace = this.workspace;
    let workspaceEips: EipFact[] | undefined;
    // The list of the other files' Eips is built only when a rule reads it (the Eip rules read the
    // shared catalog instead): building it for each of 8,000 files was quadratic.
    return {
      get workspaceEips() {
        if (workspaceEips) return workspaceEips;
        workspaceEips = [];
        for (const [u, entry] of workspace) if (u !== uri) for (const f of OpenElbLanguageService.entryFacts(entry)) workspaceEips.push(f);
        return workspaceEips;
      },
      catalog: this.catalog(),
      cluster: this.cluster,
      heldBefore: this.heldBefore.get(uri),
    };
  }

  private state(uri: string, text: string): FileState {
    const s = this.files.get(uri);
    if (s && s.text === text && s.factsVersion === this.factsVersion) return s;
    const lines = s && s.text === text ? s.lines : new LineIndex(text);
    if (!this.heldBefore.has(uri)) this.heldBefore.set(uri, this.indexed(uri)?.eips.map((e) => e.name) ?? []);
    const analysis = analyze(text, uri, this.facts(uri), this.cache);
    // This file's own Eips are not among its facts, so updating them does not make it stale.
    this.updateIndex(uri, analysis, lines);
    const next = { text, lines, analysis, factsVersion: this.factsVersion };
    this.files.set(uri, next);
    return next;
  }

  problems(uri: string, text: string): Problem[] {
    return this.state(uri, text).analysis.problems;
  }

  validate(uri: string, text: string): Diagnostic[] {
    const s = this.state(uri, text);
    const range = (a: number, b: number): Range => ({ start: s.lines.position(a), end: s.lines.position(b) });
    return s.analysis.problems.map((p) => ({
      range: range(p.start, p.end),
      severity: SEVERITY[p.severity],
      code: p.code,
      source: SOURCE,
      message: p.message,
      tags: p.unnecessary ? [DiagnosticTag.Unnecessary] : undefined,
      relatedInformation: p.related?.map((r) => ({
        location: { uri: r.uri, range: r.line !== undefined ? { start: { line: r.line, character: r.character ?? 0 }, end: { line: r.line, character: (r.character ?? 0) + (r.end - r.start) } } : range(r.start, r.end) },
        message: r.message,
      })),
    }));
  }

  private resourceAt(s: FileState, offset: number) {
    const res = s.analysis.resources;
    let i = res.length - 1;
    while (i > 0 && res[i].offset > offset) i--;
    return res[i];
  }

  complete(uri: string, text: string, position: Position): CompletionItem[] {
    const s = this.state(uri, text);
    const offset = s.lines.offset(position);
    const chunks = splitDocuments(text);
    let ci = chunks.length - 1;
    while (ci > 0 && chunks[ci].offset > offset) ci--;
    const f = this.facts(uri);
    const allEips = [...s.analysis.fileEips, ...(f.workspaceEips ?? []), ...(f.cluster?.eips ?? [])];
    return complete({ text, offset, docText: chunks[ci].text, docOffset: chunks[ci].offset, resource: s.analysis.resources[ci], allEips, facts: f, lines: s.lines });
  }

  hover(uri: string, text: string, position: Position): Hover | undefined {
    const s = this.state(uri, text);
    const offset = s.lines.offset(position);
    const f = this.facts(uri);
    const allEips = [...s.analysis.fileEips, ...(f.workspaceEips ?? []), ...(f.cluster?.eips ?? [])];
    return hover(this.resourceAt(s, offset), offset, s.lines, allEips);
  }

  codeActions(uri: string, text: string, range: Range): CodeAction[] {
    const s = this.state(uri, text);
    const from = s.lines.offset(range.start);
    const to = s.lines.offset(range.end);
    const diags = this.validate(uri, text);
    const out: CodeAction[] = [];
    s.analysis.problems.forEach((p, i) => {
      if (p.end < from || p.start > to) return;
      for (const fix of p.fixes ?? []) {
        out.push({
          title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diags[i]], isPreferred: fix.preferred,
          edit: { changes: { [uri]: fix.edits.map((e) => ({ range: { start: s.lines.position(e.start), end: s.lines.position(e.end) }, newText: e.newText })) } },
        });
      }
    });
    const res = this.resourceAt(s, from);
    const migrate = res && migrateFix(res, text);
    if (migrate && !out.some((a) => a.title === migrate.title)) {
      out.push({ title: migrate.title, kind: CodeActionKind.RefactorRewrite,
        edit: { changes: { [uri]: migrate.edits.map((e) => ({ range: { start: s.lines.position(e.start), end: s.lines.position(e.end) }, newText: e.newText })) } } });
    }
    return out;
  }

  symbols(uri: string, text: string): DocumentSymbol[] {
    const s = this.state(uri, text);
    const chunks = splitDocuments(text);
    const ends = chunks.map((c) => c.offset + c.text.trimEnd().length);
    return symbols(s.analysis.resources, ends, s.lines);
  }

  inlayHints(uri: string, text: string, range: Range): InlayHint[] {
    const s = this.state(uri, text);
    return inlayHints(s.analysis.resources, s.lines, s.lines.offset(range.start), s.lines.offset(range.end));
  }
}
