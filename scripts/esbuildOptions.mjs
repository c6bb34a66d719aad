// esbuild options shared by the build and the benchmark, so the benchmark measures what ships.
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export const common = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'linked', logLevel: 'warning', legalComments: 'none',
  // Minified (names kept for stack traces, source maps beside): smaller vsix and runtime ConfigMap, faster start.
  minify: true, keepNames: true,
  // yaml's ES module build (the same code as its CommonJS one) lets esbuild hoist its functions into
  // the bundle instead of reaching each call through a CommonJS interop getter: measurably faster
  // in the parser's hot loops.
  alias: { yaml: `${root}node_modules/yaml/browser/index.js` },
};
