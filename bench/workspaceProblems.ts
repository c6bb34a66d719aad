// `npm run bench:workspace`: problems for a whole workspace. 2,000 YAML files with 20 OpenELB
// documents each (three mistakes per file): when our server publishes the first and the last file's
// problems without any file being opened, and how completion and hover answer meanwhile. Beside
// it yaml-language-server, which checks open files only: it sees nothing until the client opens
// files, so it is also timed with the client opening every file (what an editor would need).
//   BENCH_FILES=2000 BENCH_DOCS=20 BENCH_TIMEOUT_MS=300000
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { writeCrdJsonSchema } from './schemas';
import { ourServer, yamlServer, type ServerSpec } from './support/servers';
import { fmtMs, percentile } from './support/stats';

const FILES = Number(process.env.BENCH_FILES ?? 2000);
const DOCS = Number(process.env.BENCH_DOCS ?? 20);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 300_000);

const eip = (n: number, address: string, protocol = 'layer2') =>
  `apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: e${n}\nspec:\n  address: ${address}\n  protocol: ${protocol}\n  interface: eth0`;

/** Document d of file f: distinct /30 pools; the 4th and 14th of each file have a reversed range
 * (found by our rules only), the 8th an unknown protocol (a schema error both servers find). */
function doc(f: number, d: number): string {
  const n = f * DOCS + d;
  const base = (10 << 24) + n * 4;
  const ip = (x: number) => [x >>> 24, (x >> 16) & 255, (x >> 8) & 255, x & 255].join('.');
  return eip(n, d % 10 === 3 ? `${ip(base + 3)}-${ip(base)}` : `${ip(base)}/30`, d === 7 ? 'layer3' : 'layer2');
}

function generate(dir: string): string[] {
  const files: string[] = [];
  for (let f = 0; f < FILES; f++) {
    const sub = join(dir, `team-${f % 50}`);
    mkdirSync(sub, { recursive: true });
    const path = join(sub, `pools-${f}.yaml`);
    writeFileSync(path, Array.from({ length: DOCS }, (_, d) => doc(f, d)).join('\n---\n') + '\n');
    files.push(path);
  }
  return files;
}

/** The open file: a Service and an Eip. Completion of an Eip spec key (line 18) and hover on the
 * Eip's address (line 15): both servers answer these from the schema. */
const OPEN_TEXT = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    lb.kubesphere.io/v1alpha1: openelb\n    eip.openelb.kubesphere.io/v1alpha2: e1\nspec:\n  type: LoadBalancer\n---\n' + eip(999_999, '192.168.7.0/30') + '\n  \n';
const COMPLETION_AT = { line: 18, character: 2 };
const HOVER_AT = { line: 15, character: 13 };
/** Pause between two rounds of completion + hover: a user typing, not a flood. */
const PACE_MS = 50;

interface Result {
  firstMs?: number;
  allMs?: number;
  completion: number[];
  hover: number[];
  filesWithProblems: number;
  mode: string;
}

class Client {
  readonly conn: MessageConnection;
  readonly published = new Map<string, PublishDiagnosticsParams>();
  onPublish?: () => void;
  private readonly child;
  constructor(spec: ServerSpec) {
    this.child = spawn(spec.command, spec.args, { stdio: ['pipe', 'pipe', 'ignore'] });
    this.conn = createMessageConnection(new StreamMessageReader(this.child.stdout), new StreamMessageWriter(this.child.stdin));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => { this.published.set(p.uri, p); this.onPublish?.(); });
    this.conn.onNotification(() => undefined);
    this.conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map((i) => (i.section ? spec.settings?.[i.section] ?? null : spec.settings ?? null)));
    this.conn.onRequest(() => null);
    this.conn.listen();
  }
  async initialize(spec: ServerSpec, root: string): Promise<void> {
    await this.conn.sendRequest('initialize', {
      processId: process.pid, rootUri: pathToFileURL(root).toString(), workspaceFolders: [{ uri: pathToFileURL(root).toString(), name: 'ws' }],
      initializationOptions: spec.initializationOptions,
      capabilities: {
        workspace: { configuration: true, workspaceFolders: true, didChangeWatchedFiles: { dynamicRegistration: true } },
        textDocument: { publishDiagnostics: { relatedInformation: true }, completion: { completionItem: { snippetSupport: true } }, hover: { contentFormat: ['markdown'] } },
      },
    });
    await this.conn.sendNotification('initialized', {});
    if (spec.settings) await this.conn.sendNotification('workspace/didChangeConfiguration', { settings: spec.settings });
  }
  open(uri: string, text: string): Promise<void> {
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  }
  async timed(method: string, params: unknown): Promise<number> {
    const t0 = performance.now();
    await this.conn.sendRequest(method, params);
    return performance.now() - t0;
  }
  async dispose(): Promise<void> {
    await Promise.race([this.conn.sendRequest('shutdown').catch(() => undefined), new Promise((r) => setTimeout(r, 3000))]);
    await this.conn.sendNotification('exit').catch(() => undefined);
    setTimeout(() => this.child.kill('SIGKILL'), 2000).unref();
    this.conn.dispose();
  }
}

