#!/usr/bin/env node
// Builds every bundle with esbuild: the two CLIs and, when present, the VS Code extension.
import { build } from 'esbuild';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { common } from './esbuildOptions.mjs';

mkdirSync('dist', { recursive: true });
const bins = [
  ['server/src/lsp/main.ts', 'dist/openelb-language-server.js'],
  ['runtime/src/cli/openelb.ts', 'dist/openelb.js'],
];
for (const [entry, outfile] of bins) {
  await build({ ...common, entryPoints: [entry], outfile });
  chmodSync(outfile, 0o755);
}
if (existsSync('client/src/extension.ts')) {
  await build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] });
}
console.log('built dist/');
