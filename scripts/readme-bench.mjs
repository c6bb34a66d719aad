#!/usr/bin/env node
// Copies the tables of bench/results/*.md into README.md between <!-- bench:NAME --> markers,
// so the published numbers are always the last measured ones. Run after `npm run bench*`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const sections = { lsp: 'bench/results/lsp-bench.md', controller: 'bench/results/controller-bench.md', node: 'bench/results/node-bench.md' };
let readme = readFileSync('README.md', 'utf8');
for (const [name, file] of Object.entries(sections)) {
  if (!existsSync(file)) continue;
  const body = readFileSync(file, 'utf8').trim().replace(/^# .*\n+/, '').replace(/^## /gm, '#### ');
  const re = new RegExp(`(<!-- bench:${name} -->\\n)[\\s\\S]*?(\\n<!-- /bench:${name} -->)`);
  readme = readme.replace(re, `$1${body}$2`);
}
writeFileSync('README.md', readme);
console.log('README.md benchmark sections updated');
