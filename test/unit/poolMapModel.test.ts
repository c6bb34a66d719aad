// The pool map's model (client/src/views/poolMapModel.ts): the state of each address of an Eip
// from the watch cache, sent as runs. Pure, so no editor is needed.
//
//   node --import tsx --test test/unit/poolMapModel.test.ts
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../client/src/cluster/clusterState';
import { addressAt, computePoolMap, MAX_SHOWN, STATES, toView, type CellState, type PoolMapModel } from '../../client/src/views/poolMapModel';

function eip(address: string, spec: Record<string, unknown> = {}, used: Record<string, string> = {}): KObject {
  return { metadata: { name: 'pool' }, spec: { address, ...spec }, status: { used } };
}

function svc(name: string, opts: { ip?: string; ask?: string; pool?: string; served?: boolean } = {}): KObject {
  const annotations: Record<string, string> = {};
  if (opts.served !== false) annotations['lb.kubesphere.io/v1alpha1'] = 'openelb';
  if (opts.ask) annotations['eip.openelb.kubesphere.io/v1alpha1'] = opts.ask;
  if (opts.pool) annotations['eip.openelb.kubesphere.io/v1alpha2'] = opts.pool;
  return {
    metadata: { namespace: 'default', name, annotations },
    spec: { type: 'LoadBalancer' },
    status: { loadBalancer: { ingress: opts.ip ? [{ ip: opts.ip }] : [] } },
  };
}

function node(name: string, internalIP: string, interfaces?: { name: string; addresses: string[] }[]): KObject {
  return {
    metadata: { name, annotations: interfaces ? { 'openelb.kubesphere.io/interfaces': JSON.stringify(interfaces) } : {} },
    status: { addresses: [{ type: 'InternalIP', address: internalIP }] },
  };
}

/** The runs expanded to one state per drawn address (small pools only). */
function cells(m: PoolMapModel): CellState[] {
  const out: CellState[] = [];
  for (let i = 0; i < m.runs.length; i += 2) for (let k = 0; k < m.runs[i + 1]; k++) out.push(STATES[m.runs[i]]);
  return out;
}

