// Neovim (headless, no user config) as an independent LSP client: it starts the server with its
// own LSP implementation, opens an Eip file with mistakes, and reports diagnostics, completion
// labels and a hover as JSON (see client.lua). Needs Debian's `neovim` (0.7 or later).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensureBuilt, positionOf, ROOT, SERVER_JS } from '../harness/support/lspClient';

const EIP_FILE = `apiVersion: network.kubesphere.io/v1alpha2
kind: Eip
metadata:
  name: reversed
spec:
  address: 192.168.0.20-192.168.0.10
  protocol: layer2
  adress: 1.2.3.4
---
apiVersion: network.kubesphere.io/v1alpha2
kind: Eip
metadata:
  name: second
spec:
  address: 10.0.0.0/28
  
`;

interface NvimDiagnostic { code: string; source: string; severity: number; message: string; lnum: number; col: number; end_lnum: number; end_col: number }
interface NvimResult { diagnostics?: NvimDiagnostic[]; completion?: string[]; hover?: string; error?: string }

let dir: string;

before(() => {
  const v = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  if (v.error || v.status !== 0) assert.fail(`nvim is not installed or does not run (${v.error?.message ?? v.stderr}); install Debian's neovim: apt-get install -y neovim`);
  const m = /NVIM v(\d+)\.(\d+)/.exec(v.stdout);
  assert.ok(m && (Number(m[1]) > 0 || Number(m[2]) >= 7), `Neovim 0.7 or later is needed for vim.lsp + vim.diagnostic; found: ${v.stdout.split('\n')[0]}`);
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'openelb-nvim-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('headless Neovim gets the diagnostics, completion and hover of the OpenELB server', { timeout: 60_000 }, () => {
  const file = join(dir, 'eip.yaml');
  const out = join(dir, 'result.json');
  writeFileSync(file, EIP_FILE);
  const hoverAt = positionOf(EIP_FILE, '10.0.0.0/28', 0, 3);
  const r = spawnSync('nvim', ['--headless', '--clean', '-u', 'NONE', '-c', `luafile ${join(ROOT, 'test', 'nvim', 'client.lua')}`], {
    cwd: dir, encoding: 'utf8', timeout: 45_000, killSignal: 'SIGKILL',
    env: {
      ...process.env, OPENELB_NODE: process.execPath, OPENELB_SERVER: SERVER_JS, OPENELB_FILE: file, OPENELB_OUT: out,
      OPENELB_LINE: '15', OPENELB_CHAR: '2', OPENELB_HOVER_LINE: String(hoverAt.line), OPENELB_HOVER_CHAR: String(hoverAt.character),
    },
  });
  assert.equal(r.error, undefined, `nvim failed to run: ${r.error?.message}`);
  assert.ok(existsSync(out), `nvim wrote no result (exit ${r.status})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  const result = JSON.parse(readFileSync(out, 'utf8')) as NvimResult;
  assert.equal(result.error, undefined, `the Lua client failed: ${result.error}`);

  const diags = (result.diagnostics ?? []).map((d) => [d.code, d.severity, d.lnum, d.col, d.end_lnum, d.end_col]).sort((a, b) => (a[2] as number) - (b[2] as number));
  assert.deepEqual(diags, [
    ['eip-address-range-reversed', 1, 5, 11, 5, 36],
    ['eip-interface-required', 1, 6, 12, 6, 18],
    ['schema-unknown-field', 1, 7, 2, 7, 8],
  ]);
  assert.ok(result.diagnostics!.every((d) => d.source === 'openelb'));

  // Completion under spec: of the second Eip, which already has an address.
  const labels = result.completion ?? [];
  for (const l of ['protocol', 'interface', 'disable']) assert.ok(labels.includes(l), `${l} offered; got ${labels.join(', ')}`);
  assert.match(result.hover ?? '', /\*\*16\*\* addresses/);
  assert.match(result.hover ?? '', /last `10\.0\.0\.15`/);
});
