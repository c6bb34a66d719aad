// Bench: how long from announce()/withdraw() in our speaker until the route shows up /
// disappears at a real peer. GoBGP runs in `router`, BIRD 2 in `node3`; both watch
// with streaming monitors (`gobgp monitor global rib`, `ip monitor route` for BIRD's kernel
// export), so no polling interval hides in the numbers. Needs root.
//   node --import tsx bench/speaker-bgp.ts [rounds]
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createTopology } from '../test/harness/net/bgpTopology';
import { SpeakerProcess, gobgpRib, startBird, startGobgp, birdc, waitFor } from '../test/harness/net/bgpPeers';

const rounds = Number(process.argv[2] ?? 20);
const VIP = '172.31.254.100/32';

/** A line-streaming monitor; `next(match)` resolves at the first matching line from now on. */
function monitor(argv: string[]) {
  const proc = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
  let waiter: { match: (l: string) => boolean; resolve: (t: number) => void } | undefined;
  createInterface({ input: proc.stdout }).on('line', (l) => {
    if (waiter && waiter.match(l)) { const w = waiter; waiter = undefined; if (process.env.BENCH_DEBUG) console.log(l.slice(0, 160)); w.resolve(performance.now()); }
  });
  return {
    next: (match: (l: string) => boolean, ms = 10000) => new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('monitor timed out')), ms);
      waiter = { match, resolve: (x) => { clearTimeout(t); resolve(x); } };
    }),
    stop: () => { if (proc.pid) try { process.kill(proc.pid); } catch { /* gone */ } },
  };
}

function stats(name: string, xs: number[]): void {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(1);
  console.log(`${name.padEnd(28)} n=${s.length}  median ${q(0.5)} ms  p90 ${q(0.9)} ms  max ${s[s.length - 1].toFixed(1)} ms`);
}

async function main(): Promise<void> {
  const topo = createTopology();
  const cleanup: (() => Promise<void> | void)[] = [];
  try {
    const gobgp = startGobgp(topo, 'router', 65000, [{ address: topo.addr4('node1'), as: 65001 }]);
    cleanup.push(() => gobgp.stop());
    const bird = startBird(topo, 'node3', 65000, [{ address: topo.addr4('node1'), as: 65001 }]);
    cleanup.push(() => bird.stop());
    await waitFor('gobgpd', () => gobgpRib(topo, 'router') !== undefined, 15000, 100);
    await waitFor('bird', () => birdc(topo, 'node3', bird.sock, 'show status').includes('Daemon is up'), 15000, 100);
    const speaker = await SpeakerProcess.start(topo, 'node1', {
      localAs: 65001, routerId: topo.addr4('node1'), listenPort: 0,
      peers: ['router', 'node3'].map((r) => ({ neighborAddress: topo.addr4(r), peerAs: 65000, connectRetryTime: 1 })),
    });
    cleanup.push(() => speaker.stop());
    for (const r of ['router', 'node3']) {
      await waitFor(`session to ${r}`, async () => (await speaker.sessionState(topo.addr4(r))) === 'ESTABLISHED', 20000, 100);
    }
    const gm = monitor(['ip', 'netns', 'exec', topo.ns('router'), 'gobgp', 'monitor', 'global', 'rib', '-j']);
    const km = monitor(['ip', '-n', topo.ns('node3'), 'monitor', 'route']);
    cleanup.push(() => gm.stop(), () => km.stop());
    await new Promise((r) => setTimeout(r, 500)); // let the monitors subscribe

    const res = { gAnn: [] as number[], gWd: [] as number[], bAnn: [] as number[], bWd: [] as number[] };
    const vipHost = VIP.split('/')[0];
    for (let i = 0; i < rounds; i++) {
      const gA = gm.next((l) => l.includes(VIP) && !l.includes('"withdrawal":true'));
      const bA = km.next((l) => l.startsWith(vipHost) && !l.startsWith('Deleted'));
      let t0 = performance.now();
      await speaker.command(`announce ${VIP} ${topo.addr4('node1')}`);
      const [tg, tb] = await Promise.all([gA, bA]);
      res.gAnn.push(tg - t0);
      res.bAnn.push(tb - t0);
      const gW = gm.next((l) => l.includes(VIP) && l.includes('"withdrawal":true'));
      const bW = km.next((l) => l.startsWith(`Deleted ${vipHost}`));
      t0 = performance.now();
      await speaker.command(`withdraw ${VIP}`);
      const [wg, wb] = await Promise.all([gW, bW]);
      res.gWd.push(wg - t0);
      res.bWd.push(wb - t0);
    }
    console.log(`BGP speaker bench: ${rounds} rounds, one speaker, announce/withdraw ${VIP}`);
    stats('GoBGP: announce → in RIB', res.gAnn);
    stats('GoBGP: withdraw → gone', res.gWd);
    stats('BIRD: announce → kernel', res.bAnn);
    stats('BIRD: withdraw → kernel gone', res.bWd);
  } finally {
    for (const c of cleanup.reverse()) await c();
    topo.destroy();
  }
}

main().catch((e: Error) => { console.error(`bench failed: ${e.message}`); process.exit(1); });
