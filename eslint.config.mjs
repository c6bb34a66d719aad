// One lint config for the whole repository. The import boundaries below are the architecture:
// test/unit/boundaries.test.ts shows each one refusing a violation.
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import tseslint from 'typescript-eslint';

const CORE = 'server/core/src/**/*.ts';
const PARSERS = ['server/core/src/model/fastParse.ts', 'server/core/src/model/libraryParse.ts', 'server/core/src/checkObject.ts'];
const PRODUCT = ['server/**/*.ts', 'client/**/*.ts', 'runtime/**/*.ts'];

const noTestCode = {
  group: ['**/test/**', '**/bench/**', '**/scripts/**'],
  message: 'product code never imports test, bench or script code; move what both need into the product tree',
};

// The core runs in the language server, the extension host, the CLI and the runtime alike, so it
// may use nothing but the language: no Node, no editor, no connection, no Kubernetes client.
const corePaths = builtinModules.map((name) => ({ name, message: 'the core is pure: no Node modules; take what you need as a parameter' }));
const corePatterns = [
  { group: ['node:*'], message: 'the core is pure: no Node modules; take what you need as a parameter' },
  // vscode-languageserver-types is plain data (ranges, diagnostics), the LSP's vocabulary; the
  // rest of the vscode-* family is the editor or the connection.
  { group: ['vscode', 'vscode-*', '!vscode-languageserver-types', '@vscode/*'], message: 'the core knows no editor or LSP connection; wire it in server/src or client/src' },
  { group: ['@kubernetes/*'], message: 'the core knows no Kubernetes client; cluster I/O lives in runtime/src/kube' },
  { group: ['**/runtime/**', '**/client/**', '**/server/src/**'], message: 'the core imports nothing above it' },
  { group: ['@openelb/core/*'], message: 'inside the core, import core files by relative path' },
  noTestCode,
];
const yamlPath = { name: 'yaml', message: 'read the tree of server/core/src/model/ast.ts; only fastParse.ts and libraryParse.ts parse with the yaml library' };
const yamlPattern = { group: ['yaml/*'], message: 'only fastParse.ts and libraryParse.ts use the yaml library' };

// A relative import is only a string to no-restricted-imports, so whether it leaves the core
// (`../../src/lsp/server` from server/core/src/rules) is decided by resolving it.
const CORE_ROOT = resolve(import.meta.dirname, 'server/core/src');
const stayInside = {
  meta: { type: 'problem', schema: [], messages: { escapes: "'{{source}}' leaves server/core/src: the core imports nothing above it" } },
  create(context) {
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = resolve(dirname(context.filename), source);
      if (relative(CORE_ROOT, target).startsWith('..')) context.report({ node: node.source, messageId: 'escapes', data: { source } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};
const openelb = { rules: { 'core-stays-inside': stayInside } };

const restrict = (paths, patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }] });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'runtime/native/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  { files: PRODUCT, rules: restrict([], [noTestCode]) },
  {
    files: ['runtime/**/*.ts'],
    rules: restrict([], [
      { group: ['**/client/**', 'vscode', 'vscode-*'], message: 'the runtime runs in pods without an editor: it never imports client code or vscode' },
      noTestCode,
    ]),
  },
  // Rules, features and helpers read our own tree (model/ast.ts); only the parsers know `yaml`.
  { files: [CORE], ignores: PARSERS, rules: restrict([...corePaths, yamlPath], [...corePatterns, yamlPattern]) },
  { files: PARSERS, rules: restrict(corePaths, corePatterns) },
  { files: [CORE], plugins: { openelb }, rules: { 'openelb/core-stays-inside': 'error' } },
  // The gossip membership protocol is a pure state machine (time and datagrams in, datagrams out),
  // tested in virtual time; only the socket and the HMAC touch Node.
  {
    files: ['runtime/src/speaker/membership/*.ts'],
    ignores: ['runtime/src/speaker/membership/gossipNode.ts', 'runtime/src/speaker/membership/hmacSeal.ts'],
    rules: restrict(corePaths, [
      { group: ['node:*'], message: 'the membership protocol is pure: sockets, timers and crypto belong in gossipNode.ts and hmacSeal.ts' },
      { group: ['@kubernetes/*'], message: 'the membership protocol knows no Kubernetes client; setPeers() takes the view' },
      noTestCode,
    ]),
  },
);
