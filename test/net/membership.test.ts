// Gossip membership over real UDP between network namespaces (one member per host, each its own
// process, test/harness/net/membershipMain.ts): every member agrees; a SIGKILLed member is
// declared dead by all; a cleanly stopped one is known gone; a member whose link is cut is
// declared dead by the others and sees its own gossip health fall; a blocked gossip port (UDP
// dropped by iptables on one host) leaves that host unhealthy — the speaker's cue to fall back to
// the Kubernetes Leases. Waits poll with generous deadlines; no duration is asserted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Topology, requireNetTools, waitFor, type HostName } from '../harness/net/topology';
import { REPO } from '../harness/repo';

const PORT = 7947;
const MEMBERS: HostName[] = ['node1', 'node2', 'node3', 'router', 'client'];
const MAIN = join(REPO, 'test', 'harness', 'net', 'membershipMain.ts');
const KEY = randomBytes(32).toString('hex');

interface Member { host: HostName; child: ChildProcess; events: Record<string, unknown>[] }

describe('gossip membership between namespaces', () => {
  let topo: Topology;
  const members = new Map<HostName, Member>();

  const start = (host: HostName): Member => {
    const peers = MEMBERS.map((h) => `${h}=${topo.hosts[h].v4}`).join(',');
    const child = topo.spawnIn(host, process.execPath, ['--import', 'tsx', MAIN, host, topo.hosts[host].v4, String(PORT), peers],
      { cwd: REPO, env: { ...process.env, MEMBERSHIP_KEY: KEY } });
    const m: Member = { host, child, events: [] };
    createInterface({ input: child.stdout! }).on('line', (l) => { try { m.events.push(JSON.parse(l) as Record<string, unknown>); } catch { /* not ours */ } });
    members.set(host, m);
    return m;
  };
  /** What `observer` last said about `about` (from its change events). */
  const stateOf = (observer: HostName, about: HostName): string | undefined => {
    const ch = members.get(observer)!.events.filter((e) => e.event === 'change' && e.node === about);
    return ch.length ? String(ch[ch.length - 1].to) : undefined;
  };
  const status = async (host: HostName): Promise<{ live: string[]; healthy: boolean }> => {
    const m = members.get(host)!;
    const n = m.events.length;
    m.child.stdin!.write('status\n');
    return waitFor(`${host} status`, () => m.events.slice(n).find((e) => e.event === 'status') as { live: string[]; healthy: boolean } | undefined);
  };
  const running = (x: HostName) => { const c = members.get(x)?.child; return !!c && c.exitCode === null && c.signalCode === null; };
  const others = (h: HostName) => MEMBERS.filter((x) => x !== h && running(x));
  before(async () => {
    requireNetTools(['ip', 'iptables']);
    topo = Topology.create();
    for (const h of MEMBERS) start(h);
    for (const h of MEMBERS) await waitFor(`${h} ready`, () => members.get(h)!.events.find((e) => e.event === 'ready'), 20_000);
  });
  after(() => topo?.teardown());

  const waitAllLive = async (hosts: HostName[], n: number) => {
    for (const h of hosts) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const s = await status(h);
        if (s.live.length === n && s.healthy) break;
        if (Date.now() > deadline) assert.fail(`${h} holds ${JSON.stringify(s)} after 15 s`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };

  test('all five members agree and are healthy', async () => {
    await waitAllLive(MEMBERS, 5);
  });

  test('a SIGKILLed member is declared dead by every other member', async () => {
    members.get('client')!.child.kill('SIGKILL');
    for (const h of others('client')) await waitFor(`${h} holds client dead`, () => (stateOf(h, 'client') === 'dead' ? true : undefined), 15_000);
  });

  test('a cleanly stopped member is known gone (left, never suspected first)', async () => {
    const observers = others('router');
    const mark = new Map(observers.map((h) => [h, members.get(h)!.events.length]));
    members.get('router')!.child.stdin!.write('leave\n');
    for (const h of observers) await waitFor(`${h} holds router left`, () => (stateOf(h, 'router') === 'left' ? true : undefined), 15_000);
    for (const h of observers) {
      // The first word about router after the leave is "left": it was not suspected on the way out.
      const first = members.get(h)!.events.slice(mark.get(h)).find((e) => e.event === 'change' && e.node === 'router');
      assert.equal(first?.to, 'left', `${h}: first change after the leave`);
    }
  });

  test('a member whose gossip port is blocked is declared dead by its peers and loses gossip health', async () => {
    // Drop the gossip port both ways on node3 only (the rest of its network still works).
    topo.exec('node3', 'iptables', ['-A', 'INPUT', '-p', 'udp', '--dport', String(PORT), '-j', 'DROP']);
    topo.exec('node3', 'iptables', ['-A', 'OUTPUT', '-p', 'udp', '--dport', String(PORT), '-j', 'DROP']);
    try {
      for (const h of ['node1', 'node2'] as HostName[]) await waitFor(`${h} holds node3 dead`, () => (stateOf(h, 'node3') === 'dead' ? true : undefined), 15_000);
      const deadline = Date.now() + 15_000;
      while ((await status('node3')).healthy) {
        if (Date.now() > deadline) assert.fail('node3 still reports gossip healthy with its port blocked');
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal((await status('node1')).healthy, true, 'node1 still hears node2');
    } finally {
      topo.exec('node3', 'iptables', ['-F']);
    }
  });

  test('after the block is lifted the three remaining members agree again', async () => {
    await waitAllLive(['node1', 'node2', 'node3'], 3);
  });
});
