// Random interleavings of the controller on the fake API server, in virtual time: users create,
// change and delete Services; requests are slow, refused, lost or beaten by another writer;
// watches relist; controllers crash and restart. After quiescence the invariants hold
// (controller-sim.ts: no unasked sharing, the record and the Services agree, nobody lost,
// status.used mirrored). Two modes:
//  - one leader at a time (the Lease's promise): a crashed controller's successor starts after
//    it; nothing else repairs what the survivor leaves, so its steady state is what is checked;
//  - two leaders racing (two Lease names): the journal alone keeps them apart, and its record
//    never gives one address to two Services that did not ask to share; Service statuses written
//    from a racer's older view are put right once one of them leads alone again.
//
// Each run prints its seed; OPENELB_CONTROLLER_SEED=<seed> replays that one alone (virtual time
// makes a run repeatable), OPENELB_CONTROLLER_RUNS=<n> adds n fresh random seeds per mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EIP_IP_ANNOTATION, EIP_POOL_ANNOTATION } from '../../runtime/src/allocator';
import type { Fault, Kind, Obj, Verb } from './controller-fake';
import { eip, invariantProblems, service, settle, simulate, startController, type Running, type Sim } from './controller-sim';

const FIXED = [1, 2, 3, 4, 5, 6, 7, 8];
const replay = process.env.OPENELB_CONTROLLER_SEED;
const fresh = Number(process.env.OPENELB_CONTROLLER_RUNS ?? 1);
const seeds = replay ? [Number(replay)] : [...FIXED, ...Array.from({ length: fresh }, () => Math.floor(Math.random() * 2 ** 31))];

const NAMESPACES = ['x', 'ns1', 'ns6'];
const pick = <T>(sim: Sim, xs: readonly T[]): T => xs[Math.floor(sim.rng() * xs.length)];
const chance = (sim: Sim, p: number): boolean => sim.rng() < p;

for (const racing of [false, true]) {
  for (const seed of seeds) {
    const mode = racing ? 'two leaders racing' : 'one leader at a time';
    test(`random interleavings, ${mode}, seed ${seed}`, async (t) => {
      t.diagnostic(`replay with OPENELB_CONTROLLER_SEED=${seed}`);
      const sim = simulate(t, seed);
      const problems = await scenario(sim, racing);
      assert.deepEqual(problems, [], `${mode}, seed ${seed} (replay: OPENELB_CONTROLLER_SEED=${seed})\n${sim.logs.slice(-40).join('\n')}`);
    });
  }
}

async function scenario(sim: Sim, racing: boolean): Promise<string[]> {
  const delay = (max: number) => () => (chance(sim, 0.05) ? 20 + Math.floor(sim.rng() * 40) : Math.floor(sim.rng() * max));
  sim.kube.latency = { request: delay(3), answer: delay(3), watch: delay(6) };
  sim.kube.create('eips', eip('a', '10.9.0.0/26', { isDefault: true }));
  sim.kube.create('eips', eip('b', '10.9.1.0/27', { namespaces: ['ns1'] }));
  sim.kube.create('eips', eip('c', 'fd00::/122', { namespaces: ['ns6'] }));
  let started = 0;
  const start = async (): Promise<Running> => startController(sim, `c${started++}`);
  let alive: Running[] = [await start()];
  const problems: string[] = [];
  for (let step = 0; step < 80; step++) {
    const roll = sim.rng();
    if (roll < 0.35) createService(sim, step);
    else if (roll < 0.5) changeService(sim);
    else if (roll < 0.6) deleteService(sim);
    else if (roll < 0.8) sim.kube.inject(fault(sim, alive));
    else if (roll < 0.85) pick(sim, alive).client.relistAll();
    else if (roll < 0.92) {
      // A crash: with one leader, its successor takes over; racing, one racer goes.
      const victim = pick(sim, alive);
      victim.client.kill();
      alive = alive.filter((r) => r !== victim);
      if (!racing || alive.length === 0) alive.push(await start());
    } else if (racing && alive.length < 2) {
      alive.push(await start());
    }
    await sim.sleep(Math.floor(sim.rng() * 30));
  }
  sim.kube.clearFaults();
  await settle(sim, ...alive);
  if (racing) {
    problems.push(...invariantProblems(sim.kube, { recordsOnly: true }));
    // The race ends: one racer stops, the other leads alone again (a Lease handover).
    for (const r of alive.slice(1)) await sim.run(r.ctl.stop());
    alive = alive.slice(0, 1);
    alive[0].ctl.stopLeading();
    alive[0].ctl.startLeading();
    await settle(sim, ...alive);
  }
  for (const r of alive) await sim.run(r.ctl.stop());
  problems.push(...invariantProblems(sim.kube, { settled: true }));
  return problems;
}

