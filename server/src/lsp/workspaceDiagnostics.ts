// Problems for every OpenELB file of the workspace, not only the open ones: what `openelb lint`
// reports for the same files, from the same service. Files are read from disk when needed and
// never kept (memory grows with the number of files, not their size); the open buffer wins over
// the disk while a file is open. Work runs in short slices that yield to the event loop, so
// completion and hover are answered during a scan; file events (a branch switch is thousands)
// are coalesced, and a validation pass restarts when the Eips it depends on change.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FileChangeType, type Diagnostic } from 'vscode-languageserver';
import type { OpenElbLanguageService } from '@openelb/core/languageService';
import { Debouncer } from './debounce';
import { findYamlFiles, isScannedPath, isSkippedPath, MAX_FILE_BYTES, MAX_FILES, readWorkspaceFile } from './workspaceIndex';

export type ProblemsScope = 'workspace' | 'openFiles';

export interface WorkspaceProblemsHost {
  service: OpenElbLanguageService;
  isOpen(uri: string): boolean;
  publish(uri: string, diagnostics: Diagnostic[]): void;
  /** Re-check the open files (the workspace's Eips changed). */
  refreshOpen(): void;
  log(message: string): void;
}

/** Time one slice of work may take before yielding to pending requests; when requests took
 * longer than that between two slices, the next slice may take as long (a fair share, so a
 * stream of requests cannot stall a scan, nor a scan the requests). */
