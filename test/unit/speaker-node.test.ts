// Pure parts of the node speaker (runtime/src/speaker/node): label selectors, Lease liveness,
// BGP configuration from BgpConf/BgpPeers, interface choice and the subnet check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectorMatches } from '../../runtime/src/speaker/node/selector';
import { LEASE_DURATION_MS_ANNOTATION, leaseHeartbeats } from '../../runtime/src/speaker/node/liveness';
import { bgpPlan } from '../../runtime/src/speaker/node/bgpConfig';
import { chooseInterface, interfacesAnnotation, nicsFrom } from '../../runtime/src/speaker/node/interfaces';
import { endpointNodes } from '../../runtime/src/speaker/node/clusterView';
import { parsePool } from '@openelb/core/address/pool';

test('label selectors: matchLabels and every operator; absent selector matches all', () => {
  const labels = { zone: 'a', rack: 'r1' };
  assert.equal(selectorMatches(undefined, labels), true);
  assert.equal(selectorMatches({ matchLabels: { zone: 'a' } }, labels), true);
  assert.equal(selectorMatches({ matchLabels: { zone: 'b' } }, labels), false);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'rack', operator: 'In', values: ['r1', 'r2'] }] }, labels), true);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'rack', operator: 'NotIn', values: ['r1'] }] }, labels), false);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }, labels), true);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }, labels), false);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'Bogus' }] }, labels), false);
});

test('Lease heartbeats: one per held speaker Lease, the stamp changes with renewTime only, released or foreign Leases give none', () => {
  const lease = (node: string, renewTime: number, holder = node, ms?: string) => ({
    metadata: { name: `openelb-speaker-${node}`, annotations: ms === undefined ? undefined : { [LEASE_DURATION_MS_ANNOTATION]: ms } },
    spec: { holderIdentity: holder, renewTime: new Date(renewTime), leaseDurationSeconds: 3 },
  });
  const beats = leaseHeartbeats([lease('a', 5000), lease('b', 5000, 'b', '800'), lease('c', 5000, ''), { metadata: { name: 'openelb-controller' }, spec: {} }]);
  assert.deepEqual(beats.map((b) => b.node), ['a', 'b']);
  assert.deepEqual(beats.map((b) => b.durationMs), [3000, 800], 'the exact annotation wins over whole seconds');
  assert.notEqual(leaseHeartbeats([lease('a', 5250)])[0].stamp, beats[0].stamp, 'a renewal');
  assert.equal(leaseHeartbeats([lease('a', 5000)])[0].stamp, beats[0].stamp, 'the same renewal seen again (a re-list)');
  assert.deepEqual(leaseHeartbeats([lease('d', 1, 'd', 'soon'), lease('e', 1, 'e', '-5')]).map((b) => b.durationMs), [3000, 3000], 'a bad annotation falls back');
});

test('bgpPlan: BgpConf default + selected BgpPeers; router id defaults to the InternalIP; timers parsed', () => {
  const node = { name: 'n1', labels: { zone: 'a' }, internalIps: ['10.0.0.5'] };
  const plan = bgpPlan(node, [{ metadata: { name: 'default' }, spec: { as: 65001, listenPort: 17900 } }], [
    { metadata: { name: 'p1' }, spec: { conf: { peerAs: 65000, neighborAddress: '10.0.0.1' }, transport: { remotePort: 1790 }, timers: { config: { holdTime: '30', keepaliveInterval: '10' } } } },
    { metadata: { name: 'p2' }, spec: { conf: { peerAs: 65000, neighborAddress: '10.0.0.2' }, nodeSelector: { matchLabels: { zone: 'b' } } } },
    { metadata: { name: 'p3' }, spec: { conf: { peerAs: 65000, neighborAddress: 'nope' } } },
    { metadata: { name: 'p4' }, spec: { conf: { peerAs: 65000, neighborAddress: '10.0.0.1' } } },
    // Not whole seconds: upstream fails this BgpPeer, and so do we (the editor reports bgppeer-timer).
    { metadata: { name: 'p5' }, spec: { conf: { peerAs: 65000, neighborAddress: '10.0.0.9' }, timers: { config: { keepaliveInterval: '10s' } } } },
    { metadata: { name: 'p6' }, spec: { conf: { peerAs: 65000, neighborAddress: '10.0.0.8' }, timers: { config: { holdTime: '2' } } } },
  ]);
  assert.deepEqual(plan.global, { localAs: 65001, routerId: '10.0.0.5', listenPort: 17900 });
  assert.deepEqual(plan.peers.map((p) => p.name), ['p1']);
  assert.deepEqual(plan.peers[0].config, { neighborAddress: '10.0.0.1', peerAs: 65000, remotePort: 1790, passive: false, holdTime: 30, keepalive: 10 });
  assert.equal(plan.problems.length, 4, plan.problems.join('\n'));
  assert.match(plan.problems.join('\n'), /BgpPeer p5: timers.config.keepaliveInterval "10s" is not a valid number of seconds; peer left out/);
  assert.match(plan.problems.join('\n'), /BgpPeer p6: timers.config.holdTime "2"/);
  assert.equal(bgpPlan(node, [], []).global, undefined, 'no BgpConf: BGP off');
});

