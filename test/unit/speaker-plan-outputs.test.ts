// The plan's side outputs from snapshots (no I/O): whether to write the Node interfaces
// annotation, the Eip conditions, and the policy when the API server cannot be reached.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NODE_INTERFACES_ANNOTATION } from '@openelb/core/api/annotations';
import { nicsFrom } from '../../runtime/src/speaker/node/interfaces';
import { whenApiUnreachable } from '../../runtime/src/speaker/plan/apiPolicy';
import { eipConditions } from '../../runtime/src/speaker/plan/eipConditions';
import { electOwner } from '../../runtime/src/speaker/plan/election';
import { liveSet } from '../../runtime/src/speaker/plan/liveSet';
import { annotationToWrite, interfacesValue } from '../../runtime/src/speaker/plan/nodeAnnotation';
import { planSpeaker } from '../../runtime/src/speaker/plan/speakerPlan';
import { eip, lease, LEASE_MS, node, NODES, NOW, service, snapshot } from './speaker-snapshot';

describe('Node interfaces annotation', () => {
  const value = '[{"name":"eth0","mac":"02:00:00:00:00:01","addresses":["192.168.0.5/24"]}]';
  const annotated = (v: string) => node('n1', { annotations: { [NODE_INTERFACES_ANNOTATION]: v } });

  it('is written only when the Node is known, says something else, and that value is not on its way', () => {
    assert.equal(annotationToWrite(undefined, value, undefined), undefined, 'no Node object yet');
    assert.equal(annotationToWrite(annotated(value), value, undefined), undefined, 'already says it');
    assert.equal(annotationToWrite(annotated('[]'), value, value), undefined, 'our write of it is on its way');
    assert.equal(annotationToWrite(annotated('[]'), value, '[]'), value);
    assert.equal(annotationToWrite(node('n1'), value, undefined), value, 'never written (or the last write failed)');
  });

  it('leaves out the addresses the drivers put on the host', () => {
    const nics = nicsFrom({ eth0: [
      { address: '192.168.0.5', cidr: '192.168.0.5/24', mac: '02:00:00:00:00:01', internal: false },
      { address: '192.168.0.20', cidr: '192.168.0.20/32', mac: '02:00:00:00:00:01', internal: false }] });
    assert.equal(interfacesValue(nics, ['192.168.0.20']), value);
    const p = planSpeaker(snapshot('n1', { nics, drivers: { vip: { unusable: new Map(), hostAddresses: ['192.168.0.20'] } } }));
    assert.equal(p.annotation, value);
    assert.equal(planSpeaker(snapshot('n1', { nics, annotationSent: value, drivers: { vip: { unusable: new Map(), hostAddresses: ['192.168.0.20'] } } })).annotation, undefined);
  });
});

describe('Eip conditions', () => {
  const objects = [
    eip('a', { protocol: 'layer2' }, [{ type: 'Speaker.n1', status: 'True', reason: 'ConfigSpeaker', message: 'config openelb layer2 speaker successfully on eth0' }]),
    eip('b', { protocol: 'vip' }, [{ type: 'Speaker.n2', status: 'False', reason: 'ConfigSpeakerFailed', message: 'other node' }]),
    eip('c', { protocol: 'bgp' }),
  ];

  it('one per Eip with a choice; True names the interface, False carries the reason; current when already written', () => {
    const got = eipConditions('n1', new Map([
      ['a', { ifname: 'eth0' }],
      ['b', { error: 'cannot hold vip addresses on eth0: refused', reason: 'VipAddressFailed' }],
    ]), objects);
    assert.deepEqual(got, [
      { name: 'a', uid: 'uid-a', ok: true, reason: 'ConfigSpeaker', message: 'config openelb layer2 speaker successfully on eth0', current: true },
      { name: 'b', uid: 'uid-b', ok: false, reason: 'VipAddressFailed', message: 'cannot hold vip addresses on eth0: refused', current: false },
    ]);
    assert.equal(eipConditions('n1', new Map([['a', { error: 'no' }]]), objects)[0].reason, 'ConfigSpeakerFailed', 'the default reason');
    assert.equal(eipConditions('n1', new Map([['a', { ifname: 'eth1', note: 'why' }]]), objects)[0].message, 'config openelb layer2 speaker successfully on eth1 (why)');
  });
});

describe('when the API server cannot be reached', () => {
  const api = (renewedAgo: number, failingFor?: number) => ({
    renewedAt: renewedAgo < 0 ? 0 : NOW - renewedAgo, failingSince: failingFor === undefined ? undefined : NOW - failingFor, leaseDurationMs: LEASE_MS,
  });

  it('this node stays in the elections while its Lease is fresh, and steps out once it is not', () => {
    assert.deepEqual(whenApiUnreachable(api(100), NOW), { reachable: true, selfLive: true });
    assert.deepEqual(whenApiUnreachable(api(500, 200), NOW), { reachable: false, selfLive: true }, 'failing, but the others still count us live');
    assert.deepEqual(whenApiUnreachable(api(LEASE_MS - 1, 600), NOW), { reachable: false, selfLive: true });
    assert.deepEqual(whenApiUnreachable(api(LEASE_MS, 600), NOW), { reachable: false, selfLive: false }, 'expired for the others: they took over');
    assert.deepEqual(whenApiUnreachable(api(-1), NOW), { reachable: false, selfLive: false }, 'never renewed (or released)');
    assert.deepEqual(whenApiUnreachable(api(-1, 50), NOW), { reachable: false, selfLive: false });
  });

  it('our liveness comes from our renewals, not from the watch\'s copy of our Lease', () => {
    assert.deepEqual([...liveSet('n1', [lease('n2')], api(100), NOW).live].sort(), ['n1', 'n2']);
    assert.deepEqual([...liveSet('n1', [lease('n1'), lease('n2')], api(900, 900), NOW).live], ['n2']);
  });

  it('the plan keeps going from the last watched state: no layer2/vip once stale, BGP routes stay', () => {
    const eips = [eip('lan', { address: '192.168.0.100/30', protocol: 'layer2', interface: 'eth0' }), eip('routed', { address: '172.22.0.0/28', protocol: 'bgp' })];
    const services = [service('a', '192.168.0.100'), service('b', '172.22.0.1')];
    const owner = electOwner('192.168.0.100', NODES)!;
    const fresh = planSpeaker(snapshot(owner, { eips, services, api: api(300, 200) }));
    assert.deepEqual([fresh.api, fresh.layer2.map((w) => w.ip)], [{ reachable: false, selfLive: true }, ['192.168.0.100']]);
    // Cut off for longer than a Lease: every Lease in the cache has expired, ours by our own count.
    const later = NOW + 1000;
    const stale = planSpeaker(snapshot(owner, { eips, services, api: api(300, 200), now: later }));
    assert.deepEqual([stale.api.selfLive, stale.live, stale.layer2], [false, [], []]);
    assert.deepEqual([...stale.bgp.routes.keys()], ['172.22.0.1/32']);
    assert.equal(stale.replanAt, undefined, 'no live Lease left to expire');
  });
});
