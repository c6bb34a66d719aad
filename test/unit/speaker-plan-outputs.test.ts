// The plan's side outputs from snapshots (no I/O): whether to write the Node interfaces
// annotation, the Eip conditions, and the policy when the API server cannot be reached.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NODE_INTERFACES_ANNOTATION } from '@openelb/core/api/annotations';
import { nicsFrom } from '../../runtime/src/speaker/node/interfaces';
import { eipConditions } from '../../runtime/src/speaker/plan/eipConditions';
import { electOwner } from '../../runtime/src/speaker/plan/election';
import { annotationToWrite, interfacesValue } from '../../runtime/src/speaker/plan/nodeAnnotation';
import { planSpeaker } from '../../runtime/src/speaker/plan/speakerPlan';
import { eip, node, NODES, NOW, service, sightingsOf, snapshot } from './speaker-snapshot';

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
  const eips = [
    eip('lan', { address: '192.168.0.100/30', protocol: 'layer2', interface: 'eth0' }),
    eip('vips', { address: '10.1.0.200/30', protocol: 'vip', interface: 'eth1' }),
    eip('routed', { address: '172.22.0.0/28', protocol: 'bgp' }),
  ];
  const services = [service('a', '192.168.0.100'), service('b', '172.22.0.1'), service('c', '10.1.0.200'), service('d', '192.168.0.101')];

  it('every node keeps its last plan for 30 s of silence: the same layer2, vip and BGP, nothing withdrawn', () => {
    const sightings = sightingsOf();
    for (const n of NODES) {
      const before = planSpeaker(snapshot(n, { eips, services, sightings }));
      const during = planSpeaker(snapshot(n, { eips, services, sightings, now: NOW + 30_000 }));
      assert.deepEqual(before.api, { reachable: true, selfLive: true });
      assert.deepEqual(during.api, { reachable: false, selfLive: true }, n);
      assert.deepEqual([during.live, during.layer2, during.vip, [...during.bgp.routes]], [before.live, before.layer2, before.vip, [...before.bgp.routes]], n);
    }
    // Between them the nodes still answer for every address, each exactly once.
    const owners = NODES.flatMap((n) => planSpeaker(snapshot(n, { eips, services, now: NOW + 30_000 })).layer2.map((w) => w.ip)).sort();
    assert.deepEqual(owners, ['192.168.0.100', '192.168.0.101']);
  });

  it('a node seen to stop renewing while the API answered loses its addresses to the others', () => {
    const gone = electOwner('192.168.0.100', NODES)!;
    const others = NODES.filter((n) => n !== gone);
    const sightings = sightingsOf(others, [gone]);
    const heir = electOwner('192.168.0.100', others)!;
    assert.deepEqual(planSpeaker(snapshot(heir, { eips, services, sightings })).layer2.map((w) => w.ip).includes('192.168.0.100'), true);
    assert.deepEqual(planSpeaker(snapshot(heir, { eips, services, sightings })).live, others);
  });
});
