// Bench: the allocation controller under load, against a real kube-apiserver + etcd.
// The controller runs as its own process (`openelb controller`), so its memory is measured
// alone. For an IPv4 /8 pool and an IPv6 /96 pool it creates N LoadBalancer Services
// (20 creates in flight) and measures, from a watch (no polling):
//   - the time from the first create to every Service showing status.loadBalancer.ingress,
//   - per Service, create response → first watch event with an address (p50/p99),
//   - the controller's RSS (VmRSS) before, every 250 Services, and after,
//   - where the time goes: when the last create returned, the CPU seconds the controller,
//     kube-apiserver and etcd used during the burst (the machine's load average next to it), and
//     what kube-apiserver itself counted (its /metrics before and after): requests per verb and
//     resource, among them the journal writes (the controller's commits) and Eip status writes.
// Then 50 Services one at a time (each waited for): the latency of a single allocation. Last, N
// creates with no controller running: what the bench's own creates cost the API server.
//   npm run bench:controller            (node --import tsx bench/controller.ts [N])
// Writes the markdown table to bench/results/controller-bench.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { EIP_POOL_ANNOTATION } from '../runtime/src/allocator';
import {
  createEip, createService, createServices, duplicates, setupEnv, waitFor, watchIngress, type Env,
} from '../test/harness/cluster/controllerEnv';
import { diffApiMetrics, requestTable, scrapeApiMetrics, type ApiMetrics } from '../test/harness/cluster/apiMetrics';

const ROOT = resolve(__dirname, '..');
const N = Number(process.argv[2] ?? 1000);
const IN_FLIGHT = 20;
const SINGLE = 50;
const START_LOAD = loadavg().map((l) => l.toFixed(2)).join(' / ');

/** The controller's resident set size in MiB, from /proc/<pid>/status. */
function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
}

/** User + system CPU clock ticks the process has used so far. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Waits until the process has used (almost) no CPU for half a second: its work is done. */
async function quiet(pid: number): Promise<void> {
  let last = cpuTicks(pid);
  await waitFor(`controller ${pid} idle`, async () => {
    await new Promise((r) => setTimeout(r, 500));
    const now = cpuTicks(pid);
    const idle = now - last <= 2;
    last = now;
    return idle;
  }, 120_000, 0);
}

function startControllerProcess(env: Env, logPath: string): ChildProcess {
  const fd = openSync(logPath, 'a');
  // --trace-gc logs the heap after every collection: the live size after a full GC tells real
  // growth from garbage not yet collected (which RSS includes). BENCH_CONTROLLER_FLAGS adds
  // more Node flags, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const flags = (process.env.BENCH_CONTROLLER_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [
    '--trace-gc', ...flags, '--import', 'tsx', join(ROOT, 'runtime/src/cli/openelb.ts'), 'controller', '--kubeconfig', env.cluster.kubeconfigPath,
  ], { cwd: ROOT, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  process.on('exit', () => child.kill('SIGKILL'));
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); });
}

/**
 * Live heap (MiB) after each full GC of the controller's main isolate, from its --trace-gc
 * lines ("[pid:0xISOLATE]  T ms: Mark-Compact A (B) -> LIVE (C) MB"), from isolate time `sinceMs` on.
 */
