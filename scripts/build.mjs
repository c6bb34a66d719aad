#!/usr/bin/env node
// Builds every bundle with esbuild: the two CLIs and, when present, the VS Code extension; then
// the static AF_PACKET helpers the runtime ships to the speaker pods (dist/openelb-packet-helper-
// amd64, and -arm64 when its cross compiler is installed; runtime/native/build.sh --static).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { common } from './esbuildOptions.mjs';

// Dependencies (whatwg-url via the Kubernetes client) require Node's deprecated built-in punycode,
// which prints DEP0040 at every start on Node 21+; the npm package of the same code is silent.
const options = { ...common, alias: { ...common.alias, punycode: 'punycode/' } };

mkdirSync('dist', { recursive: true });
const bins = [
  ['server/src/lsp/main.ts', 'dist/openelb-language-server.js'],
  ['runtime/src/cli/openelb.ts', 'dist/openelb.js'],
];
for (const [entry, outfile] of bins) {
  await build({ ...options, entryPoints: [entry], outfile });
  chmodSync(outfile, 0o755);
}
if (existsSync('client/src/extension.ts')) {
  await build({ ...options, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] });
}
const helpers = spawnSync('sh', ['runtime/native/build.sh', '--static', 'dist'], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
if (helpers.status !== 0) {
  console.error('build: the packet helper did not build; `openelb deploy` refuses to ship a runtime without it');
  process.exit(helpers.status ?? 1);
}
console.log(`built dist/ (packet helpers: ${helpers.stdout.trim().split('\n').map((p) => p.replace(/^.*-/, '')).join(', ')})`);
