// The controller's hardest interleavings, on the fake API server (controller-fake.ts) in
// virtual time: commit conflicts, the echo of our own writes, the journal/mirror order, a
// controller killed mid-batch, two controllers racing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EipObject } from '../../runtime/src/allocator';
import { journalGenOf, type JournalEntry } from '../../runtime/src/controller/journal';
import { JOURNAL_CONFIGMAP } from '../../runtime/src/ops/names';
import type { Obj } from './controller-fake';
import { NS, eip, invariantProblems, ipOf, records, service, settle, simulate, startController, type Sim } from './controller-sim';

const journalOf = (o: Obj): Record<string, JournalEntry> =>
  Object.fromEntries(Object.entries((o.data ?? {}) as Record<string, string>).map(([k, v]) => [k, JSON.parse(v) as JournalEntry]));

function assertInvariants(sim: Sim, settled = true): void {
  assert.deepEqual(invariantProblems(sim.kube, { settled }), [], sim.logs.join('\n'));
}

test('a commit conflict (409): the journal is read again and the batch planned again', async (t) => {
  const sim = simulate(t);
  sim.kube.latency = { request: () => 1, answer: () => 1, watch: () => 1 };
  const pool = sim.kube.create('eips', eip('pool', '10.0.0.0/29', { isDefault: true }));
  const a = await startController(sim, 'a');
  await settle(sim, a);
  // Just before our first commit, another controller claims 10.0.0.0 in the journal (and shows it).
  sim.kube.create('services', { ...service('other', 'x'), status: { loadBalancer: { ingress: [{ ip: '10.0.0.0' }] } } });
  const claim = (ip: string, key: string, gen = journalGenOf(sim.kube.get('eips', '', 'pool') as EipObject)) => ({
    pool: JSON.stringify({ uid: pool.metadata.uid, gen, set: { ...journalOf(sim.kube.get('configmaps', NS, JOURNAL_CONFIGMAP) ?? { metadata: {} }).pool?.set, [ip]: key } }),
  });
  sim.kube.inject({
    match: (r) => r.client === 'a' && r.kind === 'configmaps' && r.verb === 'create',
    before: () => sim.kube.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: JOURNAL_CONFIGMAP, namespace: NS }, data: claim('10.0.0.0', 'other/x') }),
  });
  sim.kube.create('services', service('x', 's0'));
  await settle(sim, a);
  assert.equal(ipOf(sim.kube.get('services', 'x', 's0')!), '10.0.0.1', 'planned again around the other claim');
  assert.equal(ipOf(sim.kube.get('services', 'other', 'x')!), '10.0.0.0', 'the other claim stands');

  // The same with the journal in place: a PUT refused because another writer got there first.
  sim.kube.inject({
    match: (r) => r.client === 'a' && r.kind === 'configmaps' && r.verb === 'replace',
    before: () => {
      const cm = sim.kube.get('configmaps', NS, JOURNAL_CONFIGMAP)!;
      sim.kube.create('services', { ...service('other', 'y'), status: { loadBalancer: { ingress: [{ ip: '10.0.0.2' }] } } });
      sim.kube.replace('configmaps', { ...cm, data: claim('10.0.0.2', 'other/y') });
    },
  });
  sim.kube.create('services', service('x', 's1'));
  await settle(sim, a);
  assert.equal(ipOf(sim.kube.get('services', 'x', 's1')!), '10.0.0.3');
  const conflicts = sim.kube.requests.filter((r) => r.client === 'a' && r.kind === 'configmaps' && r.failed === 409);
  assert.equal(conflicts.length, 2, 'each conflict cost one refused write');
  assertInvariants(sim);
  await sim.run(a.ctl.stop());
});

