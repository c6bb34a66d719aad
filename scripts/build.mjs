#!/usr/bin/env node
// Builds every bundle with esbuild: the two CLIs and, when present, the VS Code extension.
import { build } from 'esbuild';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';

mkdirSync('dist', { recursive: true });
// Minified (names kept for stack traces, source maps beside): smaller vsix and runtime ConfigMap, faster start.
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'linked', logLevel: 'warning', legalComments: 'none', minify: true, keepNames: true };
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
