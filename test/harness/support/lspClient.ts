// A small LSP test client: spawns the built language server over stdio and talks to it with
// the real protocol library, as an editor would. Used by the protocol, robustness and fuzz tests.
//
//   const c = await LspClient.start();
//   await c.initialize({ textDocument: { publishDiagnostics: {} } });
//   c.open('file:///x.yaml', text);
//   const diags = await c.waitForDiagnostics('file:///x.yaml', (d) => d.length > 0);
//   await c.shutdown();
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type {
  ClientCapabilities, CodeAction, CompletionItem, CompletionList, Diagnostic, DocumentSymbol, Hover, InitializeResult,
  InlayHint, Position, PublishDiagnosticsParams, Range, TextEdit, WorkspaceFolder,
} from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';

export { REPO as ROOT } from '../repo';
import { REPO as ROOT } from '../repo';
export const SERVER_JS = join(ROOT, 'dist', 'openelb-language-server.js');
export const CLI_JS = join(ROOT, 'dist', 'openelb.js');
/** Default time a single request or wait may take before the test fails. */
export const DEFAULT_TIMEOUT = 10_000;

function newestMtime(dir: string): number {
  let newest = 0;
  let entries: string[] = [];
  try { entries = readdirSync(dir); } catch { return 0; }
  for (const e of entries) {
    const p = join(dir, e);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

function binsAreStale(): boolean {
  const sources = Math.max(newestMtime(join(ROOT, 'server', 'src')), newestMtime(join(ROOT, 'runtime', 'src', 'cli')));
  return [SERVER_JS, CLI_JS].some((f) => !existsSync(f) || statSync(f).mtimeMs < sources);
}

/** Builds dist/ when the server or CLI bundle is missing or older than the sources it is made from. */
export function ensureBuilt(): void {
  if (!binsAreStale()) return;
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  // build.mjs builds the two CLIs first, then the VS Code extension: a failure in the extension
  // alone still leaves fresh bundles for these tests.
  if (r.status !== 0 && binsAreStale()) throw new Error(`build failed (node scripts/build.mjs):\n${r.stdout}\n${r.stderr}`);
}

/** Rejects with a clear message when `p` has not settled within `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Applies LSP text edits to a text (as an editor applies a code action's workspace edit). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///tmp', 'yaml', 0, text), edits);
}

/** Line/character of the `nth` occurrence of `needle` in `text` (plus `delta` characters). */
export function positionOf(text: string, needle: string, nth = 0, delta = 0): Position {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' occurs fewer than ${nth + 1} times`);
  }
  return TextDocument.create('file:///tmp', 'yaml', 0, text).positionAt(at + delta);
}

export interface StartOptions {
  /** Extra server arguments (default: --stdio). */
  args?: string[];
  cwd?: string;
}

export interface InitializeOptions {
  initializationOptions?: Record<string, unknown>;
  workspaceFolders?: WorkspaceFolder[] | null;
  rootUri?: string | null;
}

export class LspClient {
  readonly connection: MessageConnection;
  /** Every publishDiagnostics notification, newest last, per URI. */
  readonly published = new Map<string, PublishDiagnosticsParams[]>();
  /** Methods of the requests the server sent us (registerCapability, diagnostic refresh...). */
  readonly serverRequests: string[] = [];
  /** window/logMessage notifications (type 1 = error: the server caught a failure in a handler). */
  readonly logs: { type: number; message: string }[] = [];
  private readonly docs = new Map<string, TextDocument>();
  private readonly waiters = new Set<() => void>();
  private stderrText = '';

  private constructor(readonly proc: ChildProcess) {
    proc.stderr!.on('data', (b: Buffer) => {
      // Keep the tail only: a crash trace is what matters, not megabytes of logs.
      this.stderrText = (this.stderrText + b.toString()).slice(-20_000);
    });
    this.connection = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      let list = this.published.get(p.uri);
      if (!list) this.published.set(p.uri, (list = []));
      list.push(p);
      this.wake();
    });
    // Requests from the server (client/registerCapability, workspace/diagnostic/refresh, ...): accept them.
    this.connection.onRequest((method: string, _params: unknown) => {
      this.serverRequests.push(method);
      this.wake();
      return null;
    });
    this.connection.onNotification('window/logMessage', (p: { type: number; message: string }) => {
      this.logs.push(p);
    });
    this.connection.onNotification((_method: string, _params: unknown) => undefined); // $/progress, telemetry and friends
    this.connection.onError(() => undefined);
    proc.on('exit', () => this.wake());
    this.connection.listen();
  }

  /** Spawns `node dist/openelb-language-server.js --stdio`. */
  static start(opts: StartOptions = {}): LspClient {
    if (!existsSync(SERVER_JS)) throw new Error(`${SERVER_JS} is missing; run npm run build`);
    const proc = spawn(process.execPath, [SERVER_JS, ...(opts.args ?? ['--stdio'])], { cwd: opts.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    return new LspClient(proc);
  }

  /** True while the server process runs (no exit code, no signal). */
  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Errors the server logged (each one a handler that threw and was answered with an empty result). */
  get loggedErrors(): string[] {
    return this.logs.filter((l) => l.type === 1).map((l) => l.message);
  }

  get stderr(): string {
    return this.stderrText;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves with `probe()`'s first non-undefined value, re-checked on every message from the server. */
  waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolvePromise, reject) => {
      const check = () => {
        let v: T | undefined;
        try { v = probe(); } catch (e) { done(); reject(e as Error); return; }
        if (v !== undefined) { done(); resolvePromise(v); return; }
        if (!this.alive) { done(); reject(new Error(`server exited (${this.proc.exitCode ?? this.proc.signalCode}) while waiting for ${what}\n${this.stderrText}`)); }
      };
      const timer = setTimeout(() => { done(); reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)); }, timeoutMs);
      const done = () => { clearTimeout(timer); this.waiters.delete(check); };
      this.waiters.add(check);
      check();
    });
  }

  /** Sends a request and fails clearly when no answer comes within `timeoutMs`. */
  request<R>(method: string, params: unknown, timeoutMs = DEFAULT_TIMEOUT): Promise<R> {
    return withTimeout(this.connection.sendRequest(method, params) as Promise<R>, timeoutMs, `${method} request`);
  }

  notify(method: string, params: unknown): void {
    void this.connection.sendNotification(method, params);
  }

  async initialize(capabilities: ClientCapabilities, opts: InitializeOptions = {}): Promise<InitializeResult> {
    const result = await this.request<InitializeResult>('initialize', {
      processId: process.pid,
      clientInfo: { name: 'openelb-test-client' },
      rootUri: opts.rootUri ?? null,
      workspaceFolders: opts.workspaceFolders ?? null,
      capabilities,
      initializationOptions: opts.initializationOptions,
    });
    this.notify('initialized', {});
    return result;
  }

  open(uri: string, text: string, languageId = 'yaml'): void {
    const doc = TextDocument.create(uri, languageId, 1, text);
    this.docs.set(uri, doc);
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Sends incremental edits (each a range and its new text) and keeps our copy in step. */
  change(uri: string, edits: { range: Range; text: string }[]): number {
    const doc = this.docs.get(uri);
    if (!doc) throw new Error(`${uri} is not open`);
    const version = doc.version + 1;
    TextDocument.update(doc, edits, version);
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: edits });
    return version;
  }

  /** Replaces the whole text (as a single incremental edit over the old text). */
  replaceAll(uri: string, text: string): number {
    const doc = this.docs.get(uri);
    if (!doc) throw new Error(`${uri} is not open`);
    return this.change(uri, [{ range: { start: { line: 0, character: 0 }, end: doc.positionAt(doc.getText().length) }, text }]);
  }

  close(uri: string): void {
    this.docs.delete(uri);
    this.notify('textDocument/didClose', { textDocument: { uri } });
  }

  /** Our copy of an open document's text. */
  text(uri: string): string {
    const doc = this.docs.get(uri);
    if (!doc) throw new Error(`${uri} is not open`);
    return doc.getText();
  }

  version(uri: string): number {
    return this.docs.get(uri)?.version ?? 0;
  }

  /** The newest pushed diagnostics of `uri` that satisfy `predicate` (waits for them). */
  waitForDiagnostics(uri: string, predicate: (d: Diagnostic[]) => boolean = () => true, timeoutMs = DEFAULT_TIMEOUT): Promise<Diagnostic[]> {
    return this.waitFor(() => {
      const list = this.published.get(uri);
      const last = list?.[list.length - 1];
      return last && predicate(last.diagnostics) ? last.diagnostics : undefined;
    }, timeoutMs, `diagnostics of ${uri}`);
  }

  /** Like waitForDiagnostics, but only counts diagnostics published for the current version of the document. */
  waitForCurrentDiagnostics(uri: string, predicate: (d: Diagnostic[]) => boolean = () => true, timeoutMs = DEFAULT_TIMEOUT): Promise<Diagnostic[]> {
    return this.waitFor(() => {
      const list = this.published.get(uri);
      const last = list?.[list.length - 1];
      return last && last.version === this.version(uri) && predicate(last.diagnostics) ? last.diagnostics : undefined;
    }, timeoutMs, `diagnostics of ${uri} version ${this.version(uri)}`);
  }

  /** Pull diagnostics (textDocument/diagnostic). */
  async pullDiagnostics(uri: string): Promise<Diagnostic[]> {
    const r = await this.request<{ kind: string; items?: Diagnostic[] }>('textDocument/diagnostic', { textDocument: { uri } });
    return r.items ?? [];
  }

  async completion(uri: string, position: Position): Promise<CompletionItem[]> {
    const r = await this.request<CompletionItem[] | CompletionList | null>('textDocument/completion', { textDocument: { uri }, position });
    return Array.isArray(r) ? r : r?.items ?? [];
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position });
  }

  async codeActions(uri: string, range: Range, diagnostics: Diagnostic[] = []): Promise<CodeAction[]> {
    return (await this.request<CodeAction[] | null>('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics } })) ?? [];
  }

  async symbols(uri: string): Promise<DocumentSymbol[]> {
    return (await this.request<DocumentSymbol[] | null>('textDocument/documentSymbol', { textDocument: { uri } })) ?? [];
  }

  async inlayHints(uri: string, range: Range): Promise<InlayHint[]> {
    return (await this.request<InlayHint[] | null>('textDocument/inlayHint', { textDocument: { uri }, range })) ?? [];
  }

  /** The text of `uri` after applying a code action's edits to our copy (the document is not changed). */
  applyAction(uri: string, action: CodeAction): string {
    const edits = action.edit?.changes?.[uri];
    if (!edits) throw new Error(`code action '${action.title}' has no edits for ${uri}`);
    return applyEdits(this.text(uri), edits);
  }

  /** Polite shutdown (shutdown request, exit notification); kills the process if it lingers. */
  async shutdown(timeoutMs = 5_000): Promise<number | null> {
    if (!this.alive) return this.proc.exitCode;
    const exited = new Promise<number | null>((r) => this.proc.once('exit', (code) => r(code)));
    try {
      await this.request('shutdown', null, timeoutMs);
      this.notify('exit', null);
      return await withTimeout(exited, timeoutMs, 'server exit after shutdown');
    } finally {
      this.kill();
    }
  }

  /** Kills the server process (by its own pid) and closes the connection. */
  kill(): void {
    if (this.alive) this.proc.kill('SIGKILL');
    this.connection.dispose();
  }
}

/** Client capabilities of a plain push-diagnostics editor. */
export const PUSH_CAPABILITIES: ClientCapabilities = {
  textDocument: {
    synchronization: { didSave: false },
    publishDiagnostics: { relatedInformation: true, versionSupport: true },
    completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor', 'refactor.rewrite'] } } },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    inlayHint: {},
  },
  workspace: { workspaceFolders: true, didChangeWatchedFiles: { dynamicRegistration: true } },
};

/** The same editor, also able to pull diagnostics (LSP 3.17). */
export const PULL_CAPABILITIES: ClientCapabilities = {
  ...PUSH_CAPABILITIES,
  textDocument: { ...PUSH_CAPABILITIES.textDocument, diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } },
  workspace: { ...PUSH_CAPABILITIES.workspace, diagnostics: { refreshSupport: true } },
};
