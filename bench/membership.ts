// Bench: speaker membership — SWIM gossip (runtime/src/speaker/membership) against today's design
// (every speaker renews a Lease every DEFAULT_RENEW_MS and watches every Lease), side by side.
//   1. The gossip protocol in virtual time at N = 10, 100, 1,000 (the pure core with HMAC over the
//      simulated network of test/harness/support/membershipSim.ts): datagrams and CPU per member, time to
//      agree at start, to detect a killed and a cleanly stopped member. No scheduler noise: this is
//      what the protocol does when every member has its own CPU, as on real nodes.
//   2. Real GossipNodes (UDP, HMAC, timers) on 127.0.0.1, one port each, in worker processes, at
//      N = 10 and 100 by default: the same figures as measured, on this (shared) machine.
//   3. A real kube-apiserver + etcd (test/harness/cluster) with N Lease renewers at today's period
//      and request pattern (PUT of the last object) and N watchers of the namespace's Leases: PUT/s
//      and watch events/s as kube-apiserver counts them, at N = 10 and 100; 1,000 is extrapolated
//      (N/period writes, N²/period events) and labelled so. Beside it the gossip design as wired
//      (runSpeaker.ts with the key): N renewers every 10 s, no Lease watch, N watchers of the
//      speaker pods, measured at N = 10, 100 and 1,000.
//   npm run bench:membership   (node --import tsx bench/membership.ts [Ns [UDP Ns]]; part 3 takes
//   /tmp/openelb-tiers.lock itself, for as long as it runs)
// BENCH_MEMBERSHIP_NO_API=1 skips part 3. Writes bench/results/membership-bench.md.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CoordinationV1Api, CoreV1Api, V1MicroTime, Watch, type V1Lease } from '@kubernetes/client-node';
import { GossipNode } from '../runtime/src/speaker/membership/gossipNode';
import { DEFAULT_CONFIG } from '../runtime/src/speaker/membership/config';
import { DEFAULT_LEASE_MS, DEFAULT_RENEW_MS, GOSSIP_LEASE_MS, GOSSIP_RENEW_MS } from '../runtime/src/speaker/node/runSpeaker';
import { loadKubeConfig } from '../runtime/src/kube/kubeconfig';
import { startCluster, type Cluster } from '../test/harness/cluster/cluster';
import { diffApiMetrics, scrapeApiMetrics } from '../test/harness/cluster/apiMetrics';
import { SimNet } from '../test/harness/support/membershipSim';

const ROOT = resolve(__dirname, '..');
const KEY = Buffer.alloc(32, 5);
const BASE_PORT = Number(process.env.BENCH_MEMBERSHIP_PORT ?? 41000);
const STEADY_MS = 10_000;
const LOCK = '/tmp/openelb-tiers.lock';
const wall = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- worker: runs a share of the members --------------------------------------------------------

type Cmd =
  | { id: number; cmd: 'start'; names: string[]; all: [string, number][] }
  | { id: number; cmd: 'status' }
  | { id: number; cmd: 'kill' | 'leave'; name: string }
  | { id: number; cmd: 'seen'; about: string; state: string; since: number }
  | { id: number; cmd: 'exit' };