/** Runs one server: waits until every file has problems (or the timeout), querying all along. */
async function run(spec: ServerSpec, root: string, files: string[], openAll: boolean, limitMs = TIMEOUT_MS): Promise<Result> {
  const c = new Client(spec);
  const uris = new Set(files.map((f) => pathToFileURL(f).toString()));
  const res: Result = { completion: [], hover: [], filesWithProblems: 0, mode: openAll ? 'client opens every file' : 'no file opened' };
  const t0 = performance.now();
  let done!: () => void;
  const finished = new Promise<void>((r) => { done = r; });
  c.onPublish = () => {
    let n = 0;
    for (const [u, p] of c.published) if (uris.has(u) && p.diagnostics.length) n++;
    if (n && res.firstMs === undefined) res.firstMs = performance.now() - t0;
    res.filesWithProblems = n;
    if (n === uris.size) { res.allMs = performance.now() - t0; done(); }
  };
  await c.initialize(spec, root);
  const svc = pathToFileURL(join(root, 'open', 'web.yaml')).toString();
  await c.open(svc, OPEN_TEXT);
  if (openAll) for (const u of uris) await c.open(u, readFileSync(new URL(u), 'utf8'));
  const timeout = new Promise<void>((r) => setTimeout(r, limitMs).unref());
  let scanning = true;
  void Promise.race([finished, timeout]).then(() => { scanning = false; });
  while (scanning) {
    res.completion.push(await c.timed('textDocument/completion', { textDocument: { uri: svc }, position: COMPLETION_AT }));
    res.hover.push(await c.timed('textDocument/hover', { textDocument: { uri: svc }, position: HOVER_AT }));
    await new Promise((r) => setTimeout(r, PACE_MS));
  }
  await c.dispose();
  console.log(`${spec.label}, ${res.mode}: first ${fmtMs(res.firstMs)} ms, all ${fmtMs(res.allMs)} ms, ${res.filesWithProblems}/${files.length} files with problems`);
  return res;
}

function table(rows: [string, Result][]): string {
  const [, ours] = rows[0];
  const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined && a > 0 ? `${(b / a).toFixed(2)}x` : 'n/a');
  const cell = (r: Result, k: 'firstMs' | 'allMs') => (r[k] === undefined ? `never (${r.filesWithProblems}/${FILES} files)` : `${fmtMs(r[k])} ms`);
  const lines = [
    `| ${['', ...rows.map(([n, r]) => `${n} (${r.mode})`), 'theirs/ours'].join(' | ')} |`,
    `| ${['---', ...rows.map(() => '---'), '---'].join(' | ')} |`,
  ];
  const row = (label: string, f: (r: Result) => string, v: (r: Result) => number | undefined) =>
    lines.push(`| ${[label, ...rows.map(([, r]) => f(r)), rows.slice(1).map(([, r]) => ratio(v(ours), v(r))).join(' / ')].join(' | ')} |`);
  row('first problems published', (r) => cell(r, 'firstMs'), (r) => r.firstMs);
  row('all problems published', (r) => cell(r, 'allMs'), (r) => r.allMs);
  for (const k of ['completion', 'hover'] as const) {
    row(`${k} p50 during the scan`, (r) => `${fmtMs(percentile(r[k], 50))} ms (n=${r[k].length})`, (r) => percentile(r[k], 50));
    row(`${k} p95 during the scan`, (r) => `${fmtMs(percentile(r[k], 95))} ms`, (r) => percentile(r[k], 95));
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'openelb-ws-bench-'));
  try {
    const root = join(dir, 'ws');
    const files = generate(root);
    const ours = await ourServer(dir);
    const theirs = yamlServer(writeCrdJsonSchema(dir), '**/*.yaml');
    // Answer completion and hover too, so their latency is measured beside ours.
    const yaml = { ...(theirs.settings!.yaml as object), hover: true, completion: true };
    theirs.settings = { ...theirs.settings, yaml };
    console.log(`workspace: ${FILES} files x ${DOCS} documents (${FILES * DOCS} Eips, ${FILES * 3} planted mistakes) in ${root}`);
    const rows: [string, Result][] = [];
    rows.push(['openelb-language-server', await run(ours, root, files, false)]);
    // It never publishes without open files: query it for as long as our scan took.
    rows.push(['yaml-language-server', await run(theirs, root, files, false, Math.max(1000, rows[0][1].allMs ?? TIMEOUT_MS))]);
    rows.push(['yaml-language-server', await run(theirs, root, files, true)]);
    console.log(`\n${table(rows)}\n`);
    console.log('yaml-language-server reports on open files only; "no file opened" is what the Problems panel shows it without opening files.');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((e) => { console.error(e); process.exit(1); });