for (const [order, latency] of [
  ['echo before the answer', { request: () => 1, answer: () => 6, watch: () => 0 }],
  ['echo after the answer', { request: () => 1, answer: () => 0, watch: () => 6 }],
] as const) {
  test(`the echo of our own writes causes no work (${order}); others' changes do`, async (t) => {
    const sim = simulate(t);
    sim.kube.latency = latency;
    sim.kube.create('eips', eip('pool', '10.1.0.0/24', { isDefault: true }));
    const a = await startController(sim, 'a');
    await settle(sim, a);
    for (let i = 0; i < 30; i++) sim.kube.create('services', service('x', `s${i}`));
    await settle(sim, a);
    assertInvariants(sim);
    // Each Service reconciled once (its creation), the Eip once (on gaining leadership).
    assert.deepEqual({ services: a.ctl.work.services, eips: a.ctl.work.eips }, { services: 30, eips: 1 });
    const ours = sim.kube.requests.filter((r) => r.client === 'a');
    assert.equal(ours.filter((r) => r.kind === 'services' && r.verb === 'status').length, 30, 'one status write per Service');
    assert.equal(ours.filter((r) => r.kind === 'services' && r.verb === 'get').length, 0, 'no Service read again');
    assert.equal(ours.filter((r) => r.failed === 409).length, 0, 'no conflict with ourselves');

    // Someone else's changes are reconciled, once each.
    const s3 = sim.kube.get('services', 'x', 's3')!;
    sim.kube.replace('services', { ...s3, metadata: { ...s3.metadata, labels: { team: 'a' } } });
    const e = sim.kube.get('eips', '', 'pool')!;
    sim.kube.replace('eips', { ...e, spec: { ...e.spec, priority: 5 } });
    await settle(sim, a);
    assert.deepEqual({ services: a.ctl.work.services, eips: a.ctl.work.eips }, { services: 31, eips: 2 });
    assertInvariants(sim);
    await sim.run(a.ctl.stop());
  });
}

test('journal and mirror order: a mirror only when the entry\'s gen is the Eip\'s journalGen, a trim after it', async (t) => {
  const sim = simulate(t, 7);
  sim.kube.latency = { request: () => Math.floor(sim.rng() * 3), answer: () => Math.floor(sim.rng() * 3), watch: () => Math.floor(sim.rng() * 4) };
  sim.kube.create('eips', eip('p', '10.2.0.0/24', { namespaces: ['x'] }));
  sim.kube.create('eips', eip('q', 'fd00::/120', { namespaces: ['y'] }));
  let journal: Record<string, JournalEntry> = {};
  const lastGen = new Map<string, number>();
  const awaitingTrim = new Map<string, number>();
  const violations: string[] = [];
  let refusedTrim = false;
  sim.kube.onChange = (kind, obj) => {
    if (kind === 'configmaps' && obj.metadata.name === JOURNAL_CONFIGMAP) {
      journal = journalOf(obj);
      for (const [name, gen] of awaitingTrim) {
        const e = journal[name];
        if (!e || e.gen === gen) awaitingTrim.delete(name); // trimmed (gen + 1) or gone
      }
      return;
    }
    if (kind !== 'eips') return;
    const name = obj.metadata.name!;
    const gen = journalGenOf(obj as EipObject);
    const before = lastGen.get(name) ?? 0;
    lastGen.set(name, gen);
    if (gen === before) return;
    if (gen !== before + 1) violations.push(`${name}: journalGen ${before} → ${gen}`);
    if (journal[name]?.gen !== before) violations.push(`${name}: mirror ${gen} while the entry's gen is ${journal[name]?.gen}`);
    if (awaitingTrim.has(name)) violations.push(`${name}: mirror ${gen} before the trim of the one before`);
    awaitingTrim.set(name, gen);
  };
  // Once, the trim after a mirror fails: the next mirror must trim first.
  sim.kube.inject({
    match: (r) => !refusedTrim && r.kind === 'configmaps' && r.verb === 'replace' && awaitingTrim.size > 0 && (refusedTrim = true),
    effect: 'refuse', code: 500,
  });
  const a = await startController(sim, 'a');
  for (let burst = 0; burst < 6; burst++) {
    for (let i = 0; i < 25; i++) sim.kube.create('services', burst % 2 ? service('y', `s${burst}-${i}`) : service('x', `s${burst}-${i}`));
    await sim.sleep(40 + Math.floor(sim.rng() * 400));
  }
  await settle(sim, a);
  assert.ok(refusedTrim, 'a trim was refused (the case under test)');
  assert.deepEqual(violations, []);
  assert.ok((lastGen.get('p') ?? 0) >= 2 && (lastGen.get('q') ?? 0) >= 2, 'several mirrors per Eip');
  assert.deepEqual(journal, {}, 'every entry trimmed');
  assertInvariants(sim);
  await sim.run(a.ctl.stop());
});

