#!/usr/bin/env node
// `npm run test:electron`: the extension's in-editor checks (test/editor/electron/suite.ts:
// activation, registered commands, diagnostics of a broken Eip, completion, hover, on the files
// in test/editor/electron/workspace) in desktop
// VS Code, which @vscode/test-electron downloads into .cache/vscode-test (once; later runs reuse
// it). Needs the VS Code download site (where it cannot be reached, it fails saying so: it never
// passes without running) and a display: without DISPLAY on Linux it re-runs itself under
// `xvfb-run -a`. CI does not run it; it runs the editor tier in code-server
// (`npm test editor`), which needs no download.
//   OPENELB_VSCODE_VERSION=1.95.0 npm run test:electron   (default: stable)
import { spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const HOST = 'update.code.visualstudio.com';
const CACHE = join(ROOT, '.cache', 'vscode-test');
const VERSION = process.env.OPENELB_VSCODE_VERSION || 'stable';
const CI_NOTE = 'CI uses code-server instead: npm test editor';

function fail(message) {
  console.error(`test:electron: ${message}`);
  process.exit(1);
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A VS Code this script downloaded before (a "vscode-*" folder in the cache). */
function cachedCopy() {
  try { return readdirSync(CACHE).some((d) => d.startsWith('vscode-')); } catch { return false; }
}

/** Re-runs this script under xvfb-run when Linux has no display; returns only when there is one. */
function ensureDisplay() {
  if (process.platform !== 'linux' || process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return;
  if (process.env.OPENELB_UNDER_XVFB) fail('xvfb-run started no display');
  if (spawnSync('sh', ['-c', 'command -v xvfb-run'], { stdio: 'ignore' }).status !== 0) {
    fail('no display (DISPLAY is unset) and xvfb-run is missing: install it (apt-get install xvfb) or run from a desktop session');
  }
  const r = spawnSync('xvfb-run', ['-a', process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, OPENELB_UNDER_XVFB: '1' } });
  process.exit(r.status ?? 1);
}

async function downloadVsCode(downloadAndUnzipVSCode) {
  // A quick, clear answer where the site cannot be reached at all (this project's CI machines).
  if (!cachedCopy() || VERSION === 'stable') {
    try {
      await withTimeout(lookup(HOST), 10_000, `DNS lookup of ${HOST}`);
    } catch (e) {
      if (!cachedCopy()) fail(`cannot download VS Code from https://${HOST} (${e.message}); ${CI_NOTE}`);
      console.log(`test:electron: ${HOST} unreachable (${e.message}); using the copy in ${CACHE}`);
    }
  }
  try {
    return await withTimeout(downloadAndUnzipVSCode({ version: VERSION, cachePath: CACHE }), 10 * 60_000, `downloading VS Code ${VERSION}`);
  } catch (e) {
    fail(`cannot download VS Code ${VERSION} from https://${HOST} into ${CACHE} (${e.message}); ${CI_NOTE}`);
  }
}

async function main() {
  const { downloadAndUnzipVSCode, runTests } = await import('@vscode/test-electron');
  const executable = await downloadVsCode(downloadAndUnzipVSCode);
  ensureDisplay();
  // The extension runs from dist/ (package.json "main"), the language server too.
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) fail('npm run build failed');
  const work = join(ROOT, '.cache', 'electron');
  mkdirSync(work, { recursive: true });
  // The suite runs inside the extension host, which loads JavaScript only.
  const { build: esbuild } = await import('esbuild');
  const suite = join(work, 'suite.js');
  await esbuild({ entryPoints: [join(ROOT, 'test/editor/electron/suite.ts')], outfile: suite, bundle: true, platform: 'node', format: 'cjs', external: ['vscode'], logLevel: 'warning' });
  // A copy of the workspace: the checks open and may edit files.
  const folder = mkdtempSync(join(tmpdir(), 'openelb-electron-'));
  cpSync(join(ROOT, 'test/editor/electron/workspace'), folder, { recursive: true });
  let code;
  try {
    code = await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: suite,
      launchArgs: [folder, '--disable-extensions', '--disable-workspace-trust',
        `--user-data-dir=${join(work, 'user-data')}`, `--extensions-dir=${join(work, 'extensions')}`],
    });
  } catch (e) {
    code = `not run: ${e.message ?? e}`;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  if (code !== 0) fail(`the in-editor checks failed (VS Code: ${typeof code === 'number' ? `exit code ${code}` : code}); the lines above say which`);
  console.log('test:electron: all in-editor checks passed in desktop VS Code');
}

main().catch((e) => fail(e.stack ?? String(e)));
