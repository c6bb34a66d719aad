// Bench: what hostile BGP peers cost the speaker's memory. Our speaker (bgpMain.ts) runs as its
// own process on 127.0.0.1; its resident set is read from /proc before, at the peak and after:
// - full table: a peer sends 1,000,000 IPv4 prefixes as fast as TCP allows;
// - non-reading: a peer establishes and never reads, while we announce many routes.
//   node --import tsx bench/faults/bgpMemory.ts [prefixes=1000000] [routes=20000] [rounds=30]
// In the non-reading case we announce `routes`, then withdraw and re-announce them `rounds` times.
// No root needed; nothing leaves 127.0.0.0/8.
import { LocalSpeaker, freePort, fullTablePeer, nonReadingPeer } from '../../test/harness/net/bgpHostile';

const prefixes = Number(process.argv[2] ?? 1_000_000);
const routes = Number(process.argv[3] ?? 20_000);
const rounds = Number(process.argv[4] ?? 30);

interface Row { scenario: string; before: number; peak: number; after: number; note: string }

async function speaker(): Promise<LocalSpeaker> {
  return LocalSpeaker.start({
    localAs: 65001, routerId: '10.0.0.1', listenPort: await freePort(), listenAddress: '127.0.0.1',
    peers: [
      { neighborAddress: '127.0.0.2', peerAs: 65002, passive: true },
      { neighborAddress: '127.0.0.3', peerAs: 65003, passive: true },
    ],
  });
}

async function settle(s: LocalSpeaker): Promise<number> {
  await new Promise((r) => setTimeout(r, 1500));
  return s.memory().rss;
}

async function fullTable(): Promise<Row> {
  const s = await speaker();
  try {
    const before = await settle(s);
    const r = await fullTablePeer(s.port, '127.0.0.2', 65002, prefixes);
    const peak = s.memory().peak;
    const n = r.notification;
    return { scenario: `full table, ${prefixes} prefixes`, before, peak, after: await settle(s),
      note: n ? `NOTIFICATION ${n.code}/${n.subcode} after ${r.sentPrefixes} sent` : `no NOTIFICATION; ${r.sentPrefixes} sent` };
  } finally { await s.stop(); }
}

async function nonReading(): Promise<Row> {
  const s = await speaker();
  try {
    const before = await settle(s);
    const peer = await nonReadingPeer(s.port, '127.0.0.3', 65003);
    for (let i = 0; i < 100; i++) {
      const st = (await s.command('status')).status as Record<string, { peerState: { sessionState: string } }>;
      if (st['127.0.0.3']?.peerState.sessionState === 'ESTABLISHED') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await s.command(`announce-many 100.64.0.0 ${routes} 127.0.0.1`, 120000);
    for (let i = 0; i < rounds; i++) {
      await s.command(`withdraw-many 100.64.0.0 ${routes}`, 120000);
      await s.command(`announce-many 100.64.0.0 ${routes} 127.0.0.1`, 120000);
    }
    await new Promise((r) => setTimeout(r, 1000));
    // An older speaker has no 'pending' command: the bench still measures it.
    const pending = await s.command('pending').then((r) => (r.pending as Record<string, number>)['127.0.0.3'], () => undefined);
    const peak = s.memory().peak;
    peer.close();
    return { scenario: `non-reading peer, ${routes} routes x ${rounds} rounds`, before, peak, after: await settle(s), note: `${pending ?? '?'} prefixes waiting while blocked` };
  } finally { await s.stop(); }
}

async function main(): Promise<void> {
  const rows = [await fullTable(), await nonReading()];
  const w = Math.max(...rows.map((r) => r.scenario.length));
  console.log(`${'scenario'.padEnd(w)} | RSS before | RSS peak | RSS after | peak/before | note`);
  console.log(`${'-'.repeat(w)}-|------------|----------|-----------|-------------|-----`);
  for (const r of rows) {
    console.log(`${r.scenario.padEnd(w)} | ${r.before.toFixed(0).padStart(6)} MiB | ${r.peak.toFixed(0).padStart(4)} MiB | ${r.after.toFixed(0).padStart(5)} MiB | ${(r.peak / r.before).toFixed(2).padStart(11)} | ${r.note}`);
  }
}

main().catch((e: Error) => { console.error(e.message); process.exit(1); });