function worker(): void {
  const nodes = new Map<string, GossipNode>();
  /** Wall times each observer saw each (member, state). */
  const seen = new Map<string, number[]>();
  const reply = (id: number, body: unknown) => process.send!({ id, body });
  let falseSuspicions = 0;
  process.on('message', async (m: Cmd) => {
    switch (m.cmd) {
      case 'start': {
        const peers = new Map(m.all.map(([n, port]) => [n, { ip: '127.0.0.1', port }]));
        const ports = new Map(m.all);
        for (const name of m.names) {
          const g = new GossipNode({
            node: name, bindAddress: '127.0.0.1', port: ports.get(name)!, keys: [KEY], log: (s) => console.error(`${name}: ${s}`),
            onChange: (c) => {
              const k = `${name}|${c.node}|${c.to}`;
              if (c.to !== 'alive') falseSuspicions++;
              let ts = seen.get(k);
              if (!ts) seen.set(k, (ts = []));
              ts.push(wall());
            },
          });
          nodes.set(name, g);
          await g.start();
          g.setPeers(peers);
        }
        return reply(m.id, { started: nodes.size });
      }
      case 'status': {
        let sent = 0; let received = 0; const suspicions = falseSuspicions; let minLive = Infinity; let healthy = 0; let dropped = 0; let badMac = 0;
        for (const g of nodes.values()) {
          sent += g.swim.stats.sent; received += g.swim.stats.received; dropped += g.io.dropped; badMac += g.swim.stats.badMac;
          minLive = Math.min(minLive, g.live().length);
          if (g.gossipHealthy()) healthy++;
        }
        const cpu = process.cpuUsage();
        return reply(m.id, { suspicions, sent, received, dropped, badMac, minLive, healthy, members: nodes.size, cpuUs: cpu.user + cpu.system, rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed });
      }
      case 'kill': case 'leave': {
        const g = nodes.get(m.name);
        const at = wall();
        if (g) { if (m.cmd === 'kill') g.close(); else await g.leave(); nodes.delete(m.name); }
        return reply(m.id, { at });
      }
      case 'seen': {
        // Per observer: the first time it entered `state` since `since`, and whether it holds it now
        // (an observer that wrongly held it dead before the kill has no new time).
        const times: number[] = [];
        let holding = 0;
        for (const [name, g] of nodes) {
          const t = (seen.get(`${name}|${m.about}|${m.state}`) ?? []).find((x) => x >= m.since);
          if (t !== undefined) times.push(t);
          const st = g.swim.member(m.about)?.state;
          if (st === 'dead' || st === 'left') holding++;
        }
        return reply(m.id, { times, holding, observers: nodes.size });
      }
      case 'exit':
        for (const g of nodes.values()) g.close();
        reply(m.id, {});
        setTimeout(() => process.exit(0), 50);
    }
  });
}

// ---- parent: gossip side ------------------------------------------------------------------------

class Pool {
  private next = 0;
  private readonly waiting = new Map<number, (b: unknown) => void>();
  constructor(readonly procs: ChildProcess[]) {
    for (const p of procs) p.on('message', (m: { id: number; body: unknown }) => { this.waiting.get(m.id)?.(m.body); this.waiting.delete(m.id); });
  }
  call<T>(i: number, cmd: Record<string, unknown>): Promise<T> {
    const id = ++this.next;
    return new Promise((res) => { this.waiting.set(id, res as (b: unknown) => void); this.procs[i].send({ ...cmd, id }); });
  }
  all<T>(cmd: Record<string, unknown>): Promise<T[]> { return Promise.all(this.procs.map((_, i) => this.call<T>(i, cmd))); }
}

interface Status { suspicions: number; sent: number; received: number; dropped: number; badMac: number; minLive: number; healthy: number; members: number; cpuUs: number; rss: number; heap: number }

export interface GossipResult {
  n: number; workers: number; convergeMs: number; cpuPerMemberPct: number; rssPerMemberKiB: number; heapPerMemberKiB: number;
  msgsPerMemberPerS: number; killFirstMs: number; killAllMs: number; leaveFirstMs: number; leaveAllMs: number; dropped: number;
  /** Suspect/dead changes during the steady window (false: nobody was down) and observers that
   * held the killed member dead before it was killed. */
  falseChanges: number; preDead: number; load: string;
}

