// The editor's `eip-removes-used-addresses` warning: with cluster facts (as the extension sends
// them), an Eip edit that takes addresses in use out of the pool or disables a pool in use is
// flagged on spec.address / spec.disable, naming the Services; without facts, nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OpenElbLanguageService } from '@openelb/core/languageService';
import type { Facts } from '@openelb/core/model/facts';

const FACTS: NonNullable<Facts['cluster']> = {
  context: 'kind-lab',
  eips: [{ name: 'pool-a', address: '192.168.0.0/28', isDefault: false, source: 'cluster' }],
  nodes: [],
  services: [
    { namespace: 'default', name: 'web', ip: '192.168.0.2' },
    { namespace: 'shop', name: 'api', ip: '192.168.0.12', eip: 'pool-a' },
    { namespace: 'shop', name: 'cart', ip: '192.168.0.12', eip: 'pool-a' },
  ],
};

const file = (address: string, extra = ''): string =>
  `apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: pool-a\nspec:\n  address: ${address}\n  protocol: bgp\n${extra}`;

function impactDiagnostics(text: string, facts: Facts['cluster'] | null = FACTS) {
  const s = new OpenElbLanguageService();
  s.setClusterFacts(facts ?? undefined);
  return s.validate('file:///pools.yaml', text).filter((d) => d.code === 'eip-removes-used-addresses');
}

describe('eip-removes-used-addresses', () => {
  it('a shrunk range is flagged on spec.address, naming the Services and the addresses freed', () => {
    const [d, ...rest] = impactDiagnostics(file('192.168.0.0/29'));
    assert.equal(rest.length, 0);
    assert.equal(d.source, 'openelb');
    assert.equal(d.severity, 2);
    assert.deepEqual(d.range, { start: { line: 5, character: 11 }, end: { line: 5, character: 25 } });
    assert.match(d.message, /^Shrinking Eip pool-a from 192\.168\.0\.0\/28 to 192\.168\.0\.0\/29 takes 1 address in use out of the pool: 192\.168\.0\.12 \(shop\/api, shop\/cart\) lose them/);
    assert.match(d.message, /\(cluster kind-lab\)\.$/);
  });

  it('a changed address too; a quoted address is underlined with its quotes', () => {
    const [d] = impactDiagnostics(file('"10.0.0.1-10.0.0.9"'));
    assert.match(d.message, /^Changing Eip pool-a .* 192\.168\.0\.2 \(default\/web\), 192\.168\.0\.12 \(shop\/api, shop\/cart\) lose them/);
    assert.equal(d.range.start.line, 5);
  });

  it('disable: true is flagged on spec.disable, saying the Services keep their addresses', () => {
    const [d, ...rest] = impactDiagnostics(file('192.168.0.0/28', '  disable: true\n'));
    assert.equal(rest.length, 0);
    assert.deepEqual(d.range, { start: { line: 7, character: 11 }, end: { line: 7, character: 15 } });
    assert.match(d.message, /^Disabling Eip pool-a allocates nothing new from it; the 3 Services holding its 2 addresses in use keep them/);
  });

  it('nothing without cluster facts, for an unchanged Eip, or when the freed addresses are unused', () => {
    assert.deepEqual(impactDiagnostics(file('192.168.0.0/29'), null), []);
    assert.deepEqual(impactDiagnostics(file('192.168.0.0/28')), []);
    assert.deepEqual(impactDiagnostics(file('192.168.0.0/28', '  disable: false\n')), []);
    assert.deepEqual(impactDiagnostics(file('192.168.0.0-192.168.0.12')), []);
  });

  it('an Eip in use deleted from the file since it was opened is flagged on the first line; moved to another file, not', () => {
    const other = 'apiVersion: network.kubesphere.io/v1alpha2\nkind: Eip\nmetadata:\n  name: pool-z\nspec:\n  address: 10.9.0.0/24\n';
    const s = new OpenElbLanguageService();
    s.setClusterFacts(FACTS);
    s.indexWorkspaceFile('file:///pools.yaml', `${file('192.168.0.0/28')}---\n${other}`);
    const [d, ...rest] = s.validate('file:///pools.yaml', other).filter((x) => x.code === 'eip-removes-used-addresses');
    assert.equal(rest.length, 0);
    assert.deepEqual(d.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 42 } });
    assert.match(d.message, /^This file held Eip pool-a when opened and no longer does: deleting Eip pool-a \(192\.168\.0\.0\/28\) frees 2 addresses in use: .*upstream OpenELB allows the delete and leaves them a stale address/);
    // Moved to another workspace file: not a deletion.
    s.indexWorkspaceFile('file:///moved.yaml', file('192.168.0.0/28'));
    assert.deepEqual(s.validate('file:///pools.yaml', other).filter((x) => x.code === 'eip-removes-used-addresses'), []);
    // A new disk version (saved, pulled) is the new baseline.
    const fresh = new OpenElbLanguageService();
    fresh.setClusterFacts(FACTS);
    fresh.indexWorkspaceFile('file:///pools.yaml', `${file('192.168.0.0/28')}---\n${other}`);
    fresh.indexWorkspaceFile('file:///pools.yaml', other);
    assert.deepEqual(fresh.validate('file:///pools.yaml', other).filter((x) => x.code === 'eip-removes-used-addresses'), []);
  });
});
