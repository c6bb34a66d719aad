// Bench: Layer2 mode in network namespaces (needs root, ip, arping, gcc).
//   node --import tsx bench/speaker-layer2.ts [--samples=N] [--rounds=N]
// 1. ARP reply latency seen by `arping` on the client: our announcer (packet
//    helper + Node) answering for a VIP vs node3's kernel answering for its own
//    address, interleaved, one request at a time.
// 2. Failover: the owner's announcer is SIGKILLed; time until the client's
//    neighbour entry for the VIP holds the new owner's MAC (streamed from
//    `ip monitor neigh`, so no polling interval hides in the numbers).
//    cold = a new announcer process is started after the kill;
//    warm = a standby announcer already runs and is told "announce VIP".
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { AnnouncerProcess, buildPacketHelper } from '../test/harness/net/announcerProcess';
import { type HostName, Topology, requireNetTools } from '../test/harness/net/topology';
import { fmtMs, median, percentile } from './support/stats';

const arg = (name: string, dflt: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const SAMPLES = arg('samples', 30);
const ROUNDS = arg('rounds', 3);
const VIP = '172.31.255.100';

/** One `arping -c1` from the client; the reply time arping measured, in ms. */
function arpingMs(topo: Topology, target: string): number | undefined {
  const r = topo.tryExec('client', 'arping', ['-c', '1', '-w', '1', '-I', 'eth0', target]);
  const m = /reply from .*?\s([\d.]+)\s*ms/.exec(r.stdout);
  return m ? Number(m[1]) : undefined;
}

/** Streams `ip monitor neigh` in the client; resolves when the VIP entry gets `mac`. */
function watchNeighbour(topo: Topology, mac: string, timeoutMs = 15000): { changed: Promise<number>; stop: () => void } {
  const proc = spawn('ip', ['-n', topo.hosts.client.ns, 'monitor', 'neigh'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const changed = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`client entry did not change to ${mac} in ${timeoutMs} ms`)), timeoutMs);
    createInterface({ input: proc.stdout }).on('line', (l) => {
      if (l.startsWith(`${VIP} `) && l.includes(`lladdr ${mac}`)) { clearTimeout(timer); resolve(performance.now()); }
    });
  });
  return { changed, stop: () => proc.kill() };
}

function summary(name: string, xs: number[]): string {
  return `${name}: median ${fmtMs(median(xs))} ms, p95 ${fmtMs(percentile(xs, 95))} ms, min ${fmtMs(Math.min(...xs))} ms (n=${xs.length})`;
}

async function main(): Promise<void> {
  requireNetTools(['ip', 'arping', 'ping', 'gcc']);
  const helper = buildPacketHelper();
  const topo = Topology.create();
  const procs: AnnouncerProcess[] = [];
  const start = async (host: HostName, args: string[]) => {
    const p = await AnnouncerProcess.start(topo, host, args, helper);
    procs.push(p);
    return p;
  };
  try {
    let owner = await start('node1', ['--ip', VIP]);

    // 1. Latency, interleaved so both see the same machine load.
    const ours: number[] = [];
    const kernel: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const a = arpingMs(topo, VIP);
      const k = arpingMs(topo, topo.hosts.node3.v4);
      if (a !== undefined) ours.push(a);
      if (k !== undefined) kernel.push(k);
    }
    console.log('ARP reply latency (arping on the client):');
    console.log(`  ${summary('announcer (helper + Node)', ours)}`);
    console.log(`  ${summary('kernel, own address      ', kernel)}`);

    // 2. Failover.
    topo.tryExec('client', 'ping', ['-c', '1', '-W', '1', VIP]);
    if (topo.neighbourMac('client', VIP) !== topo.hosts.node1.mac) throw new Error('client did not resolve the VIP to node1');
    const order: HostName[] = ['node2', 'node3', 'node1'];
    const cold: number[] = [];
    const warm: number[] = [];
    for (let round = 0; round < ROUNDS * 2; round++) {
      const next = order[round % 3];
      const isWarm = round % 2 === 1;
      const standby = isWarm ? await start(next, []) : undefined;
      const watch = watchNeighbour(topo, topo.hosts[next].mac);
      await new Promise((r) => setTimeout(r, 100)); // let the monitor subscribe
      const t0 = performance.now();
      await owner.kill();
      if (standby) standby.send(`announce ${VIP}`);
      const started = standby ?? start(next, ['--ip', VIP]);
      const t1 = await watch.changed.finally(watch.stop);
      owner = await started;
      (isWarm ? warm : cold).push(t1 - t0);
    }
    console.log('Failover (SIGKILL owner -> client neighbour entry has the new MAC):');
    console.log(`  ${summary('cold (start new announcer)', cold)}`);
    console.log(`  ${summary('warm (standby announces)  ', warm)}`);
    console.log(JSON.stringify({
      arpLatencyMs: { announcerMedian: median(ours), kernelMedian: median(kernel) },
      failoverMs: { coldMedian: median(cold), warmMedian: median(warm) },
    }));
  } finally {
    for (const p of procs) await p.kill();
    topo.teardown();
  }
}

main().catch((err: Error) => {
  console.error(`speaker-layer2 bench failed: ${err.message}`);
  process.exit(1);
});
