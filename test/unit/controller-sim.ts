// What the controller's fake-API tests share: virtual time (the controller's timers and the
// fake's delays run on node:test's mock timers, so a run is fast and, given its seed,
// repeatable), a seeded PRNG, object builders, starting controllers, and the invariants.
import type { TestContext } from 'node:test';
import { EIP_IP_ANNOTATION, EIP_POOL_ANNOTATION, serviceRequest, type EipObject } from '../../runtime/src/allocator';
import { parseIp } from '@openelb/core/address/ip';
import { parsePoolCached, poolContains } from '@openelb/core/address/pool';
import { AllocationController } from '../../runtime/src/controller/controller';
import { withJournal, type JournalEntry } from '../../runtime/src/controller/journal';
import { JOURNAL_CONFIGMAP } from '../../runtime/src/ops/names';
import { FakeKube, type FakeClient, type Obj } from './controller-fake';
import { prng } from '../harness/support/prng';

export const NS = 'openelb-system';
const realImmediate = setImmediate;

export interface Sim {
  kube: FakeKube;
  rng: () => number;
  /** Lets virtual time run until the promise settles (at most `limitMs` of it). */
  run<T>(p: Promise<T>, limitMs?: number): Promise<T>;
  /** Lets `ms` of virtual time pass. */
  sleep(ms: number): Promise<void>;
  logs: string[];
}

/** Virtual time for this test: setTimeout and Date are mocked; setImmediate and promises stay real. */
export function simulate(t: TestContext, seed = 1): Sim {
  silenceMockTimersWarning();
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  t.mock.method(performance, 'now', () => Date.now());
  const rng = prng(seed);
  t.mock.method(Math, 'random', rng); // retryOnConflict's jitter
  const kube = new FakeKube();
  const turns = async (): Promise<void> => { for (let i = 0; i < 4; i++) await new Promise((r) => realImmediate(r)); };
  const sim: Sim = {
    kube, rng, logs: [],
    async run<T>(p: Promise<T>, limitMs = 600_000): Promise<T> {
      let done = false;
      let out: { ok: true; v: T } | { ok: false; e: unknown } | undefined;
      p.then((v) => { done = true; out = { ok: true, v }; }, (e: unknown) => { done = true; out = { ok: false, e }; });
      for (let ms = 0; ; ms++) {
        await turns();
        if (done) break;
        if (ms >= limitMs) throw new Error(`still waiting after ${limitMs} ms of virtual time`);
        t.mock.timers.tick(1);
      }
      if (!out!.ok) throw out!.e;
      return out!.v;
    },
    async sleep(ms) {
      for (let i = 0; i < ms; i++) { await turns(); t.mock.timers.tick(1); }
      await turns();
    },
  };
  return sim;
}

let silenced = false;
/** node:test's mock timers warn that they are experimental, once per process. */
function silenceMockTimersWarning(): void {
  if (silenced) return;
  silenced = true;
  const emit = process.emitWarning.bind(process);
  process.emitWarning = ((w: string | Error, ...rest: unknown[]) => {
    if (String(w).includes('MockTimers')) return;
    (emit as (...a: unknown[]) => void)(w, ...rest);
  }) as typeof process.emitWarning;
}

// ---- objects ----

export function eip(name: string, address: string, o: { namespaces?: string[]; isDefault?: boolean } = {}): Obj {
  return {
    apiVersion: 'network.kubesphere.io/v1alpha2', kind: 'Eip',
    metadata: { name, ...(o.isDefault ? { annotations: { 'eip.openelb.kubesphere.io/is-default-eip': 'true' } } : {}) },
    spec: { address, protocol: 'layer2', interface: 'eth0', ...(o.namespaces ? { namespaces: o.namespaces } : {}) },
  };
}

/** Each Service a port of its own, so that two asking for one address may share it (no port clash). */
let nextPort = 1024;

export function service(ns: string, name: string, o: { ip?: string; pool?: string; type?: string; port?: number } = {}): Obj {
  const annotations: Record<string, string> = { 'lb.kubesphere.io/v1alpha1': 'openelb' };
  if (o.ip) annotations[EIP_IP_ANNOTATION] = o.ip;
  if (o.pool) annotations[EIP_POOL_ANNOTATION] = o.pool;
  const port = o.port ?? nextPort++;
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, annotations }, spec: { type: o.type ?? 'LoadBalancer', ports: [{ port }] } };
}

// ---- controllers ----

export interface Running { ctl: AllocationController; client: FakeClient; name: string }

/** A controller over a new client of the fake, started and leading (as with its own Lease). */
export async function startController(sim: Sim, name: string): Promise<Running> {
  const client = sim.kube.client(name);
  const ctl = new AllocationController(client, name, NS, (m) => sim.logs.push(`${name}: ${m}`));
  await sim.run(ctl.start());
  ctl.startLeading();
  return { ctl, client, name };
}

