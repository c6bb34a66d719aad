// For machines that CAN download VS Code (not this CI): runs a small in-editor suite in the
// desktop VS Code that @vscode/test-electron downloads, as an alternative to the code-server
// tests in ../vscode.test.ts. Not run here (no access to update.code.visualstudio.com).
//
//   npm install --no-save @vscode/test-electron@2
//   npm run build
//   node --import tsx test/editor/electron/runElectron.ts
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

async function main(): Promise<void> {
  const repo = resolve(__dirname, '../../..');
  const out = mkdtempSync(join(tmpdir(), 'openelb-electron-'));
  // The suite runs inside the extension host, which loads JavaScript only.
  await build({ entryPoints: [join(__dirname, 'suite.ts')], outfile: join(out, 'suite.js'), bundle: true, platform: 'node', format: 'cjs', external: ['vscode'] });
  const name = '@vscode/test-electron';
  const { runTests } = (await import(name)) as { runTests(o: Record<string, unknown>): Promise<number> };
  const code = await runTests({
    extensionDevelopmentPath: repo,
    extensionTestsPath: join(out, 'suite.js'),
    launchArgs: [join(repo, 'examples'), '--disable-extensions', '--disable-workspace-trust'],
  });
  process.exit(code);
}

main().catch((e) => { console.error(e); process.exit(1); });
