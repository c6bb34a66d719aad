// LSP wiring around the pure language service: documents, debounce, push or pull diagnostics,
// workspace indexing and the cluster facts notification. Every handler is guarded: a failure
// is logged and answered with an empty result, never a crash.
import { fileURLToPath } from 'node:url';
import {
  DiagnosticSeverity, DidChangeWatchedFilesNotification, DocumentDiagnosticReportKind, TextDocumentSyncKind, TextDocuments,
  type Connection, type Diagnostic, type InitializeParams, type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { OpenElbLanguageService } from '@openelb/core/languageService';
import type { Facts } from '@openelb/core/model/facts';
import { Debouncer } from './debounce';
import { IdleWarmUp } from './idleWarmUp';
import { WorkspaceProblems } from './workspaceDiagnostics';

/** Custom notification: the client sends what it knows of the live cluster. */
export const CLUSTER_FACTS_NOTIFICATION = 'openelb/clusterFacts';
/** Texts larger than this are not validated (one information diagnostic says so). */
export const MAX_TEXT = 50_000_000;

export function startServer(connection: Connection): void {
  const service = new OpenElbLanguageService();
  const documents = new TextDocuments(TextDocument);
  const debounce = new Debouncer(25);
  let pull = false;
  let canRefresh = false;
  let folders: string[] = [];
  let warming: IdleWarmUp | undefined;

  const guard = <A extends unknown[], R>(name: string, fallback: R, fn: (...a: A) => R) => (...a: A): R => {
    try {
      return fn(...a);
    } catch (err) {
      connection.console.error(`${name} failed: ${(err as Error).stack ?? String(err)}`);
      return fallback;
    }
  };

  const isYaml = (doc: TextDocument) => doc.languageId === 'yaml' || /\.ya?ml$/i.test(doc.uri);
  const diagnose = guard('diagnostics', [] as Diagnostic[], (doc: TextDocument): Diagnostic[] => {
    if (!isYaml(doc)) return [];
    warming?.finish(); // real work waits for what is left of the warm-up (idleWarmUp.ts)
    const text = doc.getText();
    if (text.length > MAX_TEXT) {
      return [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: DiagnosticSeverity.Information, source: 'openelb', code: 'file-too-large',
        message: `this file has ${text.length} characters; files over ${MAX_TEXT} are not checked` }];
    }
    return service.validate(doc.uri, text);
  });

  const publish = (doc: TextDocument) => {
    connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: diagnose(doc) });
  };
  const refreshAll = (except?: string) => {
    if (pull) {
      if (canRefresh) void connection.languages.diagnostics.refresh();
    } else {
      for (const d of documents.all()) if (d.uri !== except) debounce.run(d.uri, () => publish(d));
    }
  };
  // Validating a document re-indexes its Eips; when they change, the other files are re-checked.
  // Coalesced: a workspace scan changes the index once per file.
  service.onIndexChanged = (uri) => {
    if (!problems.indexChanged()) debounce.run('\0index', () => refreshAll(uri));
  };
  // Problems of files that are not open, from disk (workspaceDiagnostics.ts).
  const problems = new WorkspaceProblems({
    service, isOpen: (uri) => !!documents.get(uri), log: (m) => connection.console.log(m),
    publish: (uri, diagnostics) => connection.sendDiagnostics({ uri, diagnostics }),
    refreshOpen: () => debounce.run('\0index', () => refreshAll()),
  });

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    pull = !!params.capabilities.textDocument?.diagnostic && params.initializationOptions?.pullDiagnostics !== false;
    canRefresh = !!params.capabilities.workspace?.diagnostics?.refreshSupport;
    const delay = Number(params.initializationOptions?.debounceMs);
    if (Number.isFinite(delay) && delay >= 0) debounce.setDelay(delay);
    // The JIT warm-up runs after this answer, in idle time (idleWarmUp.ts): a fast start.
    warming = new IdleWarmUp(Number(params.initializationOptions?.warmUpMs ?? 300), (r) => {
      if (r.error) connection.console.error(`warm-up failed after ${r.rounds} rounds: ${r.error.message}`);
      else connection.console.log(`warm-up done: ${r.rounds} rounds in ${Math.round(r.ms)} ms`);
    });
    problems.setScope(params.initializationOptions?.problemsScope);
    const eventDelay = Number(params.initializationOptions?.fileEventsDebounceMs);
    if (Number.isFinite(eventDelay) && eventDelay >= 0) problems.setEventDelay(eventDelay);
    folders = (params.workspaceFolders ?? []).map((f) => f.uri).concat(params.rootUri && !params.workspaceFolders ? [params.rootUri] : [])
      .filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: [':', ' ', '/', '-'], resolveProvider: false },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: ['quickfix', 'refactor.rewrite'] },
        documentSymbolProvider: true,
        inlayHintProvider: true,
        diagnosticProvider: pull ? { interFileDependencies: true, workspaceDiagnostics: false, identifier: 'openelb' } : undefined,
      },
      serverInfo: { name: 'openelb-language-server', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    warming?.start();
    connection.onShutdown(() => warming?.cancel());
    void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{yaml,yml}' }] }).catch(() => undefined);
    void problems.start(folders);
  });

  connection.onDidChangeWatchedFiles((params) => problems.filesChanged(params.changes));
  connection.onDidChangeConfiguration(guard('configuration', undefined, (p: { settings?: { openelb?: { problems?: { scope?: unknown } } } }) => {
    const scope = p.settings?.openelb?.problems?.scope;
    if (scope !== undefined) problems.setScope(scope);
  }));

  connection.onNotification(CLUSTER_FACTS_NOTIFICATION, guard('clusterFacts', undefined, (facts: Facts['cluster'] | null) => {
    service.setClusterFacts(facts ?? undefined);
    refreshAll();
  }));

  documents.onDidChangeContent(guard('change', undefined, (e: { document: TextDocument }) => {
    const doc = e.document;
    if (!pull) debounce.run(doc.uri, () => publish(doc));
  }));
  documents.onDidClose((e) => {
    debounce.cancel(e.document.uri);
    service.close(e.document.uri);
    // Unsaved edits die with the editor: what is on disk is indexed (and shown) again.
    const uri = e.document.uri;
    if (uri.startsWith('file:')) problems.closed(uri);
    else {
      service.removeWorkspaceFile(uri);
      if (!pull) connection.sendDiagnostics({ uri, diagnostics: [] });
    }
  });
  documents.onDidOpen((e) => problems.opened(e.document.uri, pull));

  connection.languages.diagnostics.on(guard('pullDiagnostics', { kind: DocumentDiagnosticReportKind.Full, items: [] }, (params) => {
    const doc = documents.get(params.textDocument.uri);
    return { kind: DocumentDiagnosticReportKind.Full, items: doc ? diagnose(doc) : [] };
  }));

  const withDoc = <R>(uri: string, fallback: R, fn: (doc: TextDocument) => R): R => {
    const doc = documents.get(uri);
    if (!doc || !isYaml(doc) || doc.getText().length > MAX_TEXT) return fallback;
    warming?.finish();
    return fn(doc);
  };
  connection.onCompletion(guard('completion', [], (p) => withDoc(p.textDocument.uri, [], (d) => service.complete(d.uri, d.getText(), p.position))));
  connection.onHover(guard('hover', null, (p) => withDoc(p.textDocument.uri, null, (d) => service.hover(d.uri, d.getText(), p.position) ?? null)));
  connection.onCodeAction(guard('codeAction', [], (p) => withDoc(p.textDocument.uri, [], (d) => service.codeActions(d.uri, d.getText(), p.range))));
  connection.onDocumentSymbol(guard('symbols', [], (p) => withDoc(p.textDocument.uri, [], (d) => service.symbols(d.uri, d.getText()))));
  connection.languages.inlayHint.on(guard('inlayHints', [], (p) => withDoc(p.textDocument.uri, [], (d) => service.inlayHints(d.uri, d.getText(), p.range))));

  documents.listen(connection);
  connection.listen();
}