describe('pool map model', () => {
  it('marks used, shared, requested and free addresses of a range', () => {
    const m = computePoolMap(
      eip('10.0.0.10-10.0.0.19', {}, { '10.0.0.10': 'default/a', '10.0.0.12': 'default/b;default/c', '10.9.9.9': 'default/z' }),
      [svc('a', { ip: '10.0.0.10' }), svc('d', { ask: '10.0.0.15' }), svc('e', { ask: '10.0.0.10' })],
      [],
    );
    assert.equal(m.size, 10n);
    assert.equal(m.shown, 10);
    assert.deepEqual(cells(m), ['used', 'free', 'shared', 'free', 'free', 'requested', 'free', 'free', 'free', 'free']);
    assert.deepEqual(m.counts, { free: 7n, used: 1n, shared: 1n, requested: 1n, reserved: 0n, outside: 0n });
    const at10 = m.marked.find((x) => x.offset === 0)!;
    assert.deepEqual(at10.holders, ['default/a']);
    assert.deepEqual(at10.requesters, ['default/e'], 'a Service asking for a held address waits for it');
    assert.deepEqual(m.marked.find((x) => x.offset === 2)!.holders, ['default/b', 'default/c']);
    assert.equal(addressAt(m, 5), '10.0.0.15');
  });

  it('counts a Service whose status holds an address before the Eip status lists it, unless it names another pool', () => {
    const m = computePoolMap(eip('10.0.0.0/30'), [svc('new', { ip: '10.0.0.1' }), svc('other', { ip: '10.0.0.2', pool: 'elsewhere' }), svc('plain', { ip: '10.0.0.3', served: false })], []);
    assert.deepEqual(cells(m), ['free', 'used', 'free', 'free']);
  });

  it('a Service in status.used and in its own status is one holder, not a share', () => {
    const m = computePoolMap(eip('10.0.0.0/30', {}, { '10.0.0.1': 'default/a' }), [svc('a', { ip: '10.0.0.1' })], []);
    assert.deepEqual(cells(m), ['free', 'used', 'free', 'free']);
  });

  it('reserves node addresses inside the pool unless usingKnownIPs is true', () => {
    const nodes = [node('n1', '10.0.0.2')];
    assert.deepEqual(cells(computePoolMap(eip('10.0.0.0/30'), [], nodes)), ['free', 'free', 'reserved', 'free']);
    const known = computePoolMap(eip('10.0.0.0/30', { usingKnownIPs: true }), [], nodes);
    assert.deepEqual(cells(known), ['free', 'free', 'free', 'free']);
    assert.deepEqual(known.marked[0].nodes, ['n1'], 'the hover still names the node');
  });

  it('marks addresses outside the layer2 interface subnet when the nodes publish their interfaces', () => {
    const nodes = [node('n1', '192.168.0.5', [{ name: 'eth0', addresses: ['192.168.0.5/30'] }, { name: 'eth1', addresses: ['10.1.0.1/16'] }])];
    const l2 = computePoolMap(eip('192.168.0.2-192.168.0.9', { protocol: 'layer2', interface: 'eth0' }, { '192.168.0.8': 'default/a' }), [], nodes);
    assert.equal(l2.subnetsKnown, true);
    // eth0's subnet is 192.168.0.4/30; the node's own .5 is reserved, the held .8 stays used.
    assert.deepEqual(cells(l2), ['outside', 'outside', 'free', 'reserved', 'free', 'free', 'used', 'outside']);
    assert.deepEqual(l2.counts, { free: 3n, used: 1n, shared: 0n, requested: 0n, reserved: 1n, outside: 3n });
    // BGP pools are not tied to a subnet; without published interfaces nothing is known.
    assert.equal(computePoolMap(eip('192.168.0.2-192.168.0.9', { protocol: 'bgp' }), [], nodes).counts.outside, 0n);
    const unknown = computePoolMap(eip('192.168.0.2-192.168.0.9', { protocol: 'layer2', interface: 'eth0' }), [], [node('n1', '172.16.0.1')]);
    assert.equal(unknown.subnetsKnown, false);
    assert.equal(unknown.counts.outside, 0n);
  });

  it('computes a /16 as a handful of runs, every state counted', () => {
    const used: Record<string, string> = {};
    for (let i = 0; i < 1000; i++) used[`10.1.${i >> 8}.${i & 255}`] = `ns/s${i}`;
    used['10.1.200.7'] = 'ns/x;ns/y';
    const m = computePoolMap(eip('10.1.0.0/16', {}, used), [svc('want', { ask: '10.1.255.1' })], [node('n1', '10.1.128.1')]);
    assert.equal(m.size, 65_536n);
    assert.equal(m.shown, 65_536);
    assert.deepEqual(m.counts, { free: 64_533n, used: 1000n, shared: 1n, requested: 1n, reserved: 1n, outside: 0n });
    // 1,000 used in a row, then free, reserved, free, shared, ... : runs, not 65,536 entries.
    assert.equal(m.runs.length, 2 * 8);
    assert.equal(m.runs.filter((_, i) => i % 2 === 1).reduce((a, b) => a + b, 0), 65_536);
    assert.deepEqual(m.runs.slice(0, 4), [STATES.indexOf('used'), 1000, STATES.indexOf('free'), 128 * 256 + 1 - 1000]);
    const view = toView(m);
    assert.equal(view.blockStarts.length, 256);
    assert.equal(view.blockStarts[255], '10.1.255.0');
    assert.equal(view.counts.free, '64,533');
    assert.ok(JSON.stringify(view).length < 200_000, 'the webview gets compact data');
  });

  it('draws only the start of an IPv6 pool and says how many are not drawn', () => {
    const m = computePoolMap(eip('2001:db8::/64', {}, { '2001:db8::5': 'default/v6', '2001:db8::1:0:0': 'default/far' }), [], []);
    assert.equal(m.shown, MAX_SHOWN);
    assert.equal(m.counts.used, 2n, 'counts cover the whole pool');
    assert.deepEqual(m.marked.map((x) => x.offset), [5], 'only drawn addresses carry details');
    const view = toView(m);
    assert.equal(view.hidden, (2n ** 64n - 65_536n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ','));
    assert.equal(view.blockStarts[1], '2001:db8::100');
  });

  it('reports an address that does not parse instead of a map', () => {
    const m = computePoolMap(eip('10.0.0.300'), [], []);
    assert.match(m.error ?? '', /octet 300/);
    assert.equal(m.shown, 0);
  });
});
