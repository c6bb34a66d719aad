// The `openelb lint` CLI, run as a process: text and JSON output, 1-based positions, exit codes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI_JS, ensureBuilt } from '../harness/support/lspClient';
import { layer2Eip, MISTAKES, MISTAKES_EXPECTED, VALID } from './samples';

interface Run { status: number | null; stdout: string; stderr: string }

function lint(args: string[], input?: string): Run {
  const r = spawnSync(process.execPath, [CLI_JS, 'lint', ...args], { cwd: dir, encoding: 'utf8', input, timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
const WARN_ONLY = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    lb.kubesphere.io/v1alpha1: openelb\n    eip.openelb.kubesphere.io/v1alpha2: nowhere\nspec:\n  type: LoadBalancer\n';
const LINE_RE = /^(.+):(\d+):(\d+) (error|warning|information|hint) ([a-z0-9-]+) (.+)$/;

before(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'openelb-lint-'));
  writeFileSync(join(dir, 'mistakes.yaml'), MISTAKES);
  writeFileSync(join(dir, 'valid.yaml'), VALID);
  writeFileSync(join(dir, 'warn.yaml'), WARN_ONLY);
  writeFileSync(join(dir, 'a.yaml'), layer2Eip('a', '10.1.0.0/24'));
  writeFileSync(join(dir, 'b.yaml'), layer2Eip('b', '10.1.0.200-10.1.1.10'));
  writeFileSync(join(dir, 'secret.yaml'), VALID);
  chmodSync(join(dir, 'secret.yaml'), 0o000);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('openelb lint', () => {
  test('text format: file:line:col severity code message, 1-based, exit 1 on errors', () => {
    const r = lint(['mistakes.yaml']);
    assert.equal(r.status, 1, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'mistakes.yaml:6:12 error eip-address-range-reversed the range is reversed: 192.168.0.10 comes before 192.168.0.20; write 192.168.0.10-192.168.0.20');
    const rows = lines.map((l) => {
      const m = LINE_RE.exec(l);
      assert.ok(m, `line in the documented format: ${l}`);
      return { file: m[1], code: m[5], severity: m[4] === 'error' ? 1 : 2, line: Number(m[2]) - 1, character: Number(m[3]) - 1 };
    });
    assert.deepEqual(rows.sort((a, b) => a.line - b.line || a.character - b.character).map((x) => [x.code, x.severity, x.line, x.character]),
      MISTAKES_EXPECTED.map((e) => e.slice(0, 4)));
    assert.ok(rows.every((x) => x.file === 'mistakes.yaml'), 'the file as given on the command line');
  });

  test('json format: an array of {file,line,column,endLine,endColumn,severity,code,message}', () => {
    const r = lint(['--format', 'json', 'mistakes.yaml']);
    assert.equal(r.status, 1);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.ok(Array.isArray(rows));
    for (const row of rows) assert.deepEqual(Object.keys(row).sort(), ['code', 'column', 'endColumn', 'endLine', 'file', 'line', 'message', 'severity']);
    const got = rows.map((x) => [x.code, x.severity === 'error' ? 1 : 2, x.line, x.column, x.endLine, x.endColumn])
      .sort((a, b) => (a[2] as number) - (b[2] as number) || (a[3] as number) - (b[3] as number));
    assert.deepEqual(got, MISTAKES_EXPECTED.map(([code, sev, l1, c1, l2, c2]) => [code, sev, l1 + 1, c1 + 1, l2 + 1, c2 + 1]));
    assert.equal(lint(['--format=json', 'valid.yaml']).stdout.trim(), '[]');
  });

  test('exit 0 on a clean file (no output) and on warnings only', () => {
    const clean = lint(['valid.yaml']);
    assert.deepEqual([clean.status, clean.stdout], [0, '']);
    const warn = lint(['warn.yaml']);
    assert.equal(warn.status, 0);
    assert.match(warn.stdout, /^warn\.yaml:7:41 warning service-unknown-eip no Eip named 'nowhere'/);
  });

  test('files are checked together: an overlap across two files is reported in both', () => {
    const r = lint(['--format', 'json', 'a.yaml', 'b.yaml']);
    assert.equal(r.status, 1);
    const rows = JSON.parse(r.stdout) as { file: string; code: string; line: number; column: number; message: string }[];
    assert.deepEqual(rows.map((x) => [x.file, x.code, x.line, x.column]).sort(), [['a.yaml', 'eip-overlap', 6, 12], ['b.yaml', 'eip-overlap', 6, 12]]);
    assert.match(rows.find((x) => x.file === 'a.yaml')!.message, /'b' \(10\.1\.0\.200-10\.1\.1\.10, in b\.yaml; shared: 10\.1\.0\.200-10\.1\.0\.255\)/);
    assert.equal(lint(['a.yaml']).status, 0, 'alone, a.yaml is clean');
  });

  test("'-' reads standard input", () => {
    const r = lint(['-'], MISTAKES);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^-:6:12 error eip-address-range-reversed /);
  });

  test('exit 2 on usage errors, with a message on stderr and nothing on stdout', () => {
    const cases: [string[], RegExp][] = [
      [[], /no files/],
      [['--format', 'xml', 'valid.yaml'], /--format must be text or json/],
      [['--format'], /--format must be text or json/],
      [['--frobnicate', 'valid.yaml'], /unknown option --frobnicate/],
      [['missing.yaml'], /cannot read missing\.yaml: ENOENT/],
      [['.'], /cannot read \.: EISDIR/],
    ];
    if (process.getuid?.() !== 0) cases.push([['secret.yaml'], /cannot read secret\.yaml: EACCES/]); // root reads anything
    for (const [args, message] of cases) {
      const r = lint(args);
      assert.equal(r.status, 2, `exit 2 for lint ${args.join(' ')}; got ${r.status}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
  });
});