/** Lets the watches deliver what is under way, then waits until every controller is idle. */
export async function settle(sim: Sim, ...running: Running[]): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await sim.sleep(50);
    await sim.run(Promise.all(running.map((r) => r.ctl.idle())));
  }
}

// ---- what the store says ----

export const ipOf = (s: Obj): string | undefined => s.status?.loadBalancer?.ingress?.[0]?.ip;

/** Each Eip's record: status.used with the journal's entry on top (journal.ts). */
export function records(kube: FakeKube): Map<string, Record<string, string>> {
  const data = (kube.get('configmaps', NS, JOURNAL_CONFIGMAP)?.data ?? {}) as Record<string, string>;
  const out = new Map<string, Record<string, string>>();
  for (const e of kube.list('eips') as EipObject[]) {
    const name = e.metadata?.name ?? '';
    const entry = data[name] ? JSON.parse(data[name]) as JournalEntry : undefined;
    out.set(name, { ...withJournal(e, entry).status?.used });
  }
  return out;
}

/**
 * The invariants, after quiescence; returns what breaks them:
 *  - no address is shown by two Services that did not ask to share it (its annotation names it);
 *  - every Service showing an address is recorded at it in the Eip containing it, and every
 *    holder a record lists is a Service showing that address (nothing leaks);
 *  - no lost Service: each one that wants an address (and may have one) shows one;
 *  - (settled) status.used is the whole record: the journal holds nothing unmirrored.
 * `recordsOnly` checks the first one in the Eips' records alone (the Services may lag).
 */
export function invariantProblems(kube: FakeKube, o: { settled?: boolean; recordsOnly?: boolean } = {}): string[] {
  const problems: string[] = [];
  const svcs = kube.list('services');
  const recs = records(kube);
  const eips = kube.list('eips') as EipObject[];
  if (o.recordsOnly) return recordProblems(svcs, recs);
  const shownBy = new Map<string, Obj[]>();
  for (const s of svcs) { const ip = ipOf(s); if (ip) shownBy.set(ip, [...(shownBy.get(ip) ?? []), s]); }
  for (const [ip, holders] of shownBy) {
    // Sharing is asked for with the address in the annotation; two who did not ask may not share.
    const unasked = holders.filter((s) => s.metadata.annotations?.[EIP_IP_ANNOTATION] !== ip);
    if (unasked.length > 1) problems.push(`${ip} shown by ${unasked.map(keyOf).join(', ')}, which did not ask to share it`);
  }
  for (const s of svcs) {
    const req = serviceRequest(s);
    const ip = ipOf(s);
    if (req.wanted && !ip) problems.push(`lost: ${keyOf(s)} wants an address and shows none`);
    if (!ip) continue;
    const e = eips.find((x) => { const p = parsePoolCached(x.spec?.address ?? '').pool; const a = parseIp(ip); return !!p && !!a && poolContains(p, a); });
    const holders = (e && recs.get(e.metadata?.name ?? '')?.[ip]?.split(';')) ?? [];
    if (!holders.includes(keyOf(s))) problems.push(`${keyOf(s)} shows ${ip}, which ${e ? `Eip ${e.metadata?.name}'s record gives to ${holders.join(';') || 'nobody'}` : 'no Eip contains'}`);
  }
  for (const [name, used] of recs) {
    for (const [ip, holders] of Object.entries(used)) {
      for (const key of holders.split(';')) {
        const s = svcs.find((x) => keyOf(x) === key);
        if (!s || ipOf(s) !== ip) problems.push(`Eip ${name} records ${ip} for ${key}, which ${s ? `shows ${ipOf(s) ?? 'nothing'}` : 'does not exist'}`);
      }
    }
  }
  if (o.settled) {
    for (const e of eips) {
      const name = e.metadata?.name ?? '';
      if (JSON.stringify(sorted(e.status?.used ?? {})) !== JSON.stringify(sorted(recs.get(name) ?? {}))) problems.push(`Eip ${name}: status.used is behind its record`);
    }
  }
  return problems;
}

/** In the records alone: no address given to two Services that did not ask to share it. */
function recordProblems(svcs: Obj[], recs: Map<string, Record<string, string>>): string[] {
  const problems: string[] = [];
  const asked = new Map(svcs.map((s) => [keyOf(s), s.metadata.annotations?.[EIP_IP_ANNOTATION] as string | undefined]));
  for (const [name, used] of recs) {
    for (const [ip, holders] of Object.entries(used)) {
      const unasked = holders.split(';').filter((k) => asked.get(k) !== ip);
      if (unasked.length > 1) problems.push(`Eip ${name} gives ${ip} to ${unasked.join(', ')}, which did not ask to share it`);
    }
  }
  return problems;
}

const keyOf = (s: Obj): string => `${s.metadata.namespace}/${s.metadata.name}`;
const sorted = (m: Record<string, string>): [string, string][] => Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
