// The TextMate injection grammar, tokenized by the same engine and YAML grammar VS Code uses
// (vscode-textmate + vscode-oniguruma + the built-in YAML grammars, from the code-server install).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { CACHE } from '../harness/codeServer/codeServer';

const VSCODE = join(CACHE, 'code-server', 'node_modules', 'code-server', 'lib', 'vscode');
const YAML_SYNTAXES = join(VSCODE, 'extensions', 'yaml', 'syntaxes');
const OURS = resolve(__dirname, '../../syntaxes/openelb.injection.tmLanguage.json');

interface Token { startIndex: number; endIndex: number; scopes: string[] }
interface Grammar { tokenizeLine(line: string, state: unknown): { tokens: Token[]; ruleStack: unknown } }

// The two engines come from code-server's copy of VS Code, so only the parts used are typed here.
interface TextMate {
  INITIAL: unknown;
  parseRawGrammar(text: string, path: string): unknown;
  Registry: new (o: Record<string, unknown>) => { loadGrammar(scope: string): Promise<Grammar | null> };
}
interface Oniguruma {
  loadWASM(data: ArrayBuffer): Promise<void>;
  OnigScanner: new (patterns: string[]) => unknown;
  OnigString: new (s: string) => unknown;
}

let grammar: Grammar;
let INITIAL: unknown;

/** Scopes of the token covering `text` in `line` (first occurrence). */
function scopesOf(line: string, text: string): string[] {
  const at = line.indexOf(text);
  const { tokens } = grammar.tokenizeLine(line, INITIAL);
  const t = tokens.find((x) => x.startIndex <= at && x.endIndex > at);
  return t?.scopes ?? [];
}

describe('OpenELB injection grammar', () => {
  before(async () => {
    if (!existsSync(YAML_SYNTAXES)) throw new Error(`needs code-server's built-in YAML grammar: run test/harness/codeServer/install-code-server.sh (${YAML_SYNTAXES})`);
    const load = createRequire(join(VSCODE, 'package.json'));
    const tm = load('vscode-textmate') as TextMate;
    const onig = load('vscode-oniguruma') as Oniguruma;
    await onig.loadWASM(readFileSync(join(VSCODE, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm')).buffer);
    const files: Record<string, string> = {
      'source.yaml': join(YAML_SYNTAXES, 'yaml.tmLanguage.json'),
      'openelb.injection': OURS,
    };
    for (const v of ['1.0', '1.1', '1.2', '1.3']) files[`source.yaml.${v}`] = join(YAML_SYNTAXES, `yaml-${v}.tmLanguage.json`);
    files['source.yaml.embedded'] = join(YAML_SYNTAXES, 'yaml-embedded.tmLanguage.json');
    const registry = new tm.Registry({
      onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new onig.OnigScanner(p), createOnigString: (s: string) => new onig.OnigString(s) }),
      loadGrammar: async (scope: string) => (files[scope] ? tm.parseRawGrammar(readFileSync(files[scope], 'utf8'), files[scope]) : null),
      getInjections: (scope: string) => (scope === 'source.yaml' ? ['openelb.injection'] : undefined),
    });
    const g = await registry.loadGrammar('source.yaml');
    assert.ok(g, 'the YAML grammar loads');
    grammar = g as Grammar;
    INITIAL = tm.INITIAL;
  });

  it('marks OpenELB annotation keys', () => {
    const line = '    eip.openelb.kubesphere.io/v1alpha2: eip-layer2';
    assert.ok(scopesOf(line, 'eip.openelb').some((s) => s.includes('openelb-annotation')), scopesOf(line, 'eip.openelb').join(' '));
    assert.ok(scopesOf('    lb.kubesphere.io/v1alpha1: openelb', 'lb.kube').some((s) => s.includes('openelb-annotation')));
    assert.ok(!scopesOf('    app.kubernetes.io/name: x', 'app.').some((s) => s.includes('openelb')), 'other annotations are left alone');
  });

  it('marks IPs, ranges and CIDRs, in plain and quoted values', () => {
    for (const [line, text] of [
      ['  address: 192.168.0.91-192.168.0.100', '192.168.0.91'],
      ['  address: 192.168.0.91-192.168.0.100', '192.168.0.100'],
      ['  address: 172.22.0.0/28', '/28'],
      ['  address: "2001:db8::/120"', '2001:db8'],
      ['  neighborAddress: 192.168.0.2', '192.168.0.2'],
    ]) {
      const scopes = scopesOf(line, text);
      assert.ok(scopes.some((s) => s.endsWith('.openelb')), `${text} in "${line}": ${scopes.join(' ')}`);
    }
    assert.ok(!scopesOf('  version: 1.2.3', '1.2.3').some((s) => s.endsWith('.openelb')), 'a version is not an IP');
    assert.ok(!scopesOf('# 192.168.0.1 in a comment', '192').some((s) => s.endsWith('.openelb')), 'comments are left alone');
  });
});
