// Bench of the runtime as users deploy it (root): a real two-node cluster in network namespaces
// (test/harness/nodes/nodeCluster.ts), `openelb deploy`, then what the LAN sees, timed from outside: the
// ARP prober asks every 25 ms, HTTP is tried every 50 ms from the client namespace.
//   node --import tsx bench/node.ts [rounds]        (npm run bench:node; default 3 rounds)
// Targets (issue 10): clean handover < 100 ms of silence, kill < 1 s.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { startNodeCluster } from '../test/harness/nodes/nodeCluster';
import { ArpProber } from '../test/harness/nodes/observe';
import { L2_RANGE_V4 } from '../test/harness/nodes/layout';
import {
  applyBackend, applyEip, applyService, deletePod, firstHttp, handover, openelb, REPO, serviceAddress, speakerPodOn,
  waitArpFrom, waitRuntimeReady, waitSpeakerRestarted, waitSpeakersBack, killSpeaker, type Killed, type Handover,
} from '../test/harness/nodes/steps';

const ROUNDS = Number(process.argv[2] ?? 3);
const VIP = '172.31.70.200';

interface Row { measure: string; target?: number; samples: number[]; note?: string }

function fmt(r: Row): string {
  const s = [...r.samples].sort((a, b) => a - b);
  const med = s[Math.floor(s.length / 2)];
  const verdict = r.target === undefined ? '—' : s[s.length - 1] < r.target ? `met (< ${r.target} ms)` : `MISSED (< ${r.target} ms)`;
  const f = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
  return `| ${r.measure} | ${s.length} | ${f(s[0])} | ${f(med)} | ${f(s[s.length - 1])} | ${verdict} | ${r.note ?? ''} |`;
}

async function main(): Promise<void> {
  const load0 = loadavg();
  const c = await startNodeCluster({ log: (m) => console.error(`# ${m}`) });
  const rows: Row[] = [];
  try {
    rows.push({ measure: 'start -> cluster usable (2 nodes Ready, kube-proxy running)', samples: [c.timings['cluster usable'] * 1000] });
    let t = Date.now();
    const dep = await openelb(c, ['deploy']);
    if (dep.status !== 0) throw new Error(`openelb deploy failed:\n${dep.stderr}`);
    const deployCmd = Date.now() - t;
    await waitRuntimeReady(c);
    rows.push({ measure: '`openelb deploy` command', samples: [deployCmd] });
    rows.push({ measure: 'deploy -> controller and speaker pods Ready', samples: [Date.now() - t] });

    await applyBackend(c);
    await applyEip(c, 'l2', { address: L2_RANGE_V4, protocol: 'layer2', interface: 'eth0' });
    const prober = await ArpProber.start(c, VIP);
    t = Date.now();
    await applyService(c, 'web', { 'eip.openelb.kubesphere.io/v1alpha2': 'l2' });
    await serviceAddress(c, 'web');
    rows.push({ measure: 'Service created -> address in its status', samples: [Date.now() - t] });
    rows.push({ measure: 'Service created -> first ARP reply from the owner node', samples: [await waitArpFrom(prober, t, 'first ARP reply') - t] });
    rows.push({ measure: 'Service created -> first HTTP answer through kube-proxy', samples: [(await firstHttp(c, VIP)).at - t],
      note: 'mostly kube-proxy programming its rules and the backend becoming Ready' });

    const kills: Handover[] = [];
    const deletes: Handover[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      let killed: Killed = { id: '', at: 0 };
      let victim: 'n1' | 'n2' = 'n1';
      kills.push(await handover(prober, (owner) => {
        victim = owner as 'n1' | 'n2';
        killed = killSpeaker(c, owner);
      }));
      await waitSpeakerRestarted(c, victim, killed);
      await new Promise((r) => setTimeout(r, 2000));
      deletes.push(await handover(prober, async (owner) => {
        await deletePod(c, 'openelb-system', (await speakerPodOn(c, owner)).metadata.name);
      }));
      await waitSpeakersBack(c);
      await new Promise((r) => setTimeout(r, 2000));
      console.error(`# round ${i + 1}: kill ${kills[i].sinceAction.toFixed(0)} ms, delete silence ${deletes[i].silence.toFixed(0)} ms`);
    }
    prober.stop();
    rows.push({ measure: 'owner speaker killed (SIGKILL) -> other node answers ARP', target: 1000, samples: kills.map((k) => k.sinceAction) });
    rows.push({ measure: 'owner speaker pod deleted -> ARP silence between the two owners', target: 100, samples: deletes.map((d) => d.silence) });
    rows.push({ measure: 'owner speaker pod deleted -> other node answers (from the DELETE request)', samples: deletes.map((d) => d.sinceAction),
      note: 'includes the kubelet noticing the deletion and sending SIGTERM; the old owner answers until then' });
  } finally {
    const left = await c.stop();
    if (left.length) console.error(`# LEFT BEHIND: ${left.join(', ')}`);
  }
  const report = [
    '# Node tier bench',
    '',
    `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), load average at start ${load0.map((x) => x.toFixed(2)).join(' / ')}. ` +
      'A real two-node cluster in network namespaces (kube-apiserver, controller-manager, scheduler; per node containerd, kubelet and kube-proxy as a DaemonSet); ' +
      `the runtime installed by \`openelb deploy\` on the default image; ${ROUNDS} rounds of each failover. An ARP prober on the LAN asks every 25 ms; HTTP from a client namespace every 50 ms.`,
    '',
    '| measure | n | min | median | max | target | note |',
    '|---|---:|---:|---:|---:|---|---|',
    ...rows.map(fmt),
    '',
    'Not measured here (no registry and no IPVS on this machine): other load balancers. Their published figures for comparison: MetalLB layer2 failover "a few seconds" (memberlist), PureLB 2.2-6.7 s, kube-vip about 5 s.',
  ].join('\n');
  console.log(report);
  mkdirSync(join(REPO, 'bench', 'results'), { recursive: true });
  writeFileSync(join(REPO, 'bench', 'results', 'node-bench.md'), `${report}\n`);
}

main().catch((e) => { console.error(e); process.exit(1); });
