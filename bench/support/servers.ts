// The two language servers under test and how to start and configure each.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
// @ts-expect-error: a plain .mjs module shared with scripts/build.mjs
import { common as commonOptions } from '../../scripts/esbuildOptions.mjs';

const common = commonOptions as BuildOptions;

export interface ServerSpec {
  name: 'ours' | 'yaml-ls';
  label: string;
  command: string;
  args: string[];
  initializationOptions: unknown;
  /** Sent with workspace/didChangeConfiguration and returned for workspace/configuration. */
  settings?: Record<string, unknown>;
  /** The server echoes the document version in publishDiagnostics. */
  versioned: boolean;
  /** A delay the server always waits before validating, that no setting can lower. */
  fixedDelayMs: number;
}

const ROOT = resolve(__dirname, '..', '..');

/**
 * Our server, bundled from the current source into `dir` (so the bench measures what is in the
 * tree, not a stale dist/). With BENCH_USE_DIST=1 the existing dist/ bundle is used instead, with
 * BENCH_OUR_SERVER=PATH that bundle (an older build, for before/after figures).
 */
export async function ourServer(dir: string): Promise<ServerSpec> {
  let script = process.env.BENCH_OUR_SERVER ?? join(ROOT, 'dist/openelb-language-server.js');
  if (process.env.BENCH_OUR_SERVER) {
    if (!existsSync(script)) throw new Error(`BENCH_OUR_SERVER=${script} is missing`);
  } else if (process.env.BENCH_USE_DIST !== '1') {
    script = join(dir, 'openelb-language-server.js');
    await build({ ...common, ...(process.env.BENCH_PROFILE ? { minify: false, minifySyntax: true, minifyWhitespace: true } : {}), entryPoints: [join(ROOT, 'server/src/lsp/main.ts')], outfile: script });
  } else if (!existsSync(script)) {
    throw new Error(`BENCH_USE_DIST=1 but ${script} is missing: run npm run build`);
  }
  return {
    name: 'ours', label: 'openelb-language-server', command: process.execPath, args: [...extraNodeArgs('ours'), script, '--stdio'],
    initializationOptions: { pullDiagnostics: false, debounceMs: 0 }, versioned: true, fixedDelayMs: 0,
  };
}

/** yaml-language-server from node_modules, validating `glob` files against the schema at `schemaPath`. */
export function yamlServer(schemaPath: string, glob: string): ServerSpec {
  const bin = join(ROOT, 'node_modules/yaml-language-server/bin/yaml-language-server');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm install`);
  const yaml = {
    validate: true,
    schemas: { [pathToFileURL(schemaPath).toString()]: glob },
    schemaStore: { enable: false, url: '' }, // never fetch the public schema catalogue
    hover: false, completion: false, format: { enable: false },
  };
  return {
    name: 'yaml-ls', label: 'yaml-language-server 1.19.2', command: process.execPath, args: [...extraNodeArgs('yaml-ls'), bin, '--stdio'],
    initializationOptions: {}, settings: { yaml, http: {}, '[yaml]': {}, editor: {}, files: {} }, versioned: false,
    // yaml-language-server debounces validation by a hard-coded 200 ms (yamlSettings.validationDelayMs).
    fixedDelayMs: 200,
  };
}

/** BENCH_PROFILE=ours|yaml-ls starts that server under `node --cpu-prof` (profiles land in BENCH_PROFILE_DIR or cwd);
 * our bundle then keeps its function names. */
function extraNodeArgs(name: string): string[] {
  if (process.env.BENCH_PROFILE !== name) return [];
  return ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR ?? process.cwd()}`];
}