test('bgpPlan: asPerRack gives a labelled node its rack AS and its own router id; no AS names the node and rack', () => {
  const conf = (spec: Record<string, unknown>) => [{ metadata: { name: 'default' }, spec }];
  const node = (labels: Record<string, string>) => ({ name: 'n1', labels, internalIps: ['10.0.0.5'] });
  const rackA = node({ 'openelb.kubesphere.io/rack': 'rack-a' });
  assert.deepEqual(bgpPlan(rackA, conf({ asPerRack: { 'rack-a': 65010 }, routerId: '1.1.1.1' }), []).global, { localAs: 65010, routerId: '10.0.0.5', listenPort: 0 });
  assert.equal(bgpPlan(rackA, conf({ as: 65001, asPerRack: { 'rack-b': 65020 } }), []).global?.localAs, 65001, 'unlisted rack: spec.as');
  assert.deepEqual(bgpPlan(node({}), conf({ as: 65001, asPerRack: { 'rack-a': 65010 }, routerId: '1.1.1.1' }), []).global, { localAs: 65001, routerId: '1.1.1.1', listenPort: 0 });
  const none = bgpPlan(rackA, conf({ asPerRack: { 'rack-b': 65020 } }), []);
  assert.equal(none.global, undefined);
  assert.match(none.problems[0], /no AS for node n1: spec.asPerRack has no entry for its rack "rack-a"/);
  assert.match(bgpPlan(node({}), conf({ asPerRack: { 'rack-b': 65020 } }), []).problems[0], /no openelb.kubesphere.io\/rack label/);
});

test('bgpPlan: listenPort -1 keeps active peers and leaves out passive ones, saying why', () => {
  const node = { name: 'n1', labels: {}, internalIps: ['10.0.0.5'] };
  const plan = bgpPlan(node, [{ metadata: { name: 'default' }, spec: { as: 65001, listenPort: -1 } }], [
    { metadata: { name: 'out' }, spec: { conf: { peerAs: 65000, neighborAddress: '10.0.0.1' } } },
    { metadata: { name: 'in' }, spec: { conf: { peerAs: 65000, neighborAddress: '10.0.0.2' }, transport: { passiveMode: true } } },
  ]);
  assert.deepEqual(plan.peers.map((p) => p.name), ['out']);
  assert.deepEqual(plan.problems, ['BgpPeer in: passive, but BgpConf default has listenPort -1 (no incoming sessions)']);
});

const OS = {
  lo: [{ address: '127.0.0.1', cidr: '127.0.0.1/8', mac: '00:00:00:00:00:00', internal: true }],
  eth0: [{ address: '172.31.255.2', cidr: '172.31.255.2/24', mac: 'aa:bb:cc:00:00:01', internal: false },
    { address: 'fd00:31::2', cidr: 'fd00:31::2/64', mac: 'aa:bb:cc:00:00:01', internal: false }],
  eth1: [{ address: '10.1.0.2', cidr: '10.1.0.2/16', mac: 'aa:bb:cc:00:00:02', internal: false }],
};

test('interfaces: annotation JSON without lo; chosen NIC must hold the whole range; node layer2 address as fallback', () => {
  const nics = nicsFrom(OS);
  assert.equal(interfacesAnnotation(nics), JSON.stringify([
    { name: 'eth0', mac: 'aa:bb:cc:00:00:01', addresses: ['172.31.255.2/24', 'fd00:31::2/64'] },
    { name: 'eth1', mac: 'aa:bb:cc:00:00:02', addresses: ['10.1.0.2/16'] },
  ]));
  const pool = (t: string) => parsePool(t).pool!;
  const noRoute = () => undefined;
  assert.deepEqual(chooseInterface('eth0', pool('172.31.255.100-172.31.255.110'), nics, noRoute), { ifname: 'eth0' });
  assert.deepEqual(chooseInterface('eth0', pool('fd00:31::100-fd00:31::110'), nics, noRoute), { ifname: 'eth0' });
  assert.match((chooseInterface('eth0', pool('172.31.254.0-172.31.255.10'), nics, noRoute) as { error: string }).error, /same network segment/);
  assert.match((chooseInterface('eth9', pool('10.1.5.0/24'), nics, noRoute) as { error: string }).error, /does not exist/);
  const viaAnnotation = chooseInterface('eth0', pool('10.1.5.0/24'), nics, noRoute, '10.1.0.2');
  assert.equal((viaAnnotation as { ifname: string }).ifname, 'eth1');
  assert.deepEqual(chooseInterface('can_reach:10.1.200.1', pool('10.1.5.0/24'), nics, () => 'eth1'), { ifname: 'eth1' });
  assert.deepEqual(chooseInterface('can_reach:10.1.200.1', pool('10.1.5.0/24'), nics, noRoute), { ifname: 'eth1' }, 'subnet match without ip route');
  assert.match((chooseInterface('can_reach:127.0.0.1', pool('10.1.5.0/24'), nics, () => 'lo') as { error: string }).error, /lo/);
  assert.match((chooseInterface('can_reach:banana', pool('10.1.5.0/24'), nics, noRoute) as { error: string }).error, /invalid can_reach/);
});

test('endpoint nodes: only ready endpoints (missing condition = ready), grouped by Service', () => {
  const m = endpointNodes([
    { metadata: { namespace: 'ns', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', endpoints: [
      { addresses: ['1.1.1.1'], nodeName: 'a', conditions: { ready: true } },
      { addresses: ['1.1.1.2'], nodeName: 'b', conditions: { ready: false } },
      { addresses: ['1.1.1.3'], nodeName: 'c' },
    ] },
  ]);
  assert.deepEqual([...m.get('ns/web')!].sort(), ['a', 'c']);
});
