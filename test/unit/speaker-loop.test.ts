// The speaker's loop (runtime/src/speaker/node/speakerLoop.ts) with fake drivers, a fake source
// and fake outputs: when it plans, in which order it readies and applies, what it publishes and
// logs, and how it stops.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { ProtocolDriver } from '../../runtime/src/speaker/node/protocolDriver';
import { SpeakerLoop } from '../../runtime/src/speaker/node/speakerLoop';
import type { EipCondition } from '../../runtime/src/speaker/plan/eipConditions';
import { leaseHeartbeats, type LeaseLike } from '../../runtime/src/speaker/node/liveness';
import { electOwner } from '../../runtime/src/speaker/plan/election';
import { emptySightings, liveKeyOf, liveSet, nextDue, recordHeartbeats } from '../../runtime/src/speaker/plan/liveSet';
import type { DriverState, Observation } from '../../runtime/src/speaker/plan/snapshot';
import type { BgpWant, Layer2Want, VipWant } from '../../runtime/src/speaker/plan/speakerPlan';
import { eip, lease, LEASE_MS, node, NO_TROUBLE, NODES, NOW, service, snapshot, type SnapshotParts } from './speaker-snapshot';

class FakeDriver<W> implements ProtocolDriver<W> {
  readonly applied: W[] = [];
  gate?: Promise<void>;
  current: DriverState = NO_TROUBLE;
  onApply?: () => string[];
  constructor(readonly name: string, private readonly events: string[]) {}
  async ensure(): Promise<void> { this.events.push(`${this.name}.ensure`); await this.gate; }
  state(): DriverState { return this.current; }
  async apply(want: W): Promise<string[]> { this.events.push(`${this.name}.apply`); this.applied.push(want); return this.onApply?.() ?? []; }
  async stop(): Promise<void> { this.events.push(`${this.name}.stop`); }
  reannounce(): string[] { this.events.push(`${this.name}.reannounce`); return [`${this.name}: again`]; }
}

/**
 * A loop for node n1 over a fake world; `parts`, the Leases (as the watch shows them) and the
 * clock may change between plans. The source records Lease sightings as ClusterObserver does.
 */
function rig(parts: SnapshotParts = {}, leased: readonly string[] = NODES) {
  const events: string[] = [];
  const logs: string[] = [];
  const annotations: string[] = [];
  const conditions: (readonly EipCondition[])[] = [];
  let sent: string | undefined;
  const world = { parts, now: NOW, observed: 0, fail: undefined as Error | undefined, leases: leased.map((n) => lease(n)) as LeaseLike[], renewedEarly: [] as number[] };
  let sightings = emptySightings(LEASE_MS);
  const sight = (now: number) => (sightings = recordHeartbeats(sightings, leaseHeartbeats(world.leases), now));
  const observe = (now: number): Observation => {
    world.observed++;
    if (world.fail) { const e = world.fail; world.fail = undefined; throw e; }
    return snapshot('n1', { ...world.parts, now, sightings: sight(now) });
  };
  const drivers = { layer2: new FakeDriver<Layer2Want>('layer2', events), vip: new FakeDriver<VipWant>('vip', events), bgp: new FakeDriver<BgpWant>('bgp', events) };
  const loop = new SpeakerLoop({
    source: { observe, liveKey: (now) => liveKeyOf(liveSet('n1', sight(now), now)), nextDue: () => nextDue(sightings) },
    drivers,
    outputs: {
      annotationSent: () => sent,
      writeAnnotation: (v) => { sent = v; annotations.push(v); },
      eipConditions: (c) => { conditions.push(c); },
    },
    lease: { release: async () => { events.push('lease.release'); }, renewNow: () => { world.renewedEarly.push(world.now); } },
    log: (m) => logs.push(m),
    clock: () => world.now,
  });
  loops.push(loop);
  return { loop, world, events, logs, annotations, conditions, drivers };
}

const loops: SpeakerLoop[] = [];
afterEach(async () => { for (const l of loops.splice(0)) await l.stop(); });
/** Lets every queued plan run (the fakes never wait on I/O). */
const settle = () => new Promise((r) => setTimeout(r, 20));
const gate = () => { let open!: () => void; const p = new Promise<void>((r) => { open = r; }); return { p, open }; };

