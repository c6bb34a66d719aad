// Finds the OpenELB YAML files of the workspace folders so that rules can see Eips defined in
// files that are not open (overlaps, default pool, Eip names). Bounded in files and bytes.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

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

/** Reads a file if it is small enough and mentions OpenELB's API group; undefined otherwise. */
export async function readIfRelevant(path: string): Promise<string | undefined> {
  try {
    const st = await fs.stat(path);
    if (st.size > MAX_FILE_BYTES) return undefined;
    const text = await fs.readFile(path, 'utf8');
    return text.includes('kubesphere.io') ? text : undefined;
  } catch {
    return undefined;
  }
}