test('a controller killed mid-batch (its commit applied, its answer lost): the next one keeps every address', async (t) => {
  const sim = simulate(t, 3);
  sim.kube.latency = { request: () => 1, answer: () => 1, watch: () => 1 + Math.floor(sim.rng() * 3) };
  sim.kube.create('eips', eip('pool', '10.3.0.0/23', { isDefault: true }));
  const a = await startController(sim, 'a');
  let commits = 0;
  let claimed: Record<string, string> = {};
  sim.kube.onChange = (kind, obj) => {
    if (kind !== 'configmaps' || ++commits !== 12) return;
    claimed = journalOf(obj).pool?.set ?? {};
    a.client.kill(); // between the commit and the Service writes
  };
  for (let i = 0; i < 120; i++) {
    sim.kube.create('services', service('x', `s${i}`));
    if (i % 10 === 9) await sim.sleep(3);
  }
  await sim.sleep(500);
  assert.ok(commits >= 12, 'killed mid-burst');
  const shownBefore = new Map(sim.kube.list('services').filter(ipOf).map((s) => [s.metadata.name, ipOf(s)]));
  const pending = Object.entries(claimed).filter(([, key]) => key && sim.kube.get('services', 'x', key.split('/')[1]) && !shownBefore.has(key.split('/')[1]));
  assert.ok(pending.length > 0, 'claims committed that no Service shows yet (the case under test)');

  const b = await startController(sim, 'b');
  await settle(sim, b);
  assertInvariants(sim);
  const after = new Map(sim.kube.list('services').map((s) => [s.metadata.name, ipOf(s)]));
  for (const [name, ip] of shownBefore) assert.equal(after.get(name), ip, `${name} kept its address`);
  for (const [ip, key] of pending) assert.equal(after.get(key.split('/')[1]), ip, `${key} got the address its lost commit claimed`);
  await sim.run(b.ctl.stop());
});

test('two controllers racing: never one address twice, and the record agrees', async (t) => {
  const sim = simulate(t, 11);
  sim.kube.latency = { request: () => Math.floor(sim.rng() * 3), answer: () => Math.floor(sim.rng() * 3), watch: () => Math.floor(sim.rng() * 5) };
  sim.kube.create('eips', eip('race', '10.4.0.0/24', { namespaces: ['race'] }));
  // Both lead (as with different Lease names): only the resourceVersions keep them apart.
  const a = await startController(sim, 'a');
  const b = await startController(sim, 'b');
  for (let i = 0; i < 60; i++) {
    sim.kube.create('services', service('race', `r${i}`));
    if (i % 6 === 5) await sim.sleep(2);
  }
  await settle(sim, a, b);
  assertInvariants(sim);
  const ips = sim.kube.list('services').map(ipOf);
  assert.equal(new Set(ips).size, 60);
  assert.equal(Object.keys(records(sim.kube).get('race')!).length, 60);
  const conflicts = sim.kube.requests.filter((r) => r.kind === 'configmaps' && r.failed === 409).length;
  assert.ok(a.ctl.work.services > 0 && b.ctl.work.services > 0 && conflicts > 0, `both worked and collided (${conflicts} journal conflicts)`);
  await sim.run(Promise.all([a.ctl.stop(), b.ctl.stop()]));
});

test('a restart changes nothing; a wiped Eip status is rebuilt from what the Services show', async (t) => {
  const sim = simulate(t, 5);
  sim.kube.latency = { request: () => 1, answer: () => 1, watch: () => 2 };
  sim.kube.create('eips', eip('bulk', '10.5.0.0/24', { namespaces: ['bulk'] }));
  let ctl = await startController(sim, 'first');
  for (let i = 0; i < 50; i++) sim.kube.create('services', service('bulk', `s${i}`));
  await settle(sim, ctl);
  await sim.run(ctl.ctl.stop());
  const before = new Map(sim.kube.list('services').map((s) => [s.metadata.name, `${ipOf(s)} ${s.metadata.resourceVersion}`]));
  const eipBefore = sim.kube.get('eips', '', 'bulk')!.metadata.resourceVersion;

  ctl = await startController(sim, 'second');
  await settle(sim, ctl);
  await sim.run(ctl.ctl.stop());
  assert.deepEqual(new Map(sim.kube.list('services').map((s) => [s.metadata.name, `${ipOf(s)} ${s.metadata.resourceVersion}`])), before, 'not even a write');
  assert.equal(sim.kube.get('eips', '', 'bulk')!.metadata.resourceVersion, eipBefore);

  const e = sim.kube.get('eips', '', 'bulk')!;
  sim.kube.replace('eips', { ...e, status: {} }, 'status');
  ctl = await startController(sim, 'third');
  await settle(sim, ctl);
  await sim.run(ctl.ctl.stop());
  assert.equal(sim.kube.get('eips', '', 'bulk')!.status.usage, 50);
  for (const s of sim.kube.list('services')) assert.equal(`${ipOf(s)}`, before.get(s.metadata.name)!.split(' ')[0], `${s.metadata.name} kept its address`);
  assertInvariants(sim);
});
