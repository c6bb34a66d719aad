#!/usr/bin/env node
// `npm run package`: builds the esbuild bundles, regenerates the snippets from the language
// server's TEMPLATES, and packs the VS Code extension into openelb-toolkit-<version>.vsix with
// @vscode/vsce. The .vsix holds bundles only (see .vscodeignore): no node_modules, no sources.
//   node scripts/package.mjs [--out path.vsix]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) { console.error(`package: ${cmd} ${args.join(' ')} failed`); process.exit(r.status ?? 1); }
};

run(process.execPath, ['scripts/build.mjs']);
run(process.execPath, ['client/tools/generateSnippets.mjs']);
for (const f of ['dist/extension.js', 'dist/openelb-language-server.js', 'dist/openelb.js']) {
  if (!existsSync(f)) { console.error(`package: ${f} is missing after the build`); process.exit(1); }
}

let vsce;
try { vsce = require.resolve('@vscode/vsce/vsce'); } catch {
  console.error('package: @vscode/vsce is not installed; run `npm install --no-save @vscode/vsce@3.9.2`');
  process.exit(1);
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const outIdx = process.argv.indexOf('--out');
const out = outIdx > 0 ? process.argv[outIdx + 1] : `${pkg.name}-${pkg.version}.vsix`;
mkdirSync(dirname(out) || '.', { recursive: true });
// --no-dependencies: everything is bundled by esbuild, so vsce must not walk node_modules.
run(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--readme-path', 'client/README.md', '--out', out]);
console.log(`packaged ${join(process.cwd(), out)} (${Math.round(statSync(out).size / 1024)} KiB)`);