describe('speaker loop', () => {
  it('readies every driver, then applies layer2, vip, BGP in that order and publishes', async () => {
    const lan = eip('lan', { address: '192.168.0.100/30', protocol: 'layer2', interface: 'eth0' });
    const r = rig({ eips: [lan], services: [service('a', '192.168.0.100')] }, ['n1']);
    await r.loop.start();
    assert.deepEqual(r.events, ['layer2.ensure', 'vip.ensure', 'bgp.ensure', 'layer2.apply', 'vip.apply', 'bgp.apply']);
    assert.deepEqual(r.drivers.layer2.applied, [[{ ip: '192.168.0.100', ifname: 'eth0' }]]);
    assert.deepEqual(r.conditions.map((c) => c.map((x) => [x.name, x.ok])), [[['lan', true]]]);
    assert.equal(r.annotations.length, 1, 'the Node had no interfaces annotation');
    await r.loop.replan();
    assert.equal(r.annotations.length, 1, 'not written again while that value is on its way');
  });

  it('a change triggers exactly one re-plan; a burst during a plan, exactly one more', async () => {
    const r = rig();
    await r.loop.start();
    assert.equal(r.world.observed, 1);
    r.loop.changed('eips');
    await settle();
    assert.equal(r.world.observed, 2);
    const g = gate();
    r.drivers.layer2.gate = g.p;
    r.loop.changed('services');
    for (let i = 0; i < 5; i++) r.loop.changed('endpointslices');
    g.open();
    await settle();
    assert.equal(r.world.observed, 4, 'the plan in progress, then one more');
  });

  it('a Lease event re-plans only when the set of live speakers changed', async () => {
    const r = rig({}, ['n1', 'n2']);
    await r.loop.start();
    r.world.leases = [lease('n1', NOW + 150), lease('n2', NOW + 150)];
    r.loop.changed('leases');
    await settle();
    assert.equal(r.world.observed, 1, 'a renewal');
    r.world.leases.push(lease('n3'));
    r.loop.changed('leases');
    await settle();
    assert.equal(r.world.observed, 2, 'n3 arrived');
  });

  const lan = eip('lan', { address: '192.168.0.96/27', protocol: 'layer2', interface: 'eth0' });
  const ips = Array.from({ length: 20 }, (_, i) => `192.168.0.${100 + i}`);
  const lanServices = ips.map((ip, i) => service(`s${i}`, ip));

  it('a node whose Lease stops changing drops out at the first Lease event a Lease duration later; no event, no change', async () => {
    const r = rig({ eips: [lan], services: lanServices }, ['n1', 'n2']);
    const n2s = ips.filter((ip) => electOwner(ip, ['n1', 'n2']) === 'n2');
    await r.loop.start();
    assert.ok(n2s.length > 0 && r.drivers.layer2.applied[0].every((w) => !n2s.includes(w.ip)));
    const renewN1 = async (t: number) => {
      r.world.now = NOW + t;
      r.world.leases = [lease('n1', NOW + t), lease('n2')]; // n2 renews no more
      r.loop.changed('leases');
      await settle();
    };
    for (const t of [250, 500, 750]) await renewN1(t);
    assert.equal(r.world.observed, 1, 'n2 silent for less than a Lease duration');
    r.world.now = NOW + LEASE_MS + 100;
    await settle();
    assert.equal(r.world.observed, 1, 'no timer: a lapse shows with the next Lease event');
    await renewN1(1000);
    assert.equal(r.world.observed, 2);
    assert.deepEqual(r.drivers.layer2.applied[1].map((w) => w.ip).sort(), [...ips].sort(), 'n1 took n2\'s addresses');
  });

  it('renews its own Lease early once a node is past its deadline, so the change that shows the lapse comes at once', async () => {
    const r = rig({}, ['n1', 'n2']);
    await r.loop.start();
    r.world.now = NOW + 500;
    r.world.leases = [lease('n1', NOW + 500), lease('n2')];
    r.loop.changed('leases');
    await settle();
    assert.deepEqual(r.world.renewedEarly, [], 'n2 is due at NOW + 800 ms: not yet');
    r.world.now = NOW + LEASE_MS;
    r.world.leases = [lease('n1', NOW + LEASE_MS), lease('n2')];
    r.loop.changed('leases'); // n2 lapses with this very change: nobody is due any more
    await settle();
    assert.deepEqual(r.world.renewedEarly, []);
    r.world.now = NOW + LEASE_MS + 250;
    r.world.leases = [lease('n1', NOW + 600), lease('n2', NOW + 600)]; // n2 back; both seen now
    r.loop.changed('leases');
    r.world.now = NOW + 2 * LEASE_MS + 250; // both silent for a Lease duration (by the fake clock)
    r.loop.changed('leases'); // a re-list, no change: re-arms for the deadline, which has passed
    await settle();
    assert.deepEqual(r.world.renewedEarly, [NOW + 2 * LEASE_MS + 250]);
  });

  it('the API server silent for 30 s: every plan applies the same addresses, none is withdrawn; one log line says why', async () => {
    const r = rig({ eips: [lan], services: lanServices });
    await r.loop.start();
    const first = r.drivers.layer2.applied[0];
    assert.deepEqual(first.map((w) => w.ip), ips.filter((ip) => electOwner(ip, NODES) === 'n1'));
    for (let t = 1000; t <= 30_000; t += 1000) {
      r.world.now = NOW + t;
      if (t % 5000 === 0) r.loop.changed('leases'); // a re-list: the same Leases again
      await r.loop.replan(); // the periodic resync
    }
    assert.ok(r.drivers.layer2.applied.length > 30);
    for (const w of r.drivers.layer2.applied) assert.deepEqual(w, first);
    assert.deepEqual(r.logs.filter((l) => /keeping the last plan/.test(l)).length, 1, r.logs.join('\n'));
    // Back: the Leases change again; everyone gets a fresh Lease duration, so the plan stays.
    r.world.leases = NODES.map((n) => lease(n, NOW + 30_100));
    r.loop.changed('leases');
    await r.loop.replan();
    assert.deepEqual(r.drivers.layer2.applied.at(-1), first);
    assert.ok(r.logs.some((l) => /judging liveness again/.test(l)));
  });

  it('cut off alone and back: the plan is unchanged, and layer2 and vip announce again once, at the Lease event that ends the silence', async () => {
    const r = rig({ eips: [lan], services: lanServices });
    await r.loop.start();
    const tick = async (t: number) => {
      r.world.now = NOW + t;
      r.world.leases = NODES.map((n) => lease(n, NOW + t));
      r.loop.changed('leases');
      await settle();
    };
    for (let t = 250; t <= 1000; t += 250) await tick(t);
    await r.loop.replan();
    assert.ok(!r.events.some((e) => e.endsWith('.reannounce')), `not while heartbeats flow: ${r.events.join(' ')}`);
    const plans = r.drivers.layer2.applied.length;
    // 5 s without a Lease event (our watch cut off, no plan in between), then the Leases again.
    await tick(6000);
    assert.equal(r.drivers.layer2.applied.length, plans + 1, 'the Lease event that ends the silence plans at once');
    assert.deepEqual(r.drivers.layer2.applied.at(-1), r.drivers.layer2.applied[0], 'the same addresses as before');
    assert.deepEqual(r.events.filter((e) => e.endsWith('.reannounce')), ['layer2.reannounce', 'vip.reannounce']);
    assert.ok(r.logs.includes('layer2: again') && r.logs.includes('vip: again'), r.logs.join('\n'));
    await tick(6250);
    await r.loop.replan();
    assert.equal(r.events.filter((e) => e.endsWith('.reannounce')).length, 2, 'once per silence');
  });

  it('after a 27 s silence and 3 s of renewals, a killed node is counted gone a Lease duration after its last renewal, and back when its restarted speaker renews', async () => {
    const r = rig({ eips: [lan], services: lanServices }, ['n1', 'n2']);
    const n2s = ips.filter((ip) => electOwner(ip, ['n1', 'n2']) === 'n2');
    await r.loop.start();
    let n2At = NOW;
    const tick = async (t: number, n2Renews: boolean) => {
      r.world.now = NOW + t;
      if (n2Renews) n2At = NOW + t;
      r.world.leases = [lease('n1', NOW + t), lease('n2', n2At)];
      r.loop.changed('leases');
      await settle();
    };
    for (let t = 250; t <= 2000; t += 250) await tick(t, true);
    r.world.now = NOW + 29_000; // 27 s without a Lease event (API server stopped)
    await r.loop.replan();
    assert.ok(r.logs.some((l) => /keeping the last plan/.test(l)), r.logs.join('\n'));
    for (let t = 29_250; t <= 32_000; t += 250) await tick(t, true); // resumed; n2 killed after 32 s
    assert.ok(r.logs.some((l) => /judging liveness again/.test(l)));
    let goneAt: number | undefined;
    for (let t = 32_250; t <= 33_500 && goneAt === undefined; t += 250) {
      await tick(t, false);
      if (r.logs.some((l) => /^n2 counted gone/.test(l))) goneAt = t;
    }
    assert.equal(goneAt, 32_000 + 1000, `n2 (last renewal at 32 s) counted gone at the first n1 renewal past 32.8 s:\n${r.logs.join('\n')}`);
    assert.deepEqual(r.logs.filter((l) => /counted gone/.test(l)), [`n2 counted gone: its speaker Lease did not change for ${LEASE_MS} ms while others did`]);
    assert.deepEqual(r.drivers.layer2.applied.at(-1)!.map((w) => w.ip).sort(), [...ips].sort(), 'n1 took n2\'s addresses');
    // The restarted speaker keeps holderIdentity = its node name; its first renewal writes a new renewTime.
    await tick(33_250, true);
    assert.ok(r.logs.includes('n2 counted live: its speaker Lease changes'), r.logs.join('\n'));
    assert.ok(r.drivers.layer2.applied.at(-1)!.every((w) => !n2s.includes(w.ip)), 'n2\'s addresses returned to it');
  });

  it('stop releases the Lease first, lets the plan in progress end without applying, then stops vip, layer2, BGP', async () => {
    const r = rig();
    await r.loop.start();
    r.events.length = 0;
    const g = gate();
    r.drivers.layer2.gate = g.p;
    r.loop.changed('eips');
    const stopped = r.loop.stop();
    await settle();
    assert.deepEqual(r.events, ['layer2.ensure', 'lease.release']);
    g.open();
    await stopped;
    assert.deepEqual(r.events, ['layer2.ensure', 'lease.release', 'vip.stop', 'layer2.stop', 'bgp.stop']);
    r.loop.changed('eips');
    await settle();
    assert.equal(r.world.observed, 2, 'no plan after stop');
  });

  it('a failed plan is logged and the next one runs', async () => {
    const r = rig();
    r.world.fail = new Error('boom');
    await r.loop.start();
    assert.deepEqual(r.logs, ['plan failed: boom']);
    await r.loop.replan();
    assert.ok(r.events.includes('bgp.apply'));
  });

  it('logs what the drivers changed every time, a problem only once', async () => {
    const r = rig({
      nodes: [node('n1', { ips: ['10.0.0.1'] })],
      eips: [eip('routed6', { address: 'fd00:22::/124', protocol: 'bgp' })], services: [service('c', 'fd00:22::3')],
    });
    r.drivers.layer2.onApply = () => ['layer2: announcing 192.168.0.100 on eth0'];
    await r.loop.start();
    await r.loop.replan();
    assert.deepEqual(r.logs, [
      'bgp: no InternalIP of fd00:22::3\'s family on this node; not announcing fd00:22::3/128',
      'layer2: announcing 192.168.0.100 on eth0',
      'layer2: announcing 192.168.0.100 on eth0',
    ]);
  });

  it('an interface found unusable while applying asks for exactly one more plan, which reports it', async () => {
    const vipEip = eip('v', { address: '192.168.0.100/30', protocol: 'vip', interface: 'eth0' });
    const r = rig({ eips: [vipEip], services: [service('a', '192.168.0.100')] }, ['n1']);
    const why = { error: 'cannot add 192.168.0.100 on eth0: refused', reason: 'VipAddressFailed' };
    r.drivers.vip.onApply = () => { r.drivers.vip.current = { unusable: new Map([['eth0', why]]), hostAddresses: [] }; return []; };
    await r.loop.start();
    await settle();
    assert.equal(r.world.observed, 2);
    assert.deepEqual(r.drivers.vip.applied.map((w) => w.placements.length), [1, 0]);
    assert.deepEqual(r.conditions.map((c) => c[0].reason), ['ConfigSpeaker', 'VipAddressFailed']);
  });
});
