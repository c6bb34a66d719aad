// Rules and features read only our tree (server/core/src/model/ast.ts): the lint configuration
// refuses an import of the `yaml` library anywhere in server/core/src but the two parsers.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = join(import.meta.dirname, '..', '..');
const IMPORTS = "import type { Node } from 'yaml';\nimport { isMap } from 'yaml';\nexport const f = (n: Node) => isMap(n);\n";

async function refusals(file: string): Promise<number> {
  const [result] = await new ESLint({ cwd: ROOT }).lintText(IMPORTS, { filePath: join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').length;
}

test('eslint refuses the yaml library in rules, features and model helpers', async () => {
  for (const file of ['server/core/src/rules/eipAddress.ts', 'server/core/src/features/hover.ts', 'server/core/src/model/resource.ts']) {
    assert.equal(await refusals(file), 2, file);
  }
});

test('the parsers may import it', async () => {
  for (const file of ['server/core/src/model/fastParse.ts', 'server/core/src/model/libraryParse.ts']) {
    assert.equal(await refusals(file), 0, file);
  }
});
