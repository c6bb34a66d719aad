// `npm run bench:faults`: the runtime under faults and hostile input, one part after another,
// each its own process (they need different things: the node cluster, network namespaces, none):
//   apiOutage  addresses withdrawn and probes lost while the API server is stopped for 30 s
//   bgpMemory  speaker RSS under a peer sending 1,000,000 prefixes and under a peer that never reads
//   lintScale  `openelb lint` and the language server on 1,000-20,000 Eips
// `npm run bench:faults -- bgpMemory` runs some.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const PARTS: Record<string, string> = {
  apiOutage: 'faults/apiOutage.ts',
  bgpMemory: 'faults/bgpMemory.ts',
  lintScale: 'lintScale.ts',
};

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(PARTS);
const results: [string, string][] = [];
for (const name of wanted) {
  const file = PARTS[name];
  if (!file) { console.error(`unknown part ${name}; parts: ${Object.keys(PARTS).join(', ')}`); process.exit(2); }
  console.log(`\n## ${name}\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, file)], { stdio: 'inherit' });
  results.push([name, r.status === 0 ? 'done' : `failed (exit ${r.status ?? r.signal})`]);
}
console.log('\npart        result');
for (const [name, result] of results) console.log(`${name.padEnd(11)} ${result}`);
process.exitCode = results.every(([, r]) => r === 'done') ? 0 : 1;
