// A minimal LSP client over stdio for benchmarking: spawn a server, initialize it, open and edit
// documents, and wait for the publishDiagnostics that answers a given change.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { Diagnostic, PublishDiagnosticsParams, TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';

export interface Published {
  params: PublishDiagnosticsParams;
  /** performance.now() when the notification was decoded. */
  at: number;
}

export class TimeoutError extends Error {}

export class LspClient {
  private readonly conn: MessageConnection;
  private readonly child: ChildProcess;
  private waiters: { match: (p: PublishDiagnosticsParams) => boolean; resolve: (p: Published) => void }[] = [];
  private stderr = '';
  private exited = false;

  /** `settings` answers workspace/configuration requests (by section name). */
  constructor(readonly name: string, command: string, args: string[], private readonly settings: Record<string, unknown> = {}) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.on('data', (d: Buffer) => { this.stderr = (this.stderr + d.toString()).slice(-4000); });
    this.child.on('exit', () => { this.exited = true; });
    this.conn = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      const got = { params, at: performance.now() };
      this.waiters = this.waiters.filter((w) => (w.match(params) ? (w.resolve(got), false) : true));
    });
    this.conn.onNotification(() => undefined); // window/logMessage, telemetry, custom notifications
    this.conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) =>
      p.items.map((i) => (i.section ? this.settings[i.section] ?? null : this.settings)));
    this.conn.onRequest(() => null); // client/registerCapability, workDoneProgress/create, ...
    this.conn.listen();
  }

  /**
   * CPU time (user + system, ms) the server process has used so far, from /proc (Linux; clock
   * ticks of 10 ms). Unlike wall time it does not grow when other processes load the machine.
   */
  cpuMs(): number {
    try {
      const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) * 10;
    } catch {
      return NaN;
    }
  }

  async initialize(initializationOptions: unknown): Promise<void> {
    await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null, // no workspace: each server sees only the document it is given
      workspaceFolders: null,
      initializationOptions,
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } },
        textDocument: {
          synchronization: { dynamicRegistration: false, didSave: false },
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
        },
      },
    });
    await this.conn.sendNotification('initialized', {});
  }

  async configure(settings: unknown): Promise<void> {
    await this.conn.sendNotification('workspace/didChangeConfiguration', { settings });
  }

  /** Resolves with the next publishDiagnostics for `uri` that satisfies `match`. */
  nextDiagnostics(uri: string, match: (p: PublishDiagnosticsParams) => boolean, timeoutMs: number): Promise<Published> {
    return new Promise<Published>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new TimeoutError(`${this.name}: no diagnostics for ${uri} within ${timeoutMs} ms${this.exited ? ' (server exited: ' + this.stderr.slice(-300) + ')' : ''}`));
      }, timeoutMs);
      const done = (p: Published) => { clearTimeout(timer); resolve(p); };
      this.waiters.push({ match: (p) => p.uri === uri && match(p), resolve: done });
    });
  }

  /**
   * Opens a document and waits for its diagnostics. `versioned` servers echo the document
   * version; for others the first publish for the uri after the open is the answer.
   */
  async open(uri: string, text: string, version: number, versioned: boolean, timeoutMs: number): Promise<{ ms: number; cpuMs: number; diagnostics: Diagnostic[] }> {
    const wait = this.nextDiagnostics(uri, (p) => !versioned || p.version === version, timeoutMs);
    const cpu0 = this.cpuMs();
    const t0 = performance.now();
    await this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version, text } });
    const got = await wait;
    return { ms: got.at - t0, cpuMs: this.cpuMs() - cpu0, diagnostics: got.params.diagnostics };
  }

  async change(uri: string, version: number, changes: TextDocumentContentChangeEvent[], versioned: boolean, timeoutMs: number): Promise<{ ms: number; diagnostics: Diagnostic[] }> {
    const wait = this.nextDiagnostics(uri, (p) => !versioned || p.version === version, timeoutMs);
    const t0 = performance.now();
    await this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    const got = await wait;
    return { ms: got.at - t0, diagnostics: got.params.diagnostics };
  }

  async close(uri: string): Promise<void> {
    await this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** shutdown + exit, then a kill of our own child if it lingers. */
  async dispose(): Promise<void> {
    if (!this.exited) {
      try {
        await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 3000))]);
        await this.conn.sendNotification('exit');
      } catch { /* already gone */ }
    }
    const deadline = Date.now() + 3000;
    while (!this.exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (!this.exited) this.child.kill('SIGKILL');
    this.conn.dispose();
  }
}
