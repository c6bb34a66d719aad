// Fault bench (root): a control-plane outage. A real two-node cluster (test/harness/nodes), the
// runtime installed by `openelb deploy`, one layer2 Service; then the kube-apiserver is frozen
// with SIGSTOP for OUTAGE_S seconds while an ARP prober asks every 25 ms and a client tries HTTP
// every ~250 ms, then SIGCONT. Prints what the LAN saw and what the speakers withdrew.
//   node --import tsx bench/faults/apiOutage.ts [seconds]      (default 30)
// Target (issue 13): 0 addresses withdrawn, 0 failed probes; the runtime Ready again afterwards.
import { cpus, loadavg } from 'node:os';
import { startNodeCluster } from '../../test/harness/nodes/nodeCluster';
import { ArpProber, PodLogs } from '../../test/harness/nodes/observe';
import { L2_RANGE_V4 } from '../../test/harness/nodes/layout';
import { apiServerStopped, ARP_GAP_MS, withdrawalsLogged } from '../../test/harness/nodes/apiOutage';
import { applyBackend, applyEip, applyService, firstHttp, serviceAddress, waitArpFrom, waitRuntimeReady, openelb } from '../../test/harness/nodes/steps';

const OUTAGE_S = Number(process.argv[2] ?? 30);

async function main(): Promise<void> {
  const load0 = loadavg();
  const c = await startNodeCluster({ log: (m) => console.error(`# ${m}`) });
  const logs = new PodLogs(c.kc, 'openelb-system', 'app.kubernetes.io/name=openelb').start();
  let prober: ArpProber | undefined;
  const rows: string[][] = [];
  try {
    const dep = await openelb(c, ['deploy']);
    if (dep.status !== 0) throw new Error(`openelb deploy failed:\n${dep.stderr}`);
    await waitRuntimeReady(c);
    await applyBackend(c);
    await applyEip(c, 'l2', { address: L2_RANGE_V4, protocol: 'layer2', interface: 'eth0' });
    await applyService(c, 'web', { 'eip.openelb.kubesphere.io/v1alpha2': 'l2' });
    const ip = await serviceAddress(c, 'web');
    prober = await ArpProber.start(c, ip);
    await waitArpFrom(prober, Date.now() - 60_000, `ARP replies for ${ip}`);
    await firstHttp(c, ip);
    // Settled: the speakers have renewed for a while before the fault.
    await new Promise((r) => setTimeout(r, 3000));
    console.error(`# freezing the kube-apiserver for ${OUTAGE_S} s`);
    const o = await apiServerStopped(c, prober, ip, OUTAGE_S * 1000);
    const t = Date.now();
    await waitRuntimeReady(c);
    const ready = Date.now() - t;
    await firstHttp(c, ip);
    // Log lines travel through the API server: give the streams a moment to catch up.
    await new Promise((r) => setTimeout(r, 3000));
    const withdrawn = withdrawalsLogged(logs, o.from, o.to + 5000);
    const silent = o.arpGaps.reduce((s, [a, b]) => s + (b - a), 0);
    rows.push(['addresses withdrawn (speaker logs, outage + 5 s after)', String(withdrawn.length), '0']);
    rows.push([`ARP silences > ${ARP_GAP_MS} ms during the outage`, `${o.arpGaps.length} (${(silent / 1000).toFixed(1)} s silent)`, '0']);
    rows.push(['ARP replies during the outage / nodes answering', `${o.arpReplies} / ${o.answering.join(', ') || 'none'}`, '1 node']);
    rows.push(['HTTP probes failed twice in a row', `${o.httpFailures.length} of ${o.httpTries}`, '0']);
    rows.push(['SIGCONT -> runtime pods Ready', `${(ready / 1000).toFixed(1)} s`, '—']);
    for (const w of withdrawn) console.error(`# withdrawn: ${w}`);
  } finally {
    prober?.stop();
    logs.stop();
    const left = await c.stop();
    if (left.length) console.error(`# LEFT BEHIND: ${left.join(', ')}`);
  }
  console.log([
    `# API server outage bench (${OUTAGE_S} s SIGSTOP)`,
    '',
    `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} CPUs, load average at start ${load0.map((x) => x.toFixed(2)).join(' / ')}.`,
    '',
    '| measure | this build | target |',
    '|---|---:|---:|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n'));
}

main().catch((e) => { console.error(e); process.exit(1); });
