// One benchmark session: spawn a server fresh, initialize, warm it up on a tiny file (which also
// proves the schema is in effect), then time didOpen -> publishDiagnostics on the bench file and,
// optionally, single-character edits -> publishDiagnostics.
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { keystrokes } from './keystrokes';
import { LspClient, TimeoutError } from './lspClient';
import type { ServerSpec } from './servers';

export interface SessionResult {
  /** didOpen -> diagnostics, or undefined on timeout. */
  openMs?: number;
  /** CPU time the server used for it (ms, 10 ms resolution). */
  openCpuMs?: number;
  /** Spawn -> initialize answered (ms): how soon an editor can start sending work. */
  startMs?: number;
  diagnostics?: Diagnostic[];
  /** Per-edit timings (ms), when keystrokes were asked for. */
  keystrokeMs: number[];
  keystrokeTimeouts: number;
  error?: string;
}

export interface SessionOptions {
  file: string;
  text: string;
  warmupFile: string;
  warmupText: string;
  timeoutMs: number;
  /** Keystrokes: how many, on which line, and a time limit per edit. */
  keys?: { count: number; line: number; timeoutMs: number };
}

export class SchemaNotAppliedError extends Error {}

export async function runSession(spec: ServerSpec, o: SessionOptions): Promise<SessionResult> {
  const t0 = performance.now();
  const client = new LspClient(spec.label, spec.command, spec.args, spec.settings);
  const result: SessionResult = { keystrokeMs: [], keystrokeTimeouts: 0 };
  try {
    await client.initialize(spec.initializationOptions);
    result.startMs = performance.now() - t0;
    if (spec.settings) await client.configure(spec.settings);
    // Warm-up: the tiny file has schema errors, so a non-empty answer proves validation is on.
    const warmUri = pathToFileURL(o.warmupFile).toString();
    const warm = client.nextDiagnostics(warmUri, (p) => p.diagnostics.length > 0, 30_000);
    await client.open(warmUri, o.warmupText, 1, false, 30_000).catch(() => undefined);
    try {
      await warm;
    } catch {
      throw new SchemaNotAppliedError(`${spec.label} reported no diagnostics for the warm-up file ${o.warmupFile} (which has schema errors) within 30 s: schema association or validation is not working`);
    }
    await client.close(warmUri);

    const uri = pathToFileURL(o.file).toString();
    let version = 1;
    // Bench hygiene, the same for every server: collect the bench's own garbage now (npm run bench
    // passes --expose-gc) and let both processes go idle, so that neither the client's collector
    // nor the tail of the previous step runs inside the measured window.
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setTimeout(r, 150));
    try {
      const r = await client.open(uri, o.text, version, spec.versioned, o.timeoutMs);
      result.openMs = r.ms;
      result.openCpuMs = r.cpuMs;
      result.diagnostics = r.diagnostics;
    } catch (err) {
      if (!(err instanceof TimeoutError)) throw err;
      result.error = 'timeout';
      return result;
    }
    if (o.keys) {
      for (const k of keystrokes(o.text, o.keys.line, o.keys.count)) {
        version++;
        try {
          const r = await client.change(uri, version, [k.change], spec.versioned, o.keys.timeoutMs);
          result.keystrokeMs.push(r.ms);
        } catch (err) {
          if (!(err instanceof TimeoutError)) throw err;
          result.keystrokeTimeouts++;
          break; // the server is still busy: later timings would be meaningless
        }
      }
    }
    return result;
  } finally {
    await client.dispose();
  }
}
