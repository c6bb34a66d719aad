// LSP wiring around the pure language service: documents, debounce, push or pull diagnostics,
// workspace indexing and the cluster facts notification. Every handler is guarded: a failure
// is logged and answered with an empty result, never a crash.
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  DiagnosticSeverity, DidChangeWatchedFilesNotification, DocumentDiagnosticReportKind, FileChangeType, TextDocumentSyncKind, TextDocuments,
  type Connection, type Diagnostic, type InitializeParams, type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { OpenElbLanguageService } from '@openelb/core/languageService';
import { warmUp } from '@openelb/core/warmUp';
import type { Facts } from '@openelb/core/model/facts';
import { Debouncer } from './debounce';
import { findYamlFiles, readIfRelevant } from './workspaceIndex';

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
  service.onIndexChanged = (uri) => refreshAll(uri);

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    pull = !!params.capabilities.textDocument?.diagnostic && params.initializationOptions?.pullDiagnostics !== false;
    canRefresh = !!params.capabilities.workspace?.diagnostics?.refreshSupport;
    const delay = Number(params.initializationOptions?.debounceMs);
    if (Number.isFinite(delay) && delay >= 0) debounce.setDelay(delay);
    // Compile the hot paths now (bounded), so the first file is checked by optimised code.
    const warmMs = Number(params.initializationOptions?.warmUpMs ?? 300);
    try {
      if (warmMs > 0) warmUp(warmMs);
    } catch (err) {
      connection.console.error(`warm-up failed: ${(err as Error).message}`);
    }
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
    void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{yaml,yml}' }] }).catch(() => undefined);
    void indexWorkspace();
  });

  async function indexWorkspace(): Promise<void> {
    let n = 0;
    for (const root of folders) {
      for await (const path of findYamlFiles(root)) {
        const uri = pathToFileURL(path).toString();
        if (documents.get(uri)) continue;
        const text = await readIfRelevant(path);
        if (text !== undefined) { service.indexWorkspaceFile(uri, text); n++; }
      }
    }
    if (n) refreshAll();
  }

  connection.onDidChangeWatchedFiles(async (params) => {
    for (const change of params.changes) {
      if (documents.get(change.uri)) continue; // open documents are indexed from the editor's text
      if (change.type === FileChangeType.Deleted) service.removeWorkspaceFile(change.uri);
      else {
        const text = change.uri.startsWith('file:') ? await readIfRelevant(fileURLToPath(change.uri)) : undefined;
        if (text === undefined) service.removeWorkspaceFile(change.uri);
        else service.indexWorkspaceFile(change.uri, text);
      }
    }
    refreshAll();
  });

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
    // Unsaved edits die with the editor: index what is on disk again.
    const uri = e.document.uri;
    if (uri.startsWith('file:')) {
      void readIfRelevant(fileURLToPath(uri)).then((text) => {
        if (documents.get(uri)) return;
        if (text === undefined) service.removeWorkspaceFile(uri);
        else service.indexWorkspaceFile(uri, text);
      });
    } else service.removeWorkspaceFile(uri);
    if (!pull) connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.languages.diagnostics.on(guard('pullDiagnostics', { kind: DocumentDiagnosticReportKind.Full, items: [] }, (params) => {
    const doc = documents.get(params.textDocument.uri);
    return { kind: DocumentDiagnosticReportKind.Full, items: doc ? diagnose(doc) : [] };
  }));

  const withDoc = <R>(uri: string, fallback: R, fn: (doc: TextDocument) => R): R => {
    const doc = documents.get(uri);
    return doc && isYaml(doc) && doc.getText().length <= MAX_TEXT ? fn(doc) : fallback;
  };
  connection.onCompletion(guard('completion', [], (p) => withDoc(p.textDocument.uri, [], (d) => service.complete(d.uri, d.getText(), p.position))));
  connection.onHover(guard('hover', null, (p) => withDoc(p.textDocument.uri, null, (d) => service.hover(d.uri, d.getText(), p.position) ?? null)));
  connection.onCodeAction(guard('codeAction', [], (p) => withDoc(p.textDocument.uri, [], (d) => service.codeActions(d.uri, d.getText(), p.range))));
  connection.onDocumentSymbol(guard('symbols', [], (p) => withDoc(p.textDocument.uri, [], (d) => service.symbols(d.uri, d.getText()))));
  connection.languages.inlayHint.on(guard('inlayHints', [], (p) => withDoc(p.textDocument.uri, [], (d) => service.inlayHints(d.uri, d.getText(), p.range))));

  documents.listen(connection);
  connection.listen();
}