const SLICE_MS = 8;
const MAX_SLICE_MS = 100;
/** Files read at once: reading one at a time leaves the CPU idle while the disk answers. */
const READ_AHEAD = 16;
/** At most this many "skipped" lines per scan; then one summary. */
const MAX_SKIP_LOGS = 20;
const EMPTY = 'e';

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class WorkspaceProblems {
  private scope: ProblemsScope = 'workspace';
  /** Relevant files on disk (they mention OpenELB's API group), as URIs. */
  private readonly known = new Set<string>();
  /** What we last pushed per URI, as a short fingerprint (not the diagnostics themselves). */
  private readonly published = new Map<string, string>();
  /** Files to (re-)read and index, before any validation. */
  private readonly dirty = new Map<string, FileChangeType>();
  /** Events received but not yet handed to the pump (coalesced by the debouncer). */
  private readonly pending = new Map<string, FileChangeType>();
  private readonly events = new Debouncer(100);
  private eventCount = 0;
  private queue: string[] = [];
  private revalidateAll = false;
  /** A validation pass is under way (its end is logged: tests and benches wait for that line). */
  private inPass = false;
  private discovering = 0;
  private running = false;
  /** Indexing a batch of files: the open files are re-checked once, when it is done. */
  private indexing = false;
  /** An index batch of the service is open (slice()). */
  private inBatch = false;
  private refreshPending = false;
  private skipLogs = 0;
  private roots: string[] = [];

  constructor(private readonly host: WorkspaceProblemsHost) {}

  setEventDelay(ms: number): void {
    this.events.setDelay(ms);
  }

  setScope(scope: unknown): void {
    const next: ProblemsScope = scope === 'openFiles' ? 'openFiles' : 'workspace';
    if (next === this.scope) return;
    this.scope = next;
    if (next === 'openFiles') {
      this.queue = [];
      for (const [uri, fp] of this.published) if (fp !== EMPTY && !this.host.isOpen(uri)) this.send(uri, []);
    } else this.indexChanged();
  }

  /** The initial scan: find and index every relevant file, then validate them all. */
  async start(folders: string[]): Promise<void> {
    this.roots = folders;
    this.revalidateAll = true;
    this.discovering++;
    const started = Date.now();
    const budget = { files: MAX_FILES };
    try {
      for (const root of folders) {
        for await (const path of findYamlFiles(root, budget)) this.dirty.set(pathToFileURL(path).toString(), FileChangeType.Created);
      }
    } finally {
      this.discovering--;
    }
    this.host.log(`workspace problems: found ${MAX_FILES - budget.files} YAML files in ${Date.now() - started} ms`);
    if (budget.files <= 0) this.host.log(`workspace problems: stopped looking after ${MAX_FILES} YAML files; files beyond are checked when opened`);
    await this.pump();
  }

  /** workspace/didChangeWatchedFiles: coalesced, then handled by the pump. */
  filesChanged(changes: { uri: string; type: FileChangeType }[]): void {
    for (const c of changes) {
      if (!c.uri.startsWith('file:') || isSkippedPath(fileURLToPath(c.uri), this.roots)) continue;
      this.pending.set(c.uri, c.type);
      this.eventCount++;
    }
    if (this.pending.size) this.events.run('events', () => this.flushEvents());
  }

  private flushEvents(): void {
    this.host.log(`workspace problems: ${this.eventCount} file events, ${this.pending.size} paths, in one batch`);
    for (const [uri, type] of this.pending) {
      if (type === FileChangeType.Deleted && !/\.ya?ml$/i.test(uri)) this.forgetFolder(uri);
      else this.dirty.set(uri, type);
    }
    this.pending.clear();
    this.eventCount = 0;
    void this.pump();
  }

  /** A deleted folder: every known file under it is gone too. */
  private forgetFolder(uri: string): void {
    const prefix = uri.endsWith('/') ? uri : `${uri}/`;
    for (const u of this.known) if (u.startsWith(prefix)) this.dirty.set(u, FileChangeType.Deleted);
  }

  /** The open buffer wins: drop what we pushed from disk (pull clients keep both collections). */
  opened(uri: string, pull: boolean): void {
    const fp = this.published.get(uri);
    this.published.delete(uri);
    if (pull && fp !== undefined && fp !== EMPTY) this.host.publish(uri, []);
  }

  /** A closed file shows its on-disk problems again (or none, when it is not on disk, or outside
   * what the scan covers: another folder, node_modules...). */
  closed(uri: string): void {
    this.published.set(uri, 'closed'); // whatever the disk says differs from this: it is sent
    this.dirty.set(uri, isScannedPath(fileURLToPath(uri), this.roots) ? FileChangeType.Changed : FileChangeType.Deleted);
    void this.pump();
  }

  /** Some file's Eips changed: every other file may now have other problems. True when the open
   * files are re-checked later, once the batch being indexed is done (not once per file). */
  indexChanged(): boolean {
    this.revalidateAll = true;
    if (!this.running && !this.discovering) void this.pump();
    if (!this.indexing && !this.discovering) return false;
    this.refreshPending = true;
    return true;
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      let slice = SLICE_MS;
      while (await this.slice(slice)) {
        const yielded = performance.now();
        await yieldToEventLoop();
        slice = Math.min(MAX_SLICE_MS, Math.max(SLICE_MS, performance.now() - yielded));
      }
    } catch (err) {
      this.host.log(`workspace problems failed: ${(err as Error).stack ?? String(err)}`);
    } finally {
      this.endBatch(); // never left open once the pump stops
      this.running = false;
    }
  }

  /** One slice of work; false when nothing is left. Reading and indexing come before validating,
   * so a pass never validates against half-known Eips. */
  private async slice(ms: number): Promise<boolean> {
    const until = performance.now() + ms;
    if (this.dirty.size) {
      this.indexing = true;
      // One index batch spans the slices until nothing is left to index: requests in between use
      // the Eips as they were before it, and the index changes once, at its end.
      if (!this.inBatch) this.host.service.beginIndexBatch();
      this.inBatch = true;
      let failed = true;
      try {
        while (this.dirty.size && performance.now() < until) {
          const batch = [...take(this.dirty.entries(), READ_AHEAD)];
          for (const [uri] of batch) this.dirty.delete(uri);
          const texts = await Promise.all(batch.map(([uri, type]) => (type === FileChangeType.Deleted || this.host.isOpen(uri) ? undefined : this.read(uri))));
          batch.forEach(([uri], i) => this.guarded(uri, () => this.reindex(uri, texts[i])));
        }
        failed = false;
      } finally {
        // Ended on failure too: a batch left open would hide every later index change.
        if (failed || !this.dirty.size) this.endBatch();
        this.indexing = false;
      }
      if (!this.dirty.size && !this.discovering && this.refreshPending) {
        this.refreshPending = false;
        this.host.refreshOpen();
      }
      return true;
    }
    if (this.discovering) return false; // start() calls the pump again when discovery ends
    if (this.revalidateAll) {
      this.revalidateAll = false;
      if (this.queue.length) this.host.log('workspace problems: Eips changed during a pass; restarting it');
      this.queue = this.scope === 'workspace' ? [...this.known].reverse() : [];
      this.inPass = true;
    }
    while (this.queue.length && !this.dirty.size && !this.revalidateAll && performance.now() < until) {
      const batch = this.queue.splice(Math.max(0, this.queue.length - READ_AHEAD)).reverse();
      const texts = await Promise.all(batch.map((uri) => (this.host.isOpen(uri) ? undefined : this.read(uri))));
      // Eips changed while reading: these files are checked again by the restarted pass.
      if (this.revalidateAll) break;
      batch.forEach((uri, i) => this.guarded(uri, () => this.validateFromDisk(uri, texts[i])));
    }
    if (this.queue.length || this.dirty.size || this.revalidateAll) return true;
    if (this.inPass) this.host.log(`workspace problems: pass done, ${this.known.size} OpenELB files (scope: ${this.scope})`);
    this.inPass = false;
    return false;
  }

  private endBatch(): void {
    if (!this.inBatch) return;
    this.inBatch = false;
    this.host.service.endIndexBatch();
  }

  /** One file's failure is logged and skipped; the others are still checked. */
  private guarded(uri: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.host.log(`workspace problems: checking ${uri} failed: ${(err as Error).stack ?? String(err)}`);
    }
  }

  private async read(uri: string): Promise<string | undefined> {
    const r = await readWorkspaceFile(fileURLToPath(uri));
    if (r.skipped && this.skipLogs++ < MAX_SKIP_LOGS) {
      this.host.log(`workspace problems: skipped ${fileURLToPath(uri)} (${r.skipped} bytes; files over ${MAX_FILE_BYTES} bytes are not checked)`);
    }
    return r.text;
  }

  /** Indexes a file's text from disk (undefined: gone, or not an OpenELB file). */
  private reindex(uri: string, text: string | undefined): void {
    if (this.host.isOpen(uri)) return; // indexed from the editor's text
    const { service } = this.host;
    if (text === undefined) {
      this.known.delete(uri);
      if (service.removeWorkspaceFile(uri)) this.revalidateAll = true;
      if (this.published.has(uri)) this.send(uri, []);
      this.published.delete(uri);
      return;
    }
    this.known.add(uri);
    // Its Eips changed: the end of the batch starts a full pass, which checks this file too.
    if (service.indexWorkspaceFile(uri, text)) this.revalidateAll = true;
    // A changed file is checked now, unless a full pass (its Eips changed, or the first scan) will.
    if (!this.revalidateAll && !this.discovering) this.validateFromDisk(uri, text);
  }

  private validateFromDisk(uri: string, text: string | undefined): void {
    if (this.host.isOpen(uri)) return;
    if (text === undefined || this.scope !== 'workspace') {
      if (this.published.has(uri)) this.send(uri, []);
      if (text === undefined) return;
    }
    if (this.scope !== 'workspace') return;
    const diagnostics = this.host.service.validate(uri, text);
    this.host.service.close(uri); // keep no per-file state for files the editor has not opened
    this.send(uri, diagnostics);
  }

  /** Pushes unless it is what we pushed last. */
  private send(uri: string, diagnostics: Diagnostic[]): void {
    const fp = fingerprint(diagnostics);
    const before = this.published.get(uri);
    if (before === fp || (before === undefined && fp === EMPTY)) return;
    this.published.set(uri, fp);
    this.host.publish(uri, diagnostics);
  }
}

function* take<T>(it: Iterator<T>, n: number): Generator<T> {
  for (let i = 0; i < n; i++) {
    const r = it.next();
    if (r.done) return;
    yield r.value;
  }
}

/** A short digest of diagnostics (FNV-1a over their JSON): enough to skip identical re-pushes. */
function fingerprint(diagnostics: Diagnostic[]): string {
  if (!diagnostics.length) return EMPTY;
  const s = JSON.stringify(diagnostics);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return `${diagnostics.length}:${s.length}:${(h >>> 0).toString(36)}`;
}