async function waitUntil(what: string, ok: () => Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<number> {
  const t0 = wall();
  while (!(await ok())) {
    if (wall() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(stepMs);
  }
  return wall() - t0;
}

async function detection(pool: Pool, owner: number, name: string, how: 'kill' | 'leave', state: string, n: number): Promise<[number, number, number]> {
  const { at } = await pool.call<{ at: number }>(owner, { cmd: how, name });
  let times: number[] = [];
  await waitUntil(`${n - 1} members hold ${name} ${state}`, async () => {
    const r = await pool.all<{ times: number[]; holding: number }>({ cmd: 'seen', about: name, state, since: at });
    times = r.flatMap((x) => x.times);
    return r.reduce((a, x) => a + x.holding, 0) >= n - 1;
  }, 30_000, 25);
  return [Math.min(...times) - at, Math.max(...times) - at, n - 1 - times.length];
}

async function gossipRun(n: number): Promise<GossipResult> {
  const workers = Math.min(n <= 10 ? 1 : cpus().length, 4);
  const names = Array.from({ length: n }, (_, i) => `node${String(i).padStart(4, '0')}`);
  const all: [string, number][] = names.map((nm, i) => [nm, BASE_PORT + i]);
  const procs = Array.from({ length: workers }, () => fork(__filename, ['--worker'], { execArgv: ['--import', 'tsx'], cwd: ROOT }));
  const pool = new Pool(procs);
  const owner = (i: number) => i % workers;
  try {
    const before = await pool.all<Status>({ cmd: 'status' });
    const t0 = wall();
    await Promise.all(procs.map((_, w) => pool.call(w, { cmd: 'start', names: names.filter((_, i) => owner(i) === w), all })));
    // Everyone holds everyone alive: the time from the first start to agreement.
    await waitUntil('every member holds all others alive', async () => (await pool.all<Status>({ cmd: 'status' })).every((s) => s.minLive === n), 60_000);
    const convergeMs = wall() - t0;
    await sleep(2000); // let the join burst pass
    const load = loadavg().map((x) => x.toFixed(1)).join(' / ');
    const s0 = await pool.all<Status>({ cmd: 'status' });
    const w0 = wall();
    await sleep(STEADY_MS);
    const s1 = await pool.all<Status>({ cmd: 'status' });
    const secs = (wall() - w0) / 1000;
    const sum = (xs: Status[], f: (s: Status) => number) => xs.reduce((a, s) => a + f(s), 0);
    const cpuPct = (sum(s1, (s) => s.cpuUs) - sum(s0, (s) => s.cpuUs)) / 1e6 / secs * 100;
    const msgs = (sum(s1, (s) => s.sent + s.received) - sum(s0, (s) => s.sent + s.received)) / secs;
    const falseChanges = sum(s1, (s) => s.suspicions) - sum(s0, (s) => s.suspicions);
    const [killFirstMs, killAllMs, preDead] = await detection(pool, owner(3), names[3], 'kill', 'dead', n);
    const [leaveFirstMs, leaveAllMs] = await detection(pool, owner(n - 2), names[n - 2], 'leave', 'left', n - 1);
    return {
      n, workers, convergeMs, cpuPerMemberPct: cpuPct / n,
      rssPerMemberKiB: (sum(s1, (s) => s.rss) - sum(before, (s) => s.rss)) / 1024 / n,
      heapPerMemberKiB: (sum(s1, (s) => s.heap) - sum(before, (s) => s.heap)) / 1024 / n,
      msgsPerMemberPerS: msgs / n, killFirstMs, killAllMs, leaveFirstMs, leaveAllMs, dropped: sum(s1, (s) => s.dropped),
      falseChanges, preDead, load,
    };
  } finally {
    await pool.all({ cmd: 'exit' }).catch(() => undefined);
    for (const p of procs) p.kill('SIGKILL');
  }
}

// ---- the pure core in virtual time (no sockets, no scheduler noise) -----------------------------

export interface SimResult {
  n: number; convergeMs: number; msgsPerMemberPerS: number; cpuUsPerMemberSecond: number; heapPerMemberKiB: number;
  killFirstMs: number; killAllMs: number; leaveFirstMs: number; leaveAllMs: number; falseChanges: number;
}

function simRun(n: number): SimResult {
  const net = new SimNet({ seed: 7, record: false });
  const ns = Array.from({ length: n }, (_, i) => `node${String(i).padStart(4, '0')}`);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  net.start(ns);
  let convergeMs = 0;
  while (ns.some((o) => net.nodes.get(o)!.live().length < n) && convergeMs < 10_000) { net.run(10); convergeMs += 10; }
  net.run(3000);
  const total = () => [...net.nodes.values()].reduce((a, s) => a + s.stats.sent + s.stats.received, 0);
  const m0 = total(); const v0 = net.now; const c0 = process.cpuUsage(); const ch0 = net.changes.length;
  net.run(STEADY_MS);
  const c = process.cpuUsage(c0);
  const secs = (net.now - v0) / 1000;
  const msgs = (total() - m0) / n / secs;
  const falseChanges = net.changes.slice(ch0).filter((x) => x.change.to !== 'alive').length;
  gc?.(); // with --expose-gc (npm run bench:membership) the heap is measured after a full collection
  const heap = (process.memoryUsage().heapUsed - heap0) / 1024 / n;
  const t0 = net.now;
  net.kill(ns[3]);
  net.run(3000);
  const dead = [...net.firstSeen(ns[3], 'dead').values()].map((x) => x - t0);
  const t1 = net.now;
  net.leave(ns[n - 2]);
  net.run(300);
  const left = [...net.firstSeen(ns[n - 2], 'left').values()].map((x) => x - t1);
  return {
    n, convergeMs, msgsPerMemberPerS: msgs, cpuUsPerMemberSecond: (c.user + c.system) / n / secs, heapPerMemberKiB: heap,
    killFirstMs: Math.min(...dead), killAllMs: dead.length === n - 1 ? Math.max(...dead) : Infinity,
    leaveFirstMs: Math.min(...left), leaveAllMs: left.length === n - 2 ? Math.max(...left) : Infinity, falseChanges,
  };
}

// ---- parent: Lease side -------------------------------------------------------------------------

/** 'today': renew every DEFAULT_RENEW_MS, every speaker watches every Lease. 'gossip': as wired
 * with gossip on: renew every GOSSIP_RENEW_MS (spread over the period, as speakers start at
 * different times), no Lease watch (only in doubt), a watch of the namespace's pods each. */
type Design = 'today' | 'gossip';
interface LeaseResult {
  n: number; design: Design; writesPerS: number; watchEventsPerS: number; podWatchEventsPerS: number;
  apiCpuPct: number; renewalsLate: number; renewP99Ms: number; secs: number;
}
/** The gossip design's renewals are 10 s apart: measure over three periods. */
const GOSSIP_STEADY_MS = 3 * GOSSIP_RENEW_MS;

const NS = 'openelb-system';

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

async function leaseRun(cluster: Cluster, n: number, design: Design): Promise<LeaseResult> {
  const kc = loadKubeConfig(cluster.kubeconfigPath);
  const api = kc.makeApiClient(CoordinationV1Api);
  const [renewMs, durationMs] = design === 'today' ? [DEFAULT_RENEW_MS, DEFAULT_LEASE_MS] : [GOSSIP_RENEW_MS, GOSSIP_LEASE_MS];
  let stop = false;
  const durations: number[] = [];
  let late = 0;
  // The speaker's renewal: replace the last object with a new renewTime every renewMs.
  const renewer = async (node: string, i: number) => {
    const name = `openelb-speaker-${node}`;
    let cur: V1Lease = await api.createNamespacedLease({ namespace: NS, body: { metadata: { name, namespace: NS }, spec: { holderIdentity: node, leaseDurationSeconds: Math.ceil(durationMs / 1000), renewTime: new V1MicroTime() } } });
    if (design === 'gossip') await sleep((i / n) * renewMs);
    while (!stop) {
      const t = performance.now();
      cur = await api.replaceNamespacedLease({ name, namespace: NS, body: { ...cur, spec: { ...cur.spec, renewTime: new V1MicroTime() } } });
      const d = performance.now() - t;
      durations.push(d);
      if (d > durationMs - renewMs) late++;
      await interruptibleSleep(renewMs, () => stop);
    }
    await api.deleteNamespacedLease({ name, namespace: NS }).catch(() => undefined);
  };
  const watches: { abort(): void }[] = [];
  const path = design === 'today' ? `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases` : `/api/v1/namespaces/${NS}/pods`;
  for (let i = 0; i < n; i++) watches.push(await new Watch(kc).watch(path, {}, () => undefined, () => undefined));
  const loops = Array.from({ length: n }, (_, i) => renewer(`lease-node${i}`, i));
  await sleep(design === 'today' ? 2000 : renewMs + 2000);
  const pids = cluster.pids();
  const ticks0 = [pids.apiserver, pids.etcd].map((p) => (p ? cpuTicks(p) : 0));
  const m0 = await scrapeApiMetrics(cluster);
  const t0 = wall();
  durations.length = 0; late = 0;
  await sleep(design === 'today' ? STEADY_MS : GOSSIP_STEADY_MS);
  const m1 = await scrapeApiMetrics(cluster);
  const secs = (wall() - t0) / 1000;
  const ticks1 = [pids.apiserver, pids.etcd].map((p) => (p ? cpuTicks(p) : 0));
  stop = true;
  await Promise.all(loops);
  for (const w of watches) w.abort();
  const d = diffApiMetrics(m0, m1);
  const sorted = [...durations].sort((a, b) => a - b);
  const events = (kind: string) => (d.watchEvents.get(kind)?.count ?? [...d.watchEvents].filter(([k]) => k.startsWith(kind.split('.')[0])).reduce((a, [, v]) => a + v.count, 0)) / secs;
  return {
    n, design, secs, writesPerS: (d.requests.get('PUT leases')?.count ?? 0) / secs,
    watchEventsPerS: events('leases.coordination.k8s.io'), podWatchEventsPerS: events('pods'),
    apiCpuPct: (ticks1[0] - ticks0[0] + ticks1[1] - ticks0[1]) / 100 / secs * 100,
    renewalsLate: late, renewP99Ms: sorted[Math.floor(0.99 * (sorted.length - 1))] ?? 0,
  };
}

// ---- report -------------------------------------------------------------------------------------

const f0 = (x: number) => x.toFixed(0);
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);

function interruptibleSleep(ms: number, stopped: () => boolean): Promise<void> {
  return new Promise((r) => {
    const until = Date.now() + ms;
    const tick = () => (stopped() || Date.now() >= until ? r() : setTimeout(tick, Math.min(250, until - Date.now())));
    tick();
  });
}

function report(sim: SimResult[], g: GossipResult[], all: LeaseResult[]): string {
  const l = all.filter((x) => x.design === 'today');
  const gl = all.filter((x) => x.design === 'gossip');
  const period = DEFAULT_RENEW_MS / 1000;
  const c = DEFAULT_CONFIG;
  const lines: string[] = [];
  lines.push(`# Speaker membership: SWIM gossip vs today's Leases`, '',
    `Machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), shared. Gossip: probe every ${c.probeIntervalMs} ms, ack timeout ${c.probeTimeoutMs} ms, `
    + `${c.indirectChecks} indirect probes, gossip every ${c.gossipIntervalMs} ms to ${c.gossipFanout}, suspicion ${c.suspicionMult}..${c.suspicionMult * c.suspicionMaxMult}·log10(N) periods. `
    + `Leases today: renew every ${DEFAULT_RENEW_MS} ms, duration ${DEFAULT_LEASE_MS} ms, every speaker watches every Lease.`, '',
    '## Gossip protocol in virtual time (pure core + HMAC, simulated network: 0.5–1.5 ms latency, no loss; one seeded run)', '',
    '| N | all hold all alive after start | datagrams/s per member (sent+received) | CPU per member (µs per second) | heap per member | killed: first / every member holds it dead | clean stop: first / every member | false suspicions in 10 s |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of sim) {
    lines.push(`| ${r.n} | ${f0(r.convergeMs)} ms | ${f1(r.msgsPerMemberPerS)} | ${f0(r.cpuUsPerMemberSecond)} µs (${f2(r.cpuUsPerMemberSecond / 1e4)} % of a core) | ${f1(r.heapPerMemberKiB)} KiB | ${f0(r.killFirstMs)} / ${f0(r.killAllMs)} ms | ${f1(r.leaveFirstMs)} / ${f1(r.leaveAllMs)} ms | ${r.falseChanges} |`);
  }
  lines.push('', '## Gossip over real UDP on loopback (GossipNode: sockets, timers, HMAC; all members share this machine)', '',
    '| N | worker processes | load average at start | all agree at start | CPU per member | memory per member (RSS / heap) | datagrams/s per member | killed: first / all | clean stop: first / all | false suspect/dead changes in 10 s | held the victim dead before the kill |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of g) {
    lines.push(`| ${r.n} | ${r.workers} | ${r.load} | ${f0(r.convergeMs)} ms | ${f2(r.cpuPerMemberPct)} % of a core | ${f0(r.rssPerMemberKiB)} KiB / ${f0(r.heapPerMemberKiB)} KiB | ${f1(r.msgsPerMemberPerS)} | ${f0(r.killFirstMs)} / ${f0(r.killAllMs)} ms | ${f1(r.leaveFirstMs)} / ${f1(r.leaveAllMs)} ms | ${r.falseChanges} | ${r.preDead} |`);
  }
  lines.push('', '## API server load, side by side', '',
    `Gossip design as wired: Lease renewed every ${GOSSIP_RENEW_MS / 1000} s (duration ${GOSSIP_LEASE_MS / 1000} s), no Lease watch while gossip is healthy, each speaker watches the speaker pods instead.`, '',
    '| N | Leases today: PUT leases/s | Leases today: watch events/s | Leases today: kube-apiserver+etcd CPU | gossip design: PUT leases/s | gossip design: per node | gossip design: Lease + pod watch events/s | gossip design: kube-apiserver+etcd CPU | writes ratio | watch events ratio |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const ns = [...new Set([...l.map((x) => x.n), ...sim.map((x) => x.n), ...g.map((x) => x.n)])].sort((a, b) => a - b);
  for (const n of ns) {
    const m = l.find((x) => x.n === n);
    const w = m ? m.writesPerS : n / period;
    const e = m ? m.watchEventsPerS : (n * n) / period;
    const tag = m ? ' (measured)' : ' (extrapolated: N/period, N²/period)';
    const gm = gl.find((x) => x.n === n);
    const gw = gm ? gm.writesPerS : n / (GOSSIP_RENEW_MS / 1000);
    const ge = gm ? gm.watchEventsPerS + gm.podWatchEventsPerS : 0;
    const gtag = gm ? ' (measured)' : ' (expected)';
    lines.push(`| ${n} | ${f0(w)}${tag} | ${f0(e)}${tag} | ${m ? `${f0(m.apiCpuPct)} % of a core` : 'n/a'} | ${f1(gw)}${gtag} | ${f2(gw / n)} | ${f1(ge)}${gtag} | `
      + `${gm ? `${f0(gm.apiCpuPct)} % of a core` : 'n/a'} | ${f0(w / gw)}× fewer | ${ge > 0 ? `${f0(e / ge)}× fewer` : `${f0(e)} → 0`} |`);
  }
  if (gl.length) lines.push('', 'Gossip design renewals measured: ' + gl.map((x) => `N=${x.n}: p99 PUT ${f0(x.renewP99Ms)} ms over ${f0(x.secs)} s`).join('; ') + '.');
  lines.push('', 'Lease renewals measured: ' + (l.map((x) => `N=${x.n}: p99 PUT ${f0(x.renewP99Ms)} ms, ${x.renewalsLate} renewals slower than duration − period`).join('; ') || 'not run') + '.',
    'Gossip design\'s watch traffic: speakers do not watch each other\'s Leases; they watch Nodes and the speaker pods (the membership truth), which change when nodes come and go, not per second.');
  return lines.join('\n');
}

/** Part 3 runs in a child holding the shared lock (kube-apiserver), so the lock is held only for it. */
function leasesUnderLock(ns: number[], gossipNs: number[]): Promise<LeaseResult[]> {
  const child = spawn('flock', [LOCK, process.execPath, '--import', 'tsx', __filename, '--leases', ns.join(','), gossipNs.join(',')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  return new Promise((res, rej) => {
    child.on('error', (e) => rej(new Error(`cannot run flock (util-linux) for the API server part: ${e.message}`)));
    child.on('exit', (code) => (code === 0 ? res(JSON.parse(out) as LeaseResult[]) : rej(new Error(`the Lease part failed (exit ${code})`))));
  });
}

async function leasesMain(ns: number[], gossipNs: number[]): Promise<void> {
  const leases: LeaseResult[] = [];
  const cluster = await startCluster(mkdtempSync(join(tmpdir(), 'openelb-membership-')));
  try {
    const core = loadKubeConfig(cluster.kubeconfigPath).makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });
    const runs: [number, Design][] = [...ns.map((n): [number, Design] => [n, 'today']), ...gossipNs.map((n): [number, Design] => [n, 'gossip'])];
    for (const [n, design] of runs) {
      console.error(`leases N=${n} (${design}) ...`);
      leases.push(await leaseRun(cluster, n, design));
      console.error(JSON.stringify(leases[leases.length - 1]));
    }
  } finally {
    await cluster.stop();
  }
  process.stdout.write(JSON.stringify(leases));
}

async function main(): Promise<void> {
  const ns = (process.argv[2] ?? '10,100,1000').split(',').map(Number);
  const udpNs = (process.argv[3] ?? '10,100').split(',').map(Number).filter((n) => n > 0);
  const sim: SimResult[] = [];
  for (const n of ns) {
    console.error(`virtual time N=${n} ...`);
    sim.push(simRun(n));
    console.error(JSON.stringify(sim[sim.length - 1]));
  }
  const gossip: GossipResult[] = [];
  for (const n of udpNs) {
    console.error(`gossip N=${n} ...`);
    gossip.push(await gossipRun(n));
    console.error(JSON.stringify(gossip[gossip.length - 1]));
  }
  const leaseNs = ns.filter((n) => n <= 100);
  const leases: LeaseResult[] = ns.length && !process.env.BENCH_MEMBERSHIP_NO_API ? await leasesUnderLock(leaseNs, ns) : [];
  const text = report(sim, gossip, leases);
  console.log(text);
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/membership-bench.md'), `${text}\n`);
}

function numbers(arg: string | undefined): number[] {
  return (arg ?? '').split(',').filter((x) => x !== '').map(Number);
}

if (process.argv[2] === '--worker') worker();
else if (process.argv[2] === '--leases') void leasesMain(numbers(process.argv[3]), numbers(process.argv[4])).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
else void main().catch((e) => { console.error(e); process.exit(1); });
