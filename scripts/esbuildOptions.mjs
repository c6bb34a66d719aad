// esbuild options shared by the build and the benchmark, so the benchmark measures what ships.
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export const common = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'linked', logLevel: 'warning', legalComments: 'none',
  // Minified, source maps beside: smaller vsix and runtime ConfigMap, faster start. (No keepNames:
  // it wraps every closure in a naming call, which costs ~5% in the parser's hot loops.)
  minify: true,
  // yaml's ES module build (the same code as its CommonJS one) lets esbuild hoist its functions into
  // the bundle instead of reaching each call through a CommonJS interop getter: measurably faster
  // in the parser's hot loops.
  alias: { yaml: `${root}node_modules/yaml/browser/index.js` },
};
