// Layer2 mode with real ARP/NDP traffic between network namespaces: the
// announcer answers for a VIP, a takeover moves the client's neighbour entry,
// and an ARP flood neither crashes it nor goes unbounded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AnnouncerProcess, buildPacketHelper } from '../harness/net/announcerProcess';
import { floodArp } from '../harness/net/arpFlood';
import { Topology, requireNetTools, waitFor } from '../harness/net/topology';
import { poll } from '../harness/support/poll';

const VIP4 = '172.31.255.100';
const VIP6 = 'fd00:31::100';
/** Only the lone cut-off test uses it. */
const VIP4_B = '172.31.255.101';

/** User + system CPU seconds used so far by a process (from /proc/PID/stat). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  // After "pid (comm) " the fields start at "state" (3rd); utime and stime are the 14th and 15th.
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

/** MACs from `arping` output lines "Unicast reply from IP [MAC]  1.2ms". */
function arpingMacs(out: string): string[] {
  return [...out.matchAll(/reply from \S+ \[([0-9A-Fa-f:]{17})\]/g)].map((m) => m[1].toLowerCase());
}

describe('layer2 announcer between namespaces', () => {
  let topo: Topology;
  let helper: string;
  const running: AnnouncerProcess[] = [];
  const start = async (host: 'node1' | 'node2' | 'node3', args: string[]) => {
    const p = await AnnouncerProcess.start(topo, host, args, helper);
    running.push(p);
    return p;
  };

  before(() => {
    requireNetTools(['ip', 'arping', 'ping', 'ndisc6', 'gcc']);
    helper = buildPacketHelper();
    topo = Topology.create();
  });
  after(async () => {
    for (const p of running) await p.kill();
    topo?.teardown();
  });

  test('nobody answers for the VIP before it is announced', () => {
    const r = topo.tryExec('client', 'arping', ['-c', '1', '-w', '1', '-I', 'eth0', VIP4]);
    assert.equal(arpingMacs(r.stdout).length, 0, r.stdout);
  });

  test('arping from the client gets replies with node1 MAC', async () => {
    await start('node1', ['--ip', VIP4, '--ip', VIP6]);
    const out = topo.exec('client', 'arping', ['-c', '3', '-w', '5', '-I', 'eth0', VIP4]);
    const macs = arpingMacs(out);
    assert.equal(macs.length, 3, out);
    assert.deepEqual(new Set(macs), new Set([topo.hosts.node1.mac]));
  });

  test('IPv6: Neighbor Solicitation is answered with node1 MAC', () => {
    const out = topo.exec('client', 'ndisc6', ['-1', '-r', '3', '-w', '1000', VIP6, 'eth0']);
    const m = /Target link-layer address: ([0-9A-Fa-f:]{17})/.exec(out);
    assert.ok(m, out);
    assert.equal(m[1].toLowerCase(), topo.hosts.node1.mac);
    // The kernel's own resolution (ping) accepts our advertisement too.
    topo.tryExec('client', 'ping', ['-6', '-c', '1', '-W', '1', VIP6]);
    assert.equal(topo.neighbourMac('client', VIP6), topo.hosts.node1.mac);
  });

  test('takeover: after node1 dies, node2 gratuitous ARP / NA move the client neighbour entries', async () => {
    topo.tryExec('client', 'ping', ['-c', '1', '-W', '1', VIP4]);
    assert.equal(topo.neighbourMac('client', VIP4), topo.hosts.node1.mac, 'client resolved the VIP to node1 first');
    assert.equal(topo.neighbourMac('client', VIP6), topo.hosts.node1.mac);

    await running[0].kill();
    const node2 = await start('node2', ['--ip', VIP4, '--ip', VIP6]);
    // The client sends nothing meanwhile: only node2's announcements can change the entries.
    await waitFor('client IPv4 entry to point at node2',
      () => (topo.neighbourMac('client', VIP4) === topo.hosts.node2.mac ? true : undefined), 5000);
    await waitFor('client IPv6 entry to point at node2',
      () => (topo.neighbourMac('client', VIP6) === topo.hosts.node2.mac ? true : undefined), 5000);
    const stats = await node2.stats();
    assert.ok((stats.counters as { gratuitousSent: number }).gratuitousSent >= 2, JSON.stringify(stats));

    const out = topo.exec('client', 'arping', ['-c', '1', '-w', '3', '-I', 'eth0', VIP4]);
    assert.deepEqual(arpingMacs(out), [topo.hosts.node2.mac]);
  });

  test('withdraw stops the answers', async () => {
    const node2 = running[1];
    node2.send(`withdraw ${VIP4}`);
    await node2.next((e) => e.event === 'withdrawn');
    const r = topo.tryExec('client', 'arping', ['-c', '1', '-w', '1', '-I', 'eth0', VIP4]);
    assert.equal(arpingMacs(r.stdout).length, 0, r.stdout);
    node2.send(`announce ${VIP4}`);
    await node2.next((e) => e.event === 'announced');
  });

  test('back from a lone cut-off: the node that kept answering moves the client back with reannounce', async () => {
    const gratuitousSent = async (p: AnnouncerProcess) => ((await p.stats()).counters as { gratuitousSent: number }).gratuitousSent;
    // node1 answers for a fresh address the client has resolved, and its takeover series is over
    // (else its last gratuitous ARPs would move the client back without any reannounce).
    const node1 = await start('node1', ['--ip', VIP4_B]);
    topo.tryExec('client', 'ping', ['-c', '1', '-W', '1', VIP4_B]);
    assert.equal(topo.neighbourMac('client', VIP4_B), topo.hosts.node1.mac);
    await poll('node1\'s 3 gratuitous ARPs', async () => (await gratuitousSent(node1)) === 3, { timeoutMs: 10_000, everyMs: 100 });
    // node3 took the address over meanwhile (node1 was counted gone), then gave it back.
    const node3 = await start('node3', ['--ip', VIP4_B]);
    await waitFor('client entry to point at node3',
      () => (topo.neighbourMac('client', VIP4_B) === topo.hosts.node3.mac ? true : undefined), 5000);
    node3.send(`withdraw ${VIP4_B}`);
    await node3.next((e) => e.event === 'withdrawn');
    assert.equal(topo.neighbourMac('client', VIP4_B), topo.hosts.node3.mac, 'a withdraw sends nothing: the entry is stale');
    node1.send(`reannounce ${VIP4_B}`);
    await node1.next((e) => e.event === 'reannounced');
    await waitFor('client entry back at node1',
      () => (topo.neighbourMac('client', VIP4_B) === topo.hosts.node1.mac ? true : undefined), 5000);
  });

  test('an ARP flood is rate-bounded, does not crash the announcer, and it answers afterwards', async (t) => {
    const node2 = running[1];
    const before = await node2.stats();
    const cpu0 = cpuSeconds(node2.child.pid!);
    const floodStats = await floodArp(topo, 'client', helper, VIP4, 2000);
    const seconds = floodStats.seconds;
    const cpu = (cpuSeconds(node2.child.pid!) - cpu0) / seconds;

    assert.ok(node2.alive, 'announcer survived the flood');
    const stats = await node2.stats();
    const c = stats.counters as Record<string, number>;
    const c0 = before.counters as Record<string, number>;
    const h = stats.helper as Record<string, number>;
    const replies = c.arpRepliesSent - c0.arpRepliesSent;
    const seen = c.arpRequestsSeen - c0.arpRequestsSeen;
    t.diagnostic(`flood: sent ${floodStats.tx} frames in ${seconds.toFixed(1)} s; announcer saw ${seen}, ` +
      `replied ${replies}, rate-limited ${c.rateLimited - c0.rateLimited}; helper dropped ${h.droppedRate} (rate) ${h.droppedSlow} (slow); announcer CPU ${(cpu * 100).toFixed(0)}% of a core`);
    assert.ok(cpu < 0.9, `announcer CPU stayed bounded (${(cpu * 100).toFixed(0)}% of a core)`);
    assert.ok(floodStats.tx > 5000, `the flood was real (${floodStats.tx} frames)`);
    // Helper forwards at most 2000/s (+ burst 200); the announcer replies at most 1000/s (+ burst 200).
    assert.ok(seen <= 2000 * (seconds + 2) + 200, `forwarded frames bounded (${seen})`);
    assert.ok(replies <= 1000 * (seconds + 2) + 200, `replies bounded (${replies})`);
    assert.ok(c.rateLimited > c0.rateLimited || h.droppedRate > 0, 'the limits were hit');

    const out = await waitFor('arping to be answered after the flood', () => {
      const r = topo.tryExec('client', 'arping', ['-c', '1', '-w', '1', '-I', 'eth0', VIP4]);
      return arpingMacs(r.stdout).length ? r.stdout : undefined;
    }, 5000, 100);
    assert.deepEqual(arpingMacs(out), [topo.hosts.node2.mac]);
  });
});
