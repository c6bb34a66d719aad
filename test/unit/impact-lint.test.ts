// `openelb lint --cluster` without a server: the cluster read is injected, so the argument rules,
// the rows and the impact summary are checked here; test/cluster/lintCluster.test.ts reads a real one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { lint } from '../../server/src/cli/lint';
import type { ClusterFacts } from '../../server/src/cli/lintCluster';

const dir = mkdtempSync(join(tmpdir(), 'openelb-impact-lint-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'pools.yaml');
writeFileSync(file, 'apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: pool-a\nspec:\n  address: 10.0.0.0/30\n');
const FACTS: ClusterFacts = {
  context: 'lab', nodes: [],
  eips: [{ name: 'pool-a', address: '10.0.0.0/29', isDefault: false, source: 'cluster' }],
  services: [{ namespace: 'shop', name: 'api', ip: '10.0.0.6', eip: 'pool-a' }],
};

async function run(args: string[], read: () => Promise<ClusterFacts> = () => Promise.resolve(FACTS)) {
  const out: string[] = [];
  const err: string[] = [];
  const seen: { kubeconfig?: string; context?: string }[] = [];
  const code = await lint(args, (s) => out.push(s), (s) => err.push(s), (src) => { seen.push(src); return read(); });
  return { code, out, err, seen };
}

describe('openelb lint --cluster', () => {
  it('passes --kubeconfig/--context on, prints the row and the summary', async () => {
    const r = await run(['--cluster', '--kubeconfig', '/k', '--context=lab', file]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(r.seen, [{ kubeconfig: '/k', context: 'lab' }]);
    assert.match(r.out[0], /pools\.yaml:6:12 warning eip-removes-used-addresses Shrinking Eip pool-a from 10\.0\.0\.0\/29 to 10\.0\.0\.0\/30 .*10\.0\.0\.6 \(shop\/api\) lose them.*\(cluster lab\)\.$/);
    assert.equal(r.out[1], 'Impact on the cluster: 1 Service affected, 1 address in use freed, no pool becomes full.');
  });

  it('without --cluster nothing is read and no summary is printed', async () => {
    const r = await run([file]);
    assert.deepEqual([r.code, r.out, r.seen], [0, [], []]);
  });

  it('usage errors: kubeconfig flags without --cluster, a flag without its value', async () => {
    for (const [args, msg] of [[['--kubeconfig', '/k', file], /--kubeconfig and --context go with --cluster/], [['--cluster', file, '--context'], /--context needs a value/]] as const) {
      const r = await run([...args]);
      assert.equal(r.code, 2);
      assert.match(r.err.join('\n'), msg);
      assert.deepEqual(r.seen, []);
    }
  });

  it('a cluster that cannot be read: exit 1 and the reason', async () => {
    const r = await run(['--cluster', file], () => Promise.reject(new Error('list eips.network.kubesphere.io: connect ECONNREFUSED 127.0.0.1:6443')));
    assert.equal(r.code, 1);
    assert.deepEqual(r.err, ['openelb lint: cannot read the cluster: list eips.network.kubesphere.io: connect ECONNREFUSED 127.0.0.1:6443']);
  });
});
