// Tenants (issue #13) through the whole controller, on the fake API server in virtual time: a
// Service of another namespace asking for a held address, or naming an Eip restricted to other
// namespaces, gets a Warning event and no address, and the holder keeps its own.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Obj } from './controller-fake';
import { eip, ipOf, records, service, settle, simulate, startController, type Running, type Sim } from './controller-sim';

const SHARE = 'eip.openelb.kubesphere.io/allow-shared-ip';

function withAnnotations(o: Obj, ann: Record<string, string>): Obj {
  return { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, ...ann } } };
}

/** Runs `body` against one controller over a fake API server holding `eips`, then stops it. */
async function withController(t: TestContext, eips: Obj[], body: (sim: Sim, a: Running) => Promise<void>): Promise<void> {
  const sim = simulate(t);
  for (const e of eips) sim.kube.create('eips', e);
  const a = await startController(sim, 'a');
  await body(sim, a);
  await sim.run(a.ctl.stop());
}

/** Settles, then lets the events out: they wait at most 10 s for the controller to be idle. */
async function settleWithEvents(sim: Sim, a: Running): Promise<void> {
  await settle(sim, a);
  await sim.sleep(11_000);
}

/** The address a Service shows (undefined: none). */
function addressOf(sim: Sim, ns: string, name: string): string | undefined {
  return ipOf(sim.kube.get('services', ns, name)!);
}

/** The Warning events recorded about a Service. */
function warnings(sim: Sim, ns: string, name: string): { reason?: string; message?: string }[] {
  return (sim.kube.list('events') as { type?: string; reason?: string; message?: string; involvedObject?: { kind?: string; namespace?: string; name?: string } }[])
    .filter((e) => e.type === 'Warning' && e.involvedObject?.kind === 'Service' && e.involvedObject.namespace === ns && e.involvedObject.name === name);
}

test('a second tenant asking for a held address gets a Warning event and no address; with the same key it shares', (t) =>
  withController(t, [eip('pool', '10.0.0.0/29', { isDefault: true })], async (sim, a) => {
    await settle(sim, a);
    sim.kube.create('services', withAnnotations(service('team-a', 'web', { ip: '10.0.0.3', port: 80 }), { [SHARE]: 'edge' }));
    await settle(sim, a);
    assert.equal(addressOf(sim, 'team-a', 'web'), '10.0.0.3');

    sim.kube.create('services', service('team-b', 'thief', { ip: '10.0.0.3', port: 443 }));
    await settleWithEvents(sim, a);
    assert.equal(addressOf(sim, 'team-b', 'thief'), undefined, 'no address on show');
    assert.equal(addressOf(sim, 'team-a', 'web'), '10.0.0.3', 'the holder keeps its address');
    assert.deepEqual(records(sim.kube).get('pool'), { '10.0.0.3': 'team-a/web' }, 'the record gives it to the holder alone');
    const w = warnings(sim, 'team-b', 'thief');
    assert.equal(w.length, 1, sim.logs.join('\n'));
    assert.equal(w[0].reason, 'AssignIPFailed');
    assert.match(w[0].message ?? '', /10\.0\.0\.3 is held by team-a\/web and cannot be shared: it is in namespace team-a; .*allow-shared-ip/);

    // Consent: the same key on both, different ports.
    sim.kube.create('services', withAnnotations(service('team-c', 'api', { ip: '10.0.0.3', port: 8443 }), { [SHARE]: 'edge' }));
    await settle(sim, a);
    assert.equal(addressOf(sim, 'team-c', 'api'), '10.0.0.3');
    assert.deepEqual(records(sim.kube).get('pool'), { '10.0.0.3': 'team-a/web;team-c/api' });
    assert.deepEqual(warnings(sim, 'team-c', 'api'), []);
}));

test('a port clash within one namespace is refused with a Warning event naming the port', (t) =>
  withController(t, [eip('pool', '10.0.0.0/29')], async (sim, a) => {
    sim.kube.create('services', service('team', 'one', { ip: '10.0.0.5', port: 80 }));
    await settle(sim, a);
    sim.kube.create('services', service('team', 'two', { ip: '10.0.0.5', port: 80 }));
    await settleWithEvents(sim, a);
    assert.equal(addressOf(sim, 'team', 'two'), undefined);
    assert.match(warnings(sim, 'team', 'two')[0]?.message ?? '', /both use port 80\/TCP/);
    assert.deepEqual(records(sim.kube).get('pool'), { '10.0.0.5': 'team/one' });
}));

const restricted = withAnnotations(eip('team-pool', '10.2.0.0/29', { namespaces: ['team-a'] }), { 'eip.openelb.kubesphere.io/restrict-to-namespaces': 'true' });

test('an Eip restricted to its namespaces refuses a Service of another namespace naming it', (t) =>
  withController(t, [restricted], async (sim, a) => {
    sim.kube.create('services', service('team-b', 'x', { pool: 'team-pool' }));
    sim.kube.create('services', service('team-a', 'y', { pool: 'team-pool' }));
    await settleWithEvents(sim, a);
    assert.equal(addressOf(sim, 'team-b', 'x'), undefined);
    assert.equal(addressOf(sim, 'team-a', 'y'), '10.2.0.0');
    assert.match(warnings(sim, 'team-b', 'x')[0]?.message ?? '', /Eip team-pool is restricted to its namespaces .* serves only namespaces team-a; namespace team-b is not one of them/);
}));

test('a refused Service tries again when the holder that refused it changes (here: it adds the sharing key)', (t) =>
  withController(t, [eip('pool', '10.0.0.0/29')], async (sim, a) => {
    sim.kube.create('services', service('team-a', 'web', { ip: '10.0.0.3', port: 80 }));
    await settle(sim, a);
    sim.kube.create('services', withAnnotations(service('team-b', 'api', { ip: '10.0.0.3', port: 443 }), { [SHARE]: 'edge' }));
    await settle(sim, a);
    assert.equal(addressOf(sim, 'team-b', 'api'), undefined, 'refused: the holder has no key');
    sim.kube.replace('services', withAnnotations(sim.kube.get('services', 'team-a', 'web')!, { [SHARE]: 'edge' }));
    await settle(sim, a);
    assert.equal(addressOf(sim, 'team-b', 'api'), '10.0.0.3', sim.logs.join('\n'));
    assert.deepEqual(records(sim.kube).get('pool'), { '10.0.0.3': 'team-a/web;team-b/api' });
}));
