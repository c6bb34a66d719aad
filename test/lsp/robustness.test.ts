// Bad input through the real server: every request is answered, the process stays up, and no
// handler fails (the server logs a caught failure as an error; we count those too).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { ensureBuilt, LspClient, positionOf, PUSH_CAPABILITIES } from '../harness/support/lspClient';
import { layer2Eip, MISTAKES, MISTAKES_EXPECTED, VALID } from './samples';

const HEAD = 'apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: x\n';

/** Deterministic junk: every UTF-16 code unit, NUL and lone surrogates included. */
function junk(length: number): string {
  let s = '';
  let x = 12345;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += String.fromCharCode(x >>> 16);
  }
  return s;
}

/** Billion laughs: 9 levels of 9 aliases each = 9^9 strings if anyone expands them. */
function aliasBomb(): string {
  const levels = Array.from({ length: 9 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`);
  return `${HEAD}a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n${levels.join('\n')}\nspec:\n  address: *a9\n  nodeSelector: *a9\n  namespaces: *a9\n`;
}

interface Outcome {
  client: LspClient;
  diags: Diagnostic[];
}

/**
 * Opens `text` in a fresh server, asks for a hover immediately (before any diagnostics), waits for
 * the diagnostics, then sends every other request; asserts each is answered and the server lives.
 */
async function survive(name: string, text: string, timeoutMs = 30_000): Promise<Outcome> {
  const client = LspClient.start();
  const uri = `file:///work/bad-${name}.yaml`;
  try {
    await client.initialize(PUSH_CAPABILITIES, { initializationOptions: { debounceMs: 0 } });
    client.open(uri, text);
    const early = client.hover(uri, { line: 0, character: 1 });
    const diags = await client.waitForCurrentDiagnostics(uri, () => true, timeoutMs);
    await early;
    const mid = { line: 2, character: 3 };
    const far = { line: 1_000_000, character: 1_000_000 };
    const everywhere = { start: { line: 0, character: 0 }, end: far };
    await Promise.all([
      client.hover(uri, mid), client.hover(uri, far),
      client.completion(uri, mid), client.completion(uri, far),
      client.codeActions(uri, everywhere), client.symbols(uri), client.inlayHints(uri, everywhere),
    ].map((p) => p.then(() => undefined)));
    for (const d of diags) assert.equal(d.source, 'openelb');
    assert.ok(client.alive, `the server is still running after ${name}`);
    assert.deepEqual(client.loggedErrors, [], `no handler failed on ${name}`);
    return { client, diags };
  } catch (e) {
    client.kill();
    throw e;
  }
}

/** Survives, then shuts down cleanly; returns the diagnostics. */
async function check(name: string, text: string, timeoutMs?: number): Promise<Diagnostic[]> {
  const { client, diags } = await survive(name, text, timeoutMs);
  assert.equal(await client.shutdown(), 0, `clean exit after ${name}\n${client.stderr}`);
  return diags;
}

const tuples = (diags: Diagnostic[]) => diags
  .map((d) => [String(d.code), d.severity ?? 0, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character])
  .sort((a, b) => (a[2] as number) - (b[2] as number) || (a[3] as number) - (b[3] as number) || String(a[0]).localeCompare(String(b[0])));

before(() => ensureBuilt());

describe('bad input', () => {
  test('a huge file: 10,000 Eip documents', async () => {
    const text = Array.from({ length: 10_000 }, (_, i) => layer2Eip(`e${i}`, `10.${i >> 8}.${i & 255}.0/24`)).join('---\n');
    const { client, diags } = await survive('huge', text, 60_000);
    assert.deepEqual(diags, [], 'ten thousand disjoint pools: clean');
    const uri = 'file:///work/bad-huge.yaml';
    assert.equal((await client.symbols(uri)).length, 10_000);
    const h = await client.hover(uri, positionOf(text, '10.39.15.0/24', 0, 2));
    assert.match(JSON.stringify(h?.contents), /\*\*256\*\* addresses/);
    await client.shutdown();
  });

  test('binary junk, alone and after an OpenELB header', async () => {
    await check('junk', junk(200_000));
    await check('junk-eip', `${HEAD}spec:\n  address: ${junk(50_000)}\n${junk(50_000)}`);
  });

  test('deeply nested flow collections (100,000 [ and 50,000 {)', async () => {
    const seq = await check('nested-seq', `${HEAD}spec: ${'['.repeat(100_000)}`);
    assert.ok(seq.some((d) => d.code === 'yaml-syntax'), 'reported as a syntax error');
    const map = await check('nested-map', `${HEAD}spec: ${'{a: '.repeat(50_000)}`);
    assert.ok(map.some((d) => d.code === 'yaml-syntax'));
    // 1,900 block levels, one more space each: 1.8 MB, mostly long runs of spaces.
    await check('nested-block', `${HEAD}spec:\n${Array.from({ length: 1900 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')}\n`);
  });

  test('an alias bomb (billion laughs) is not expanded', async () => {
    const diags = await check('bomb', aliasBomb(), 10_000);
    assert.ok(diags.length < 100, `a bounded number of diagnostics, got ${diags.length}`);
  });

  test('tabs used as indentation: syntax errors at the tabs', async () => {
    const diags = await check('tabs', `${HEAD.replace('  name', '\tname')}spec:\n\taddress: 10.0.0.1\n`);
    assert.deepEqual(diags.filter((d) => d.code === 'yaml-syntax').map((d) => [d.range.start.line, d.range.start.character]), [[3, 0], [5, 0]]);
  });

  test('CRLF line ends: the same positions as LF', async () => {
    assert.deepEqual(tuples(await check('crlf', MISTAKES.replace(/\n/g, '\r\n'))), MISTAKES_EXPECTED);
  });

  test('a byte order mark: the same positions', async () => {
    assert.deepEqual(tuples(await check('bom', `\uFEFF${MISTAKES}`)), MISTAKES_EXPECTED);
  });

  test('long runs of whitespace (no regex backtracking): completion and symbols stay fast', async () => {
    const spaces = ' '.repeat(200_000);
    const text = `${HEAD}spec:\n  a${spaces}b\n  address: ${spaces}x${spaces}# c\n${spaces}\n  \n`;
    const { client } = await survive('spaces', text, 10_000);
    const uri = 'file:///work/bad-spaces.yaml';
    // Each position below made the server spin for minutes when a regex backtracked over the spaces.
    for (const position of [{ line: 5, character: 100_000 }, { line: 6, character: 150_000 }, { line: 8, character: 2 }, { line: 7, character: 5 }]) {
      await client.completion(uri, position);
    }
    await client.symbols(uri);
    assert.equal(await client.shutdown(), 0);
  });

  test('empty documents and empty files', async () => {
    assert.deepEqual(await check('empty-docs', `---\n---\n\n---\n${VALID}---\n---\n`), []);
    assert.deepEqual(await check('empty', ''), []);
    assert.deepEqual(await check('only-separators', '---\n...\n---\n'), []);
  });

  test('a 5 MB single line', async () => {
    const labels = Array.from({ length: 460_000 }, (_, i) => `k${i}: v`).join(', ');
    const text = `${HEAD.replace('  name: x\n', '')}metadata: {name: x, labels: {${labels}}}\n`;
    assert.ok(text.length > 5_000_000);
    const diags = await check('long-line', text, 60_000);
    assert.ok(diags.length <= 1, 'at most one "too large" notice');
    await check('long-scalar', `${HEAD}spec:\n  address: ${'9'.repeat(5_000_000)}\n`, 60_000);
  });
});