function liveHeapAfterFullGc(logPath: string, sinceMs: number): number[] {
  const lines = readFileSync(logPath, 'utf8').split('\n');
  const main = /^\[\d+:0x[0-9a-f]+\]/.exec(lines.find((l) => l.includes('ms: ')) ?? '')?.[0];
  const out: number[] = [];
  for (const l of lines) {
    const m = /^(\[\d+:0x[0-9a-f]+\])\s+(\d+) ms: Mark-Compact[^>]*-> ([\d.]+) \(/.exec(l);
    if (m && m[1] === main && Number(m[2]) >= sinceMs) out.push(Number(m[3]));
  }
  return out;
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
const mib = (x: number) => `${x.toFixed(1)} MiB`;

/** CPU seconds of the given processes and kube-apiserver's request counts, between start() and the call it returns. */
async function measure(env: Env, pids: (number | undefined)[]): Promise<() => Promise<{ cpu: number[]; api: ApiMetrics }>> {
  const cpuOf = () => pids.map((p) => (p ? cpuTicks(p) : 0));
  const m0 = await scrapeApiMetrics(env.cluster);
  const cpu0 = cpuOf();
  return async () => {
    // CPU seconds (clock ticks of 10 ms), read before the scrape, which costs the server a little.
    const cpu = cpuOf().map((v, i) => (v - cpu0[i]) / 100);
    return { cpu, api: diffApiMetrics(m0, await scrapeApiMetrics(env.cluster)) };
  };
}

const EIP_WRITE = 'PUT eips/status';
/** The controller's commits: writes of its journal ConfigMap (the only ConfigMap it writes). */
const JOURNAL_WRITES = ['PUT configmaps', 'POST configmaps'];
const writesOf = (api: ApiMetrics, key: string): number => api.requests.get(key)?.count ?? 0;
const commitsOf = (api: ApiMetrics): number => JOURNAL_WRITES.reduce((n, k) => n + writesOf(api, k), 0);

interface PhaseResult {
  label: string;
  totalMs: number;
  /** First create → last create response: the pace the API server let the bench create at. */
  createsMs: number;
  /** CPU seconds used during the burst by the controller, kube-apiserver and etcd. */
  cpu: number[];
  load: string;
  latencies: number[];
  rss: { before: number; steps: [number, number][]; after: number; peak: number };
  /** Live heap after the full GCs from the burst on (empty when V8 needed none). */
  liveHeap: number[];
  /** What kube-apiserver counted during the burst, and during the one-at-a-time Services. */
  api: ApiMetrics;
  single: number[];
  singleCpu: number[];
  singleApi: ApiMetrics;
}

async function phase(env: Env, label: string, ns: string, eip: string, ipv6: boolean, logDir: string): Promise<PhaseResult> {
  const logPath = join(logDir, `controller-${ns}.log`);
  const child = startControllerProcess(env, logPath);
  const spawnedAt = performance.now();
  const pid = child.pid!;
  const leases = env.kc.makeApiClient(CoordinationV1Api);
  await waitFor('the controller leads', async () => {
    const l = await leases.readNamespacedLease({ name: 'openelb-controller', namespace: 'openelb-system' });
    return l.spec?.holderIdentity?.endsWith(`_${pid}`);
  }, 60_000, 200);
  await quiet(pid);
  const before = rssMiB(pid);
  const steps: [number, number][] = [];
  let peak = before;
  const sampler = setInterval(() => { peak = Math.max(peak, rssMiB(pid)); }, 100);

  const watch = await watchIngress(env.kc, ns, (n) => {
    if (n % 250 === 0 || n === N) steps.push([n, rssMiB(pid)]);
  });
  const names = Array.from({ length: N }, (_, i) => `s${i}`);
  const opts = { annotations: { [EIP_POOL_ANNOTATION]: eip }, ipv6 };
  const { etcd, apiserver } = env.cluster.pids();
  const burst = await measure(env, [pid, apiserver, etcd]);
  const t0 = performance.now();
  const created = await createServices(env, ns, names, opts, IN_FLIGHT);
  const createsMs = Math.max(...created.values()) - t0;
  await watch.waitCount(N, 300_000);
  const totalMs = Math.max(...names.map((n) => watch.first.get(n)!.at)) - t0;
  // From the first create to the last address.
  const { cpu, api } = await burst();
  const load = loadavg().map((l) => l.toFixed(2)).join(' / ');
  // A watch event can be handled before the create's response: count that as 0 ms.
  const latencies = names.map((n) => Math.max(0, watch.first.get(n)!.at - created.get(n)!));
  const dups = duplicates(new Map([...watch.first].map(([k, v]) => [k, { ip: v.ip }])));
  if (dups.length) throw new Error(`duplicate addresses: ${dups.slice(0, 5).join('; ')}`);
  await quiet(pid);
  clearInterval(sampler);
  const after = rssMiB(pid);

  // One at a time: the latency of an allocation with nothing else queued.
  const one = await measure(env, [pid, apiserver, etcd]);
  const single: number[] = [];
  for (let i = 0; i < SINGLE; i++) {
    const seen = watch.first.size;
    await createService(env, ns, `one${i}`, opts);
    const at = performance.now();
    await watch.waitCount(seen + 1, 30_000);
    single.push(Math.max(0, watch.first.get(`one${i}`)!.at - at));
  }
  const { cpu: singleCpu, api: singleApi } = await one();
  watch.stop();
  await stopProcess(child);
  const liveHeap = liveHeapAfterFullGc(logPath, t0 - spawnedAt);
  const r: PhaseResult = {
    label, totalMs, createsMs, cpu, load, latencies, rss: { before, steps, after, peak }, liveHeap, api, single, singleCpu, singleApi,
  };
  console.log(`${label}: ${N} in ${(totalMs / 1000).toFixed(2)} s, p50 ${ms(pct(latencies, 0.5))}, p99 ${ms(pct(latencies, 0.99))}, ` +
    `creates done at ${(createsMs / 1000).toFixed(2)} s, CPU s controller/apiserver/etcd ${cpu.map((c) => c.toFixed(1)).join('/')}, ` +
    `API server ${perService(cpu[1], N)} CPU per Service, ${commitsOf(api)} commits, ${writesOf(api, EIP_WRITE)} Eip writes, ` +
    `single p50 ${ms(pct(single, 0.5))}, RSS ${mib(before)} → ${mib(after)} (peak ${mib(peak)})`);
  return r;
}

/** N creates with no controller running: what the bench's own requests cost the API server. */
async function createsAlone(env: Env, ns: string): Promise<{ createsMs: number; cpu: number[]; api: ApiMetrics }> {
  const watch = await watchIngress(env.kc, ns); // the same watch as in the phases
  const { etcd, apiserver } = env.cluster.pids();
  const m = await measure(env, [undefined, apiserver, etcd]);
  const t0 = performance.now();
  const created = await createServices(env, ns, Array.from({ length: N }, (_, i) => `c${i}`), {}, IN_FLIGHT);
  const createsMs = Math.max(...created.values()) - t0;
  const r = { createsMs, ...(await m()) };
  watch.stop();
  console.log(`creates alone: ${N} in ${(createsMs / 1000).toFixed(2)} s, API server ${perService(r.cpu[1], N)} CPU per Service`);
  return r;
}

/** CPU seconds spread over n Services, in ms. */
const perService = (cpuSeconds: number, n: number): string => `${((cpuSeconds * 1000) / n).toFixed(1)} ms`;

type Alone = Awaited<ReturnType<typeof createsAlone>>;

function report(results: PhaseResult[], alone: Alone): string {
  const lines = [
    '# Controller bench',
    '',
    `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}). ` +
      `Real kube-apiserver + etcd on 127.0.0.1, the controller as its own process, ${IN_FLIGHT} creates in flight. ` +
      `Load average when the bench started: ${START_LOAD}. ` +
      'Latency is create response → first watch event showing the address. API server CPU per Service: the CPU ' +
      'seconds kube-apiserver used in the scenario (from /proc, creates included) over its Services; commits and Eip status ' +
      'writes: as kube-apiserver counted them (its /metrics). A commit is one write of the allocation journal (a small ' +
      'ConfigMap) carrying a batch of claims; an Eip status write brings status.used up to date with the journal.',
    '',
    '| Scenario | Services | First create → all IPs | p50 | p99 | max | API server CPU per Service | commits | Eip status writes |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    lines.push(`| ${r.label}, burst | ${N} | ${(r.totalMs / 1000).toFixed(2)} s | ${ms(pct(r.latencies, 0.5))} | ${ms(pct(r.latencies, 0.99))} | ${ms(Math.max(...r.latencies))} | ` +
      `${perService(r.cpu[1], N)} | ${commitsOf(r.api)} | ${writesOf(r.api, EIP_WRITE)} |`);
  }
  for (const r of results) {
    lines.push(`| ${r.label}, one at a time (after the burst) | ${SINGLE} | — | ${ms(pct(r.single, 0.5))} | ${ms(pct(r.single, 0.99))} | ${ms(Math.max(...r.single))} | ` +
      `${perService(r.singleCpu[1], SINGLE)} | ${commitsOf(r.singleApi)} | ${writesOf(r.singleApi, EIP_WRITE)} |`);
  }
  lines.push(`| Creates alone, no controller running (the bench's own cost) | ${N} | ${(alone.createsMs / 1000).toFixed(2)} s (creates) | — | — | — | ${perService(alone.cpu[1], N)} | 0 | 0 |`);
  lines.push('| PureLB: their published number, NOT measured here | — | — | 88–162 ms per allocation | — | — | — | — | — |');
  lines.push('', '## Where the burst time goes', '', '| Pool | creates done (last create response) | CPU s: controller | kube-apiserver | etcd | machine load average (1/5/15 min) right after the burst |', '|---|---:|---:|---:|---:|---|');
  for (const r of results) {
    lines.push(`| ${r.label} | ${(r.createsMs / 1000).toFixed(2)} s | ${r.cpu.map((c) => c.toFixed(1)).join(' | ')} | ${r.load} |`);
  }
  lines.push('', 'The machine has 2 cores: when the CPU seconds add up to about twice the burst time, the machine is the limit, ' +
    'and the bench\'s own creates (second column) finish just before the last address shows.');
  lines.push('', '### Requests kube-apiserver served during the burst', '',
    ...requestTable(results.map((r) => [r.label, r.api]), ['POST services', 'PUT services/status', 'PUT configmaps', EIP_WRITE, 'POST events']));
  lines.push('', results.map((r) => {
    const commits = commitsOf(r.api);
    const writes = writesOf(r.api, EIP_WRITE);
    const bytes = r.api.bodyBytes.get('update eips') ?? 0;
    return `${r.label}: ${commits} commits for ${N} Services (${(N / Math.max(commits, 1)).toFixed(1)} Services per commit), ` +
      `${writes} Eip status writes of ${(bytes / 1024 / Math.max(writes, 1)).toFixed(1)} KiB on average`;
  }).join('; ') + '. Creating a Service costs the API server about ' +
    `${perService(alone.cpu[1], N)} of CPU on its own (the "creates alone" row). The rest is the controller's doing: one status ` +
    'write per Service (address, finalizer and pool label together), one journal write per batch (its size is the batch\'s ' +
    'changes since the last mirror, not the pool\'s), and an Eip status write (status.used, every address in use) at most ' +
    'every 250 ms per Eip while it changes. Writing status.used costs the API server about 3 ms of CPU plus 14 µs per listed ' +
    'address (18 ms at 1,000; measured one write at a time), which is why batches are committed to the journal and ' +
    'status.used follows less often. The controller\'s writes carry no managedFields and ask for the metadata alone in the answer. ' +
    'Its events wait while it has allocation work (at most 10 s).');
  lines.push('', '## Controller memory (VmRSS)', '');
  const stepCols = results[0]?.rss.steps.map(([n]) => `@${n}`) ?? [];
  lines.push(`| Pool | before | ${stepCols.join(' | ')} | after (idle) | peak | growth | live heap after full GCs (burst on) |`);
  lines.push(`|---|${'---:|'.repeat(stepCols.length + 5)}`);
  for (const r of results) {
    const live = r.liveHeap.length ? r.liveHeap.map((v) => v.toFixed(0)).join(' → ') + ' MB' : 'no full GC needed';
    lines.push(`| ${r.label} | ${mib(r.rss.before)} | ${r.rss.steps.map(([, v]) => mib(v)).join(' | ')} | ${mib(r.rss.after)} | ${mib(r.rss.peak)} | ${mib(r.rss.after - r.rss.before)} | ${live} |`);
  }
  lines.push('', 'The IPv6 phase runs a fresh controller that also caches the IPv4 phase\'s Services. RSS includes garbage V8 has not yet collected; the live heap after each full GC is the real working set.');
  lines.push('', '## Targets', '');
  for (const r of results) {
    const p50 = pct(r.latencies, 0.5);
    lines.push(`- ${r.label}: burst p50 under 50 ms: ${p50 < 50 ? 'PASS' : 'FAIL'} (${ms(p50)}); ` +
      `${N} Services under 10 s: ${r.totalMs < 10_000 ? 'PASS' : 'FAIL'} (${(r.totalMs / 1000).toFixed(2)} s)`);
  }
  lines.push('- Memory: neither pool\'s addresses are ever listed (only the used ones are kept), so a /8 and a /96 cost the same; see the live heap column.');
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  if (!Number.isInteger(N) || N < 1) throw new Error('usage: bench/controller.ts [number of Services]');
  const env = await setupEnv(['bench-v4', 'bench-v6', 'bench-base']);
  try {
    await createEip(env, 'bench-v4', { address: '10.0.0.0/8' });
    await createEip(env, 'bench-v6', { address: 'fd00:be::/96' });
    const results = [
      await phase(env, 'IPv4 /8', 'bench-v4', 'bench-v4', false, env.cluster.dir),
      await phase(env, 'IPv6 /96', 'bench-v6', 'bench-v6', true, env.cluster.dir),
    ];
    const md = report(results, await createsAlone(env, 'bench-base'));
    console.log(`\n${md}`);
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench/results/controller-bench.md'), md);
    console.log('written to bench/results/controller-bench.md');
  } finally {
    await env.cluster.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : String(e));
  process.exitCode = 1;
});