function createService(sim: Sim, step: number): void {
  const ns = pick(sim, NAMESPACES);
  const o: { ip?: string; pool?: string } = {};
  if (ns === 'x' && chance(sim, 0.2)) o.ip = `10.9.0.${Math.floor(sim.rng() * 12)}`; // may share with a holder
  else if (ns === 'x' && chance(sim, 0.1)) o.pool = 'b';
  sim.kube.create('services', service(ns, `s${step}`, o));
}

function someService(sim: Sim): Obj | undefined {
  const all = sim.kube.list('services').filter((s) => !s.metadata.deletionTimestamp);
  return all.length ? pick(sim, all) : undefined;
}

function changeService(sim: Sim): void {
  const s = someService(sim);
  if (!s) return;
  const annotations = { ...s.metadata.annotations } as Record<string, string>;
  let type = s.spec.type as string;
  const what = sim.rng();
  // A request, once made, is changed but not dropped: a Service sharing an address keeps it
  // when it stops asking (as upstream), and the invariant could not tell it asked.
  if (what < 0.6 && s.metadata.namespace === 'x') {
    annotations[EIP_IP_ANNOTATION] = `10.9.0.${Math.floor(sim.rng() * 12)}`; // in Eip a: never with a request for b
    delete annotations[EIP_POOL_ANNOTATION];
  } else type = type === 'LoadBalancer' ? 'ClusterIP' : 'LoadBalancer';
  sim.kube.replace('services', { ...s, metadata: { ...s.metadata, annotations }, spec: { ...s.spec, type } });
}

function deleteService(sim: Sim): void {
  const s = someService(sim);
  if (s) sim.kube.delete('services', s.metadata.namespace!, s.metadata.name!);
}

/** A failure for one controller's requests: refused, its answer lost, or another writer first. */
function fault(sim: Sim, alive: Running[]): Fault {
  const client = pick(sim, alive).name;
  const [kind, verb] = pick(sim, [['configmaps', 'replace'], ['configmaps', 'get'], ['eips', 'status'], ['services', 'status'], ['services', 'replace'], ['services', 'get'], ['eips', 'get']] as [Kind, Verb][]);
  const match = (r: { client: string; kind: Kind; verb: Verb }) => r.client === client && r.kind === kind && r.verb === verb;
  const times = 1 + Math.floor(sim.rng() * 3);
  const roll = sim.rng();
  if (roll < 0.4) return { match, effect: 'refuse', code: pick(sim, [500, 503, 409, 429]), times };
  if (roll < 0.7 && verb !== 'get') return { match, effect: 'lose', times };
  return { match, times, before: () => anotherWriter(sim, kind) };
}

/** Another writer touches the object first (the speaker on an Eip's status, someone on the journal). */
function anotherWriter(sim: Sim, kind: Kind): void {
  if (kind === 'configmaps') {
    const cm = sim.kube.list('configmaps')[0];
    if (cm) sim.kube.replace('configmaps', { ...cm, metadata: { ...cm.metadata, labels: { ...cm.metadata.labels, touched: String(sim.rng()) } } });
  } else if (kind === 'eips') {
    const e = pick(sim, sim.kube.list('eips'));
    const conditions = [{ type: 'Speaker.node1', status: 'True', reason: 'Serving', message: String(sim.rng()), lastTransitionTime: new Date().toISOString() }];
    sim.kube.replace('eips', { ...e, status: { ...e.status, conditions: [...(e.status?.conditions ?? []).filter((c: { type: string }) => c.type !== 'Speaker.node1'), ...conditions] } }, 'status');
  } else {
    const s = someService(sim);
    if (s) sim.kube.replace('services', { ...s, metadata: { ...s.metadata, labels: { ...s.metadata.labels, touched: String(sim.rng()) } } });
  }
}
