// The speaker's plan from snapshots (runtime/src/speaker/plan/speakerPlan.ts), no I/O: what each
// protocol serves (layer2 election, unable nodes, interface choice; vip; BGP routes and next
// hops) and the Eip conditions that go with it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LAYER2_NODE_ANNOTATION } from '@openelb/core/api/annotations';
import { electOwner } from '../../runtime/src/speaker/plan/election';
import { routeTargets } from '../../runtime/src/speaker/plan/interfaceChoice';
import { planSpeaker, type SpeakerPlan } from '../../runtime/src/speaker/plan/speakerPlan';
import { eip, node, NODES, service, sightingsOf, slice, snapshot, unable, type SnapshotParts } from './speaker-snapshot';

const lan = eip('lan', { address: '192.168.0.100-192.168.0.120', protocol: 'layer2', interface: 'eth0' });
const lanIps = ['192.168.0.100', '192.168.0.101', '192.168.0.102', '192.168.0.103', '192.168.0.104', '192.168.0.105'];
const lanServices = lanIps.map((ip, i) => service(`s${i}`, ip));
const plansOf = (parts: SnapshotParts): Map<string, SpeakerPlan> => new Map(NODES.map((n) => [n, planSpeaker(snapshot(n, parts))]));
const holders = (plans: Map<string, SpeakerPlan>, ip: string, via: 'layer2' | 'vip' = 'layer2') =>
  [...plans].filter(([, p]) => (via === 'layer2' ? p.layer2 : p.vip.placements).some((a) => a.ip === ip)).map(([n]) => n);
const condition = (p: SpeakerPlan, name: string) => p.conditions.find((c) => c.name === name);

describe('layer2 from a snapshot', () => {
  it('exactly one node answers for each address, the one every node elects, on the Eip\'s interface', () => {
    const plans = plansOf({ eips: [lan], services: lanServices });
    for (const ip of lanIps) assert.deepEqual(holders(plans, ip), [electOwner(ip, NODES)], ip);
    assert.ok(NODES.every((n) => plans.get(n)!.layer2.every((w) => w.ifname === 'eth0')));
    assert.deepEqual(plans.get('n1')!.live, NODES);
    assert.deepEqual(condition(plans.get('n2')!, 'lan'), {
      name: 'lan', uid: 'uid-lan', ok: true, reason: 'ConfigSpeaker', message: 'config openelb layer2 speaker successfully on eth0', current: false,
    });
  });

  it('a node that reported it cannot serve the Eip is left out of its election by every node', () => {
    const ip = lanIps[0];
    const owner = electOwner(ip, NODES)!;
    const plans = plansOf({ eips: [eip('lan', lan.spec!, [unable(owner)])], services: lanServices });
    assert.deepEqual(holders(plans, ip), [electOwner(ip, NODES.filter((n) => n !== owner))]);
  });

  it('only live speakers on Ready nodes are elected', () => {
    const parts: SnapshotParts = {
      eips: [lan], services: lanServices,
      nodes: [node('n1'), node('n2'), node('n3', { ready: false })],
      sightings: sightingsOf(['n1', 'n3'], ['n2']),
    };
    // n2's own view is not asked: it renews no more.
    const plans = new Map(['n1', 'n3'].map((n) => [n, planSpeaker(snapshot(n, parts))]));
    for (const ip of lanIps) assert.deepEqual(holders(plans, ip), ['n1'], ip);
    assert.deepEqual(plans.get('n3')!.live, ['n1', 'n3'], 'n3 is live, only not Ready; n2 was seen to stop renewing');
  });

  it('chooses the interface: a name, can_reach: through the route looked up, the Node\'s layer2 address as fallback', () => {
    const eips = [
      eip('reach', { address: '10.1.0.100-10.1.0.110', protocol: 'layer2', interface: 'can_reach:10.1.2.3' }),
      eip('side', { address: '10.1.5.0/28', protocol: 'layer2', interface: 'eth0' }),
      eip('gone', { address: '192.168.0.200/29', protocol: 'layer2', interface: 'eth9' }),
      eip('routed', { address: '172.22.0.0/28', protocol: 'bgp' }),
    ];
    const nodes = NODES.map((n) => node(n, { annotations: { [LAYER2_NODE_ANNOTATION]: '10.1.0.5' } }));
    const s = snapshot('n1', { eips, nodes, routes: { '10.1.2.3': 'eth1' }, services: [service('a', '10.1.0.100'), service('b', '10.1.5.1')], sightings: sightingsOf(['n1']) });
    assert.deepEqual(routeTargets(s.eips), ['10.1.2.3'], 'the observer looks up only what the plan reads');
    const p = planSpeaker(s);
    assert.deepEqual(p.layer2, [{ ip: '10.1.0.100', ifname: 'eth1' }, { ip: '10.1.5.1', ifname: 'eth1' }]);
    assert.equal(condition(p, 'reach')!.message, 'config openelb layer2 speaker successfully on eth1');
    assert.match(condition(p, 'side')!.message, /^config openelb layer2 speaker successfully on eth1 \(eth0's addresses and the Eip range 10\.1\.5\.0-10\.1\.5\.15 are not in the same network segment; using eth1, which owns the node's layer2 address 10\.1\.0\.5\)$/);
    assert.deepEqual(condition(p, 'gone'), { name: 'gone', uid: 'uid-gone', ok: false, reason: 'ConfigSpeakerFailed', message: 'interface eth9 does not exist on this node', current: false });
    assert.equal(condition(p, 'routed'), undefined, 'a bgp Eip carries no speaker condition');
  });

  it('an interface the packet helper could not open: reported with its reason, nothing announced on it', () => {
    const why = { error: 'cannot open eth0 for layer2: openelb-packet-helper for arm64 was not shipped', reason: 'Layer2OpenFailed' };
    const owner = electOwner(lanIps[0], NODES)!;
    const p = planSpeaker(snapshot(owner, { eips: [lan], services: lanServices, drivers: { layer2: { unusable: new Map([['eth0', why]]), hostAddresses: [] } } }));
    assert.deepEqual(p.layer2, []);
    assert.deepEqual(condition(p, 'lan'), { name: 'lan', uid: 'uid-lan', ok: false, reason: why.reason, message: why.error, current: false });
  });

  it('an invalid Eip is neither announced nor reported', () => {
    const p = planSpeaker(snapshot('n1', { eips: [eip('bad', { address: '192.168.0.300', protocol: 'layer2', interface: 'eth0' })], services: [service('a', '192.168.0.100')], sightings: sightingsOf(['n1']) }));
    assert.deepEqual([p.layer2, p.conditions], [[], []]);
  });
});

