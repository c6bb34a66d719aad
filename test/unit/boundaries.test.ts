// The architecture's import boundaries are lint rules (eslint.config.mjs). Each is shown refusing
// a violation here, beside a legal import at the same place, so a rule that stops matching fails.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = join(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: ROOT });
const BOUNDARY_RULES = ['@typescript-eslint/no-restricted-imports', 'openelb/core-stays-inside'];

async function refusals(file: string, importLine: string): Promise<number> {
  const code = `${importLine}\nexport const used = x;\n`;
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return result.messages.filter((m) => BOUNDARY_RULES.includes(m.ruleId ?? '')).length;
}

const CORE_FILE = 'server/core/src/rules/eipAddress.ts';

const refused: Array<[string, string, string]> = [
  ['core imports a Node module', CORE_FILE, "import { x } from 'node:fs';"],
  ['core imports a Node module without the prefix', CORE_FILE, "import { x } from 'fs';"],
  ['core imports a Node subpath module', CORE_FILE, "import { x } from 'fs/promises';"],
  ['core imports vscode', CORE_FILE, "import { x } from 'vscode';"],
  ['core imports the LSP connection', CORE_FILE, "import { x } from 'vscode-languageserver/node';"],
  ['core imports the Kubernetes client', CORE_FILE, "import { x } from '@kubernetes/client-node';"],
  ['core imports runtime code', CORE_FILE, "import { x } from '../../../../runtime/src/kube/errors';"],
  ['core imports the LSP wiring', CORE_FILE, "import { x } from '../../../src/lsp/server';"],
  ['core imports itself by package name', CORE_FILE, "import { x } from '@openelb/core/address/ip';"],
  ['core imports test code', CORE_FILE, "import { x } from '../../../../test/harness/support/prng';"],
  ['a parser imports a Node module', 'server/core/src/model/fastParse.ts', "import { x } from 'node:util';"],
  ['runtime imports client code', 'runtime/src/speaker/runSpeaker.ts', "import { x } from '../../../client/src/extension';"],
  ['runtime imports vscode', 'runtime/src/ops/deploy.ts', "import { x } from 'vscode';"],
  ['runtime imports test code', 'runtime/src/ops/deploy.ts', "import { x } from '../../../test/harness/drivers/bgpMain';"],
  ['the extension imports test code', 'client/src/extension.ts', "import { x } from '../../test/harness/support/prng';"],
  ['the gossip protocol core imports a socket', 'runtime/src/speaker/membership/swim.ts', "import { x } from 'node:dgram';"],
  ['the language server imports bench code', 'server/src/lsp/server.ts', "import { x } from '../../../bench/schemas';"],
];

const allowed: Array<[string, string, string]> = [
  ['core imports core by relative path', CORE_FILE, "import { x } from '../address/ip';"],
  ['core imports LSP data types', CORE_FILE, "import { x } from 'vscode-languageserver-types';"],
  ['a parser imports yaml', 'server/core/src/model/fastParse.ts', "import { x } from 'yaml';"],
  ['runtime imports the core', 'runtime/src/ops/deploy.ts', "import { x } from '@openelb/core/address/ip';"],
  ['runtime imports Node', 'runtime/src/ops/deploy.ts', "import { x } from 'node:fs';"],
  ['the extension imports runtime code', 'client/src/extension.ts', "import { x } from '../../runtime/src/kube/errors';"],
  ['the gossip socket layer imports Node', 'runtime/src/speaker/membership/gossipNode.ts', "import { x } from 'node:dgram';"],
  ['tests import anything', 'test/unit/address.test.ts', "import { x } from '../../runtime/src/kube/errors';"],
];

for (const [name, file, line] of refused) {
  test(`refused: ${name}`, async () => assert.ok((await refusals(file, line)) >= 1, `${file}: ${line}`));
}
for (const [name, file, line] of allowed) {
  test(`allowed: ${name}`, async () => assert.equal(await refusals(file, line), 0, `${file}: ${line}`));
}
