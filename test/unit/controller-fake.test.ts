// The fake API server keeps the rules the controller relies on (controller-fake.ts), and
// WatchEchoes tells our own echoes from others' changes by resourceVersion equality alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatchEchoes } from '../../runtime/src/controller/echoes';
import { isConflict, isNotFound } from '../../runtime/src/kube/client';
import type { Obj } from './controller-fake';
import { eip, service, simulate } from './controller-sim';

const rv = (o: { metadata?: { resourceVersion?: string } } | undefined): string => o?.metadata?.resourceVersion ?? '';

test('fake: preconditions, creates, no-op writes, status subresources, finalizers', async (t) => {
  const { kube } = simulate(t);
  const s = kube.create('services', service('x', 'a'));
  assert.throws(() => kube.create('services', service('x', 'a')), (e) => isConflict(e), 'create of an existing name');
  assert.throws(() => kube.get('services', 'x', 'nope') ?? kube.replace('services', service('x', 'nope')), (e) => isNotFound(e));
  const labelled = kube.replace('services', { ...s, metadata: { ...s.metadata, labels: { a: 'b' } } });
  assert.notEqual(rv(labelled), rv(s));
  assert.throws(() => kube.replace('services', { ...s, metadata: { ...s.metadata, labels: { a: 'c' } } }), (e) => isConflict(e), 'a stale resourceVersion');
  assert.equal(rv(kube.replace('services', labelled)), rv(labelled), 'a write that changes nothing stores nothing');
  // Status writes: status (and, for a Service, labels and finalizers) only; a main write keeps status.
  const shown = kube.replace('services', { ...labelled, spec: { type: 'ClusterIP' }, metadata: { ...labelled.metadata, finalizers: ['f'] }, status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } } }, 'status');
  assert.equal(shown.spec.type, 'LoadBalancer');
  assert.deepEqual(shown.metadata.finalizers, ['f']);
  const e = kube.create('eips', eip('p', '10.0.0.0/24'));
  const st = kube.replace('eips', { ...e, metadata: { ...e.metadata, labels: { no: 'no' } }, status: { usage: 1 } }, 'status');
  assert.deepEqual([st.metadata.labels, st.status, st.metadata.generation], [undefined, { usage: 1 }, 1]);
  assert.equal(kube.replace('eips', { ...st, spec: { ...st.spec, priority: 3 } }).metadata.generation, 2, 'a spec change bumps the generation');
  // A delete waits for the finalizers; removing the last one deletes.
  kube.delete('services', 'x', 'a');
  const deleting = kube.get('services', 'x', 'a')!;
  assert.ok(deleting.metadata.deletionTimestamp);
  kube.replace('services', { ...deleting, metadata: { ...deleting.metadata, finalizers: [] } });
  assert.equal(kube.get('services', 'x', 'a'), undefined);
  // resourceVersions are opaque: not in creation order.
  const versions = Array.from({ length: 20 }, (_, i) => rv(kube.create('namespaces', { metadata: { name: `n${i}` } })));
  assert.notDeepEqual(versions, [...versions].sort());
  const numbers = versions.map((v) => parseInt(v, 36));
  assert.notDeepEqual(numbers, [...numbers].sort((a, b) => a - b));
});

test('fake: a client\'s watch delivers every change in order, its own writes included; faults', async (t) => {
  const sim = simulate(t);
  sim.kube.latency = { request: () => 1, answer: () => 10, watch: () => 2 };
  const c = sim.kube.client('c');
  const w = c.services();
  const seen: string[] = [];
  for (const verb of ['add', 'update', 'delete'] as const) w.on(verb, (o) => seen.push(`${verb} ${rv(o)}`));
  await sim.run(w.start());
  const a = sim.kube.create('services', service('x', 'a'));
  const writing = c.replaceServiceStatus({ ...a, status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } } } as never);
  await sim.sleep(5);
  assert.equal(seen.length, 2, 'the echo came before the answer');
  const written = await sim.run(writing);
  assert.deepEqual(seen, [`add ${rv(a)}`, `update ${rv(written)}`]);
  // Refused, lost after applying, and another writer first.
  sim.kube.inject({ match: (r) => r.verb === 'get', effect: 'refuse', code: 503 });
  await assert.rejects(sim.run(c.getService('x', 'a')), (e: { code?: number }) => e.code === 503);
  sim.kube.inject({ match: (r) => r.verb === 'replace', effect: 'lose' });
  await assert.rejects(sim.run(c.replaceService({ ...written, metadata: { ...written.metadata, labels: { l: '1' } } } as never)), /timed out/);
  assert.deepEqual(sim.kube.get('services', 'x', 'a')!.metadata.labels, { l: '1' }, 'applied, only the answer was lost');
  const now = sim.kube.get('services', 'x', 'a')!;
  sim.kube.inject({ match: (r) => r.verb === 'replace', before: () => sim.kube.replace('services', { ...now, metadata: { ...now.metadata, labels: { l: 'them' } } }) });
  await assert.rejects(sim.run(c.replaceService({ ...now, metadata: { ...now.metadata, labels: { l: 'us' } } } as never)), (e) => isConflict(e));
  // A relist skips what was not delivered and lists again; a killed client answers nothing.
  let relisted = 0;
  w.on('relist', () => relisted++);
  c.relistAll();
  sim.kube.delete('services', 'x', 'a');
  await sim.sleep(30);
  assert.equal(relisted, 1);
  assert.equal(w.get('a', 'x'), undefined);
  c.kill();
  let answered = false;
  void c.listEips().then(() => { answered = true; });
  await sim.sleep(50);
  assert.equal(answered, false);
});

test('echoes: our write\'s echo, before or after the answer, is ours; older versions and later ones are told apart', () => {
  const obj = (v: string): Obj => ({ metadata: { name: 'a', resourceVersion: v } });
  const e = new WatchEchoes<Obj>();
  // Echo after the answer.
  e.begin('a');
  assert.deepEqual(e.end('a', obj('w1')), []);
  assert.equal(e.copy('a')?.metadata.resourceVersion, 'w1');
  assert.equal(e.event('a', obj('older')), 'older', 'the watch has not caught up yet');
  assert.equal(e.event('a', obj('w1')), 'ours');
  assert.equal(e.copy('a'), undefined);
  assert.equal(e.event('a', obj('x')), 'news');
  // Echo before the answer, then someone else's change.
  e.begin('a');
  assert.equal(e.event('a', obj('before')), 'held');
  assert.equal(e.event('a', obj('w2')), 'held');
  assert.equal(e.event('a', obj('theirs')), 'held');
  assert.deepEqual(e.end('a', obj('w2')).map((h) => `${h.obj.metadata.resourceVersion} ${h.seen}`), ['before older', 'w2 ours', 'theirs news']);
  // Two writes ahead: the first echo leaves the second ahead; a delete forgets; a relist drops all.
  e.begin('a'); e.end('a', obj('w3'));
  e.begin('a'); e.end('a', obj('w4'));
  assert.equal(e.event('a', obj('w3')), 'ours');
  assert.equal(e.copy('a')?.metadata.resourceVersion, 'w4');
  assert.equal(e.event('a', obj('gone'), true), 'news');
  assert.equal(e.copy('a'), undefined);
  e.begin('a'); e.end('a', obj('w5'));
  e.relist();
  assert.equal(e.event('a', obj('current')), 'news');
});
