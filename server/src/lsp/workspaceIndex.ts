// Finds the OpenELB YAML files of the workspace folders so that rules can see Eips defined in
// files that are not open (overlaps, default pool, Eip names). Bounded in files and bytes.
import { promises as fs } from 'node:fs';
import { join, relative, sep } from 'node:path';

export const MAX_FILES = 5000;
export const MAX_FILE_BYTES = 5_000_000;
const SKIP = new Set(['node_modules', '.git', 'dist', 'out', '.cache', 'vendor']);

export async function* findYamlFiles(root: string, budget = { files: MAX_FILES }): AsyncGenerator<string> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(root, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (budget.files <= 0) return;
    const p = join(root, e.name);
    if (e.isDirectory()) {
      if (!SKIP.has(e.name) && !e.name.startsWith('.')) yield* findYamlFiles(p, budget);
    } else if (e.isFile() && /\.ya?ml$/i.test(e.name)) {
      budget.files--;
      yield p;
    }
  }
}

/** True when the scan would not look at `path` (inside node_modules, .git, ... of a root). */
export function isSkippedPath(path: string, roots: string[]): boolean {
  for (const root of roots) {
    const rel = relative(root, path);
    if (rel.startsWith('..') || rel === '') continue;
    const dirs = rel.split(sep).slice(0, -1);
    return dirs.some((d) => SKIP.has(d) || d.startsWith('.'));
  }
  return false;
}

/** True when the scan would look at `path`: inside a root, not in a skipped folder. */
export function isScannedPath(path: string, roots: string[]): boolean {
  return roots.some((root) => {
    const rel = relative(root, path);
    return rel !== '' && !rel.startsWith('..') && !isSkippedPath(path, [root]);
  });
}

/** Reads a file if it is small enough and mentions OpenELB's API group (every OpenELB kind and
 * annotation is under kubesphere.io); `skipped` is its size when over the cap. */
export async function readWorkspaceFile(path: string): Promise<{ text?: string; skipped?: number }> {
  try {
    const st = await fs.stat(path);
    if (!st.isFile()) return {};
    if (st.size > MAX_FILE_BYTES) return { skipped: st.size };
    const text = await fs.readFile(path, 'utf8');
    return text.includes('kubesphere.io') ? { text } : {};
  } catch {
    return {};
  }
}

/** Reads a file if it is small enough and mentions OpenELB's API group; undefined otherwise. */
export async function readIfRelevant(path: string): Promise<string | undefined> {
  return (await readWorkspaceFile(path)).text;
}
