// Bench of the speaker as a Kubernetes component (root): real API server in a namespace, the
// allocation controller, `openelb speaker` in node1..3, GoBGP in the router namespace.
// Streaming monitors (`ip monitor neigh` at the client, `gobgp monitor global rib` at the
// router) timestamp each change, so no polling interval hides in the numbers.
//   node --import tsx bench/speaker.ts [rounds]        (npm run bench:speaker)
//   SPEAKER_ARGS="--lease-renew 0.5 --lease-duration 2" node --import tsx bench/speaker.ts   (other Lease timing)
// Targets: layer2 failover < 2 s, Service → route < 1 s, delete → withdrawal < 100 ms.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { loadKubeConfig } from '../runtime/src/kube/client';
import { runController } from '../runtime/src/controller/runController';
import { electOwner } from '../runtime/src/speaker/plan/election';
import { serviceBody } from '../test/harness/cluster/controllerEnv';
import { startGobgp, type Daemon } from '../test/harness/net/bgpPeers';
import { createTopology } from '../test/harness/net/bgpTopology';
import { SpeakerProc, startNetCluster } from '../test/harness/net/clusterInNetns';
import { arpingTimes, until } from '../test/harness/net/speakerHelpers';

const ROUNDS = Number(process.argv[2] ?? 3);
const NODES = ['node1', 'node2', 'node3'];
const GROUP = 'network.kubesphere.io';
const SPEAKER_ARGS = (process.env.SPEAKER_ARGS ?? '').split(' ').filter(Boolean);

/** A line-streaming monitor; `next(match)` resolves with the time of the first matching line from now on. */
function monitor(argv: string[]) {
  const proc = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
  let waiter: { match: (l: string) => boolean; resolve: (t: number) => void } | undefined;
  createInterface({ input: proc.stdout }).on('line', (l) => {
    if (waiter?.match(l)) { const w = waiter; waiter = undefined; w.resolve(performance.now()); }
  });
  return {
    next: (match: (l: string) => boolean, ms = 15_000) => new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => { waiter = undefined; reject(new Error('monitor timed out')); }, ms);
      waiter = { match, resolve: (x) => { clearTimeout(t); resolve(x); } };
    }),
    stop: () => { try { proc.kill(); } catch { /* gone */ } },
  };
}

function stats(name: string, xs: number[], target?: number): void {
  if (!xs.length) { console.log(`${name.padEnd(34)} no samples`); return; }
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(1);
  const verdict = target === undefined ? '' : s[s.length - 1] < target ? `  (target < ${target} ms: met)` : `  (target < ${target} ms: MISSED)`;
  console.log(`${name.padEnd(34)} n=${s.length}  median ${q(0.5)} ms  p90 ${q(0.9)} ms  max ${s[s.length - 1].toFixed(1)} ms${verdict}`);
}