describe('vip from a snapshot', () => {
  const eips = [eip('v', { address: '192.168.0.16/28', protocol: 'vip', interface: 'eth0' }), eip('v6', { address: 'fd00:1::10-fd00:1::1f', protocol: 'vip', interface: 'eth0' })];
  const services = [service('a', '192.168.0.20'), service('b', 'fd00:1::1a')];

  it('the elected node holds each address on the Eip\'s interface; the pools bound what is cleaned', () => {
    const plans = plansOf({ eips, services });
    for (const ip of ['192.168.0.20', 'fd00:1::1a']) assert.deepEqual(holders(plans, ip, 'vip'), [electOwner(ip, NODES)], ip);
    const p = plans.get(electOwner('192.168.0.20', NODES)!)!;
    assert.deepEqual(p.vip.placements.find((x) => x.ip === '192.168.0.20'), { ip: '192.168.0.20', ifname: 'eth0' });
    assert.deepEqual(p.vip.pools.map((x) => x.form), ['cidr', 'range']);
    assert.deepEqual(p.layer2, [], 'vip addresses are not layer2 announcements');
    assert.equal(condition(p, 'v')!.message, 'config openelb vip speaker successfully on eth0');
  });

  it('an interface the node may not change addresses on: VipAddressFailed, nothing held', () => {
    const owner = electOwner('192.168.0.20', NODES)!;
    const why = { error: 'cannot hold vip addresses on eth0: Operation not permitted (needs CAP_NET_ADMIN)', reason: 'VipAddressFailed' };
    const p = planSpeaker(snapshot(owner, { eips, services, drivers: { vip: { unusable: new Map([['eth0', why]]), hostAddresses: [] } } }));
    assert.deepEqual(p.vip.placements, []);
    assert.deepEqual([condition(p, 'v')!.ok, condition(p, 'v')!.reason], [false, 'VipAddressFailed']);
  });
});

describe('BGP from a snapshot', () => {
  const eips = [eip('routed', { address: '172.22.0.0/28', protocol: 'bgp' }), eip('routed6', { address: 'fd00:22::/124', protocol: 'bgp' })];
  const services = [service('a', '172.22.0.1'), service('b', '172.22.0.2', 'Local'), service('c', 'fd00:22::3')];
  const slices = [slice('b', ['n2'], ['n3'])];

  it('routes every address, Local ones only where a ready endpoint runs; next hop of the address\'s family', () => {
    const plans = plansOf({ eips, services, slices });
    assert.deepEqual([...plans.get('n1')!.bgp.routes], [['172.22.0.1/32', '10.0.0.1'], ['fd00:22::3/128', 'fd00::1']]);
    assert.deepEqual([...plans.get('n2')!.bgp.routes], [['172.22.0.1/32', '10.0.0.2'], ['172.22.0.2/32', '10.0.0.2'], ['fd00:22::3/128', 'fd00::2']]);
    assert.deepEqual([...plans.get('n3')!.bgp.routes].map(([prefix]) => prefix), ['172.22.0.1/32', 'fd00:22::3/128'], 'n3\'s endpoint is not ready');
  });

  it('without an InternalIP of the family the route is left out, and said', () => {
    const p = planSpeaker(snapshot('n1', { eips, services, nodes: [node('n1', { ips: ['10.0.0.1'] })] }));
    assert.deepEqual([...p.bgp.routes.keys()], ['172.22.0.1/32']);
    assert.deepEqual(p.problems, ['bgp: no InternalIP of fd00:22::3\'s family on this node; not announcing fd00:22::3/128']);
  });

  it('sessions come from BgpConf default and the BgpPeers selecting this node', () => {
    const p = planSpeaker(snapshot('n1', {
      bgpConfs: [{ metadata: { name: 'default' }, spec: { as: 65001 } }],
      bgpPeers: [{ metadata: { name: 'r' }, spec: { conf: { peerAs: 65000, neighborAddress: '10.0.0.254' } } },
        { metadata: { name: 'other-zone' }, spec: { conf: { peerAs: 65000, neighborAddress: '10.0.0.253' }, nodeSelector: { matchLabels: { zone: 'b' } } } }],
    }));
    assert.deepEqual(p.bgp.sessions.global, { localAs: 65001, routerId: '10.0.0.1', listenPort: 0 });
    assert.deepEqual(p.bgp.sessions.peers.map((x) => x.name), ['r']);
  });
});
