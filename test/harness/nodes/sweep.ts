// Tears down node-tier runs whose test process is gone: run by scripts/test.mjs after the node
// tier failed or overran its time, so the machine is left as found even then.
import { staleRuns } from './runState';
import { leftovers, teardownRun } from './teardown';

async function main(): Promise<void> {
  for (const s of staleRuns()) {
    console.error(`node tier: tearing down the run ${s.prefix} left by process ${s.pid}`);
    await teardownRun(s, (m) => console.error(`  ${m}`));
    for (const l of leftovers(s)) console.error(`  still there: ${l}`);
  }
}

void main();