async function main(): Promise<void> {
  const topo = createTopology();
  const dir = mkdtempSync(join(tmpdir(), 'openelb-bench-speaker-'));
  const cleanup: (() => Promise<void> | void)[] = [() => topo.destroy(), () => rmSync(dir, { recursive: true, force: true })];
  try {
    const cluster = await startNetCluster(topo.prefix, dir);
    cleanup.unshift(() => cluster.stop());
    const kc = loadKubeConfig(cluster.kubeconfigLocal);
    const core = kc.makeApiClient(CoreV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const ctl = await runController({ kubeconfig: cluster.kubeconfigLocal, identity: 'bench', leaseDurationSeconds: 4, retryPeriodMs: 300, log: () => {} });
    cleanup.unshift(() => ctl.stop());
    const gobgp: Daemon = startGobgp(topo, 'router', 65000, NODES.map((n) => ({ address: topo.addr4(n), as: 65001 })));
    cleanup.unshift(() => gobgp.stop());
    const crd = (plural: string, kind: string, name: string, spec: object) => custom.createClusterCustomObject({
      group: GROUP, version: 'v1alpha2', plural, body: { apiVersion: `${GROUP}/v1alpha2`, kind, metadata: { name }, spec },
    });
    await crd('bgpconfs', 'BgpConf', 'default', { as: 65001, listenPort: 17900 });
    await crd('bgppeers', 'BgpPeer', 'router', { conf: { peerAs: 65000, neighborAddress: topo.addr4('router') }, timers: { config: { connectRetry: '1' } } });
    await crd('eips', 'Eip', 'lan', { address: '172.31.255.100-172.31.255.110', protocol: 'layer2', interface: 'eth0' });
    await crd('eips', 'Eip', 'routed', { address: '172.31.254.0/28', protocol: 'bgp' });
    const speakers = new Map<string, SpeakerProc>();
    const startSpeaker = (n: string) => speakers.set(n, SpeakerProc.start(topo.ns(n), n, cluster.kubeconfigInNs, SPEAKER_ARGS));
    cleanup.unshift(async () => { for (const s of speakers.values()) await s.kill('SIGKILL'); });
    NODES.forEach(startSpeaker);
    const mac = (n: string) => (JSON.parse(execFileSync('ip', ['-j', '-n', topo.ns(n), 'link', 'show', 'eth0'], { encoding: 'utf8' })) as { address: string }[])[0].address;
    const macs = Object.fromEntries(NODES.map((n) => [n, mac(n)]));
    const neigh = (ip: string) => {
      const e = JSON.parse(execFileSync('ip', ['-j', '-n', topo.ns('client'), 'neigh', 'show', ip, 'dev', 'eth0'], { encoding: 'utf8' }) || '[]') as { lladdr?: string }[];
      return e[0]?.lladdr;
    };
    const peerUp = async () => {
      const p = await custom.getClusterCustomObject({ group: GROUP, version: 'v1alpha2', plural: 'bgppeers', name: 'router' }) as
        { status?: { nodesPeerStatus?: Record<string, { peerState: { sessionState: string } }> } };
      return NODES.every((n) => p.status?.nodesPeerStatus?.[n]?.peerState.sessionState === 'ESTABLISHED') || undefined;
    };
    await until('BGP sessions to GoBGP', peerUp, 60_000);

    // Layer2: ARP reply latency and failover.
    await core.createNamespacedService({ namespace: 'test', body: serviceBody('test', 'l2', { annotations: { 'eip.openelb.kubesphere.io/v1alpha2': 'lan' } }) });
    const vip = await until('layer2 address', async () => (await core.readNamespacedService({ namespace: 'test', name: 'l2' })).status?.loadBalancer?.ingress?.[0]?.ip, 20_000);
    const arp: number[] = [];
    await until('first ARP reply', async () => arpingTimes(topo.exec('client', ['arping', '-c', '1', '-w', '2', '-I', 'eth0', vip])).length > 0 || undefined, 15_000);
    for (let i = 0; i < 20; i++) arp.push(...arpingTimes(topo.exec('client', ['arping', '-c', '1', '-w', '2', '-I', 'eth0', vip])));
    const failover: Record<string, number[]> = { SIGTERM: [], SIGKILL: [] };
    const nm = monitor(['ip', '-n', topo.ns('client'), 'monitor', 'neigh']);
    cleanup.unshift(() => nm.stop());
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      for (let r = 0; r < ROUNDS; r++) {
        const owner = electOwner(vip, NODES)!;
        const next = electOwner(vip, NODES.filter((n) => n !== owner))!;
        // The VIP answers ARP but not ping: the ping only makes the client resolve it.
        try { execFileSync('ip', ['netns', 'exec', topo.ns('client'), 'ping', '-c', '1', '-W', '1', vip], { stdio: 'ignore' }); } catch { /* no echo reply */ }
        await until(`client entry → ${owner}`, async () => neigh(vip) === macs[owner] || undefined, 15_000);
        const seen = nm.next((l) => l.startsWith(`${vip} `) && l.includes(macs[next]));
        const t0 = performance.now();
        await speakers.get(owner)!.kill(signal);
        failover[signal].push((await seen) - t0);
        startSpeaker(owner);
        // The owner comes back and takes its address again (rendezvous hashing).
        await until(`${owner} back`, async () => neigh(vip) === macs[owner] || undefined, 30_000, undefined, 50);
      }
    }
    nm.stop();
    await until('BGP sessions to GoBGP after the restarts', peerUp, 60_000);

    // BGP: Service → route at the router, and delete → withdrawal.
    const gm = monitor(['ip', 'netns', 'exec', topo.ns('router'), 'gobgp', 'monitor', 'global', 'rib', '-j']);
    cleanup.unshift(() => gm.stop());
    await new Promise((r) => setTimeout(r, 500)); // let the monitor subscribe
    const toRoute: number[] = [];
    const toWithdraw: number[] = [];
    for (let r = 0; r < ROUNDS * 2; r++) {
      const name = `b${r}`;
      // The first path to show up at the router.
      const appeared = gm.next((l) => /"prefix":"172\.31\.254\.\d+\/32"/.test(l) && !l.includes('"withdrawal":true'));
      const t0 = performance.now();
      await core.createNamespacedService({ namespace: 'test', body: serviceBody('test', name, { annotations: { 'eip.openelb.kubesphere.io/v1alpha2': 'routed' } }) });
      toRoute.push((await appeared) - t0);
      const ip = await until('bgp address', async () => (await core.readNamespacedService({ namespace: 'test', name })).status?.loadBalancer?.ingress?.[0]?.ip, 10_000);
      await new Promise((res) => setTimeout(res, 300)); // all three paths in
      const gone = gm.next((l) => l.includes(`"${ip}/32"`) && l.includes('"withdrawal":true'));
      const t1 = performance.now();
      await core.deleteNamespacedService({ namespace: 'test', name });
      toWithdraw.push((await gone) - t1);
      await new Promise((res) => setTimeout(res, 300));
    }

    console.log(`speaker bench (${ROUNDS} rounds; 3 speakers; speaker args: ${SPEAKER_ARGS.join(' ') || 'defaults (Lease renew 1 s, duration 3 s)'})`);
    stats('ARP reply latency (arping)', arp);
    stats('layer2 failover, SIGTERM', failover.SIGTERM, 2000);
    stats('layer2 failover, SIGKILL', failover.SIGKILL, 2000);
    stats('Service created → route at GoBGP', toRoute, 1000);
    stats('Service deleted → withdrawal at GoBGP', toWithdraw, 100);
  } finally {
    for (const c of cleanup) await Promise.resolve(c()).catch(() => undefined);
  }
}

main().then(() => process.exit(0), (e: unknown) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
