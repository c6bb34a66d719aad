#!/usr/bin/env node
// Generates snippets/openelb.code-snippets from TEMPLATES in
// server/core/src/features/templates.ts, so the language server's templates and the VS Code
// snippets have one source. Run by scripts/package.mjs; `--check` exits 1 when the file is stale.
import { build } from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SNIPPETS_PATH = join(ROOT, 'snippets/openelb.code-snippets');

/** The snippets file text for the current TEMPLATES. */
export async function snippetsText() {
  const out = await build({
    entryPoints: [join(ROOT, 'server/core/src/features/templates.ts')],
    bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'error',
  });
  const mod = { exports: {} };
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, createRequire(import.meta.url));
  const snippets = {};
  for (const t of mod.exports.TEMPLATES) {
    snippets[t.label] = { prefix: [t.prefix], description: t.detail, body: t.body.replace(/\n$/, '').split('\n') };
  }
  return `${JSON.stringify(snippets, null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = await snippetsText();
  if (process.argv.includes('--check')) {
    let cur = '';
    try { cur = readFileSync(SNIPPETS_PATH, 'utf8'); } catch { /* missing */ }
    if (cur !== text) { console.error(`${SNIPPETS_PATH} is stale; run node client/tools/generateSnippets.mjs`); process.exit(1); }
  } else {
    mkdirSync(dirname(SNIPPETS_PATH), { recursive: true });
    writeFileSync(SNIPPETS_PATH, text);
    console.log(`wrote ${SNIPPETS_PATH}`);
  }
}
