// The C packet helper on its own, in namespaces: what it reports, that the
// kernel filter passes only untagged ARP requests and Neighbor Solicitations of
// at most 1518 bytes, that a parent which stops reading makes it drop (not
// block), and clear errors for bad options and interfaces.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { parseIp } from '@openelb/core/address/ip';
import { ARP_REQUEST, buildArp } from '../../runtime/src/speaker/layer2/arp';
import { encodeMessage, type HelperMessage, MessageDecoder, parseInterfaceInfo } from '../../runtime/src/speaker/layer2/helperProtocol';
import { BROADCAST_MAC, parseMac } from '../../runtime/src/speaker/layer2/wire';
import { buildPacketHelper } from '../harness/net/announcerProcess';
import { floodArp } from '../harness/net/arpFlood';
import { sendRawFrames, withVlanTag } from '../harness/net/rawFrames';
import { Topology, requireNetTools, waitFor } from '../harness/net/topology';

type Helper = { child: ChildProcessByStdio<Writable, Readable, null>; msgs: HelperMessage[] };

/** A broadcast ARP request from the client for `target`, padded with zeros to `size` bytes. */
function arpRequest(topo: Topology, target: string, size = 42): Buffer {
  const mac = parseMac(topo.hosts.client.mac)!;
  const frame = buildArp({
    ethDest: BROADCAST_MAC, ethSource: mac, op: ARP_REQUEST, senderMac: mac,
    senderIp: parseIp(topo.hosts.client.v4)!, targetMac: Buffer.alloc(6), targetIp: parseIp(target)!,
  });
  return Buffer.concat([frame, Buffer.alloc(Math.max(0, size - frame.length))]);
}
/** The target IPv4 address of each ARP request the helper forwarded. */
const arpTargets = (h: Helper): string[] => h.msgs
  .filter((m) => m.type === 'F' && m.payload.readUInt16BE(12) === 0x0806)
  .map((m) => [...m.payload.subarray(38, 42)].join('.'));

describe('openelb-packet-helper', () => {
  let topo: Topology;
  let helperPath: string;
  const started: Helper[] = [];

  function startHelper(args: string[]): Helper {
    const child = spawn('ip', ['netns', 'exec', topo.hosts.node1.ns, helperPath, ...args], { stdio: ['pipe', 'pipe', 'ignore'] });
    const h: Helper = { child, msgs: [] };
    const decoder = new MessageDecoder();
    child.stdout.on('data', (d: Buffer) => h.msgs.push(...decoder.push(d)));
    started.push(h);
    return h;
  }
  /** The helper's exit status; fails (rather than hangs) when it keeps running. */
  const exitOf = (h: Helper) => waitFor('the helper to exit', () => h.child.exitCode ?? undefined, 5000);
  const stats = async (h: Helper) => {
    const n = h.msgs.length;
    h.child.stdin.write(encodeMessage('S'));
    const m = await waitFor('helper stats', () => h.msgs.slice(n).find((x) => x.type === 'S'), 5000);
    return JSON.parse(m.payload.toString()) as Record<string, number>;
  };

  before(() => {
    requireNetTools(['ip', 'arping', 'ping', 'gcc', 'python3']);
    helperPath = buildPacketHelper();
    topo = Topology.create();
  });
  after(() => {
    for (const h of started) if (h.child.exitCode === null) h.child.kill('SIGKILL');
    topo?.teardown();
  });

  test('reports the interface first, then passes only ARP requests and Neighbor Solicitations', async () => {
    const h = startHelper(['eth0']);
    const info = await waitFor('info message', () => h.msgs.find((m) => m.type === 'I'));
    assert.equal(h.msgs[0].type, 'I');
    const i = JSON.parse(info.payload.toString()) as { mac: string; ifindex: number; addrs: string[] };
    assert.equal(i.mac, topo.hosts.node1.mac);
    assert.ok(i.addrs.includes('172.31.255.2') && i.addrs.includes('fd00:31::2'), JSON.stringify(i));

    // Unicast ICMP to node1 (v4 and v6) is ordinary traffic the filter must drop;
    // the ARP request and NS for absent addresses must pass.
    topo.exec('client', 'ping', ['-c', '2', '-i', '0.2', '-W', '1', '172.31.255.2']);
    topo.exec('client', 'ping', ['-6', '-c', '2', '-i', '0.2', '-W', '1', 'fd00:31::2']);
    topo.tryExec('client', 'arping', ['-c', '1', '-w', '1', '-I', 'eth0', '172.31.255.77']);
    topo.tryExec('client', 'ping', ['-6', '-c', '1', '-W', '1', 'fd00:31::77']);
    const frames = await waitFor('an ARP request and an NS', () => {
      const f = h.msgs.filter((m) => m.type === 'F').map((m) => m.payload);
      const arp = f.some((p) => p.readUInt16BE(12) === 0x0806 && p.subarray(38, 42).toString('hex') === 'ac1fff4d');
      const ns = f.some((p) => p.readUInt16BE(12) === 0x86dd && p[54] === 135);
      return arp && ns ? f : undefined;
    });
    for (const p of frames) {
      const isArpRequest = p.readUInt16BE(12) === 0x0806 && p.readUInt16BE(20) === 1;
      const isNs = p.readUInt16BE(12) === 0x86dd && p[20] === 58 && p[54] === 135;
      assert.ok(isArpRequest || isNs, `unexpected frame ${p.subarray(0, 60).toString('hex')}`);
    }
    h.child.stdin.end();
    const code = await new Promise((r) => h.child.once('exit', r));
    assert.equal(code, 0, 'exits cleanly when stdin closes');
  });

  test('a parent that stops reading makes it drop frames, not block', async () => {
    const h = startHelper(['--max-rate', '100000', 'eth0']);
    await waitFor('info message', () => h.msgs.find((m) => m.type === 'I'));
    h.child.stdout.pause();
    // ~64 KiB pipe / ~45-byte messages: some 1,500 frames fill it.
    const flood = await floodArp(topo, 'client', helperPath, '172.31.255.77', 1000);
    assert.ok(flood.tx > 5000, `the flood was real (${flood.tx} frames)`);
    h.child.stdout.resume();
    const s = await stats(h);
    assert.ok(s.droppedSlow > 0, `dropped because the parent was slow: ${JSON.stringify(s)}`);
    assert.equal(h.child.exitCode, null, 'still running');
  });

  test('clear errors for a missing interface and for bad messages', async () => {
    const missing = startHelper(['nosuch0']);
    const code = await new Promise((r) => missing.child.once('exit', r));
    assert.equal(code, 1);
    const err = missing.msgs.find((m) => m.type === 'E');
    assert.match(err?.payload.toString() ?? '', /interface nosuch0/);

    const h = startHelper(['eth0']);
    await waitFor('info message', () => h.msgs.find((m) => m.type === 'I'));
    h.child.stdin.write(Buffer.from([0x5a, 0x00, 0x01, 0x00]));
    const code2 = await new Promise((r) => h.child.once('exit', r));
    assert.equal(code2, 1);
    assert.match(h.msgs.find((m) => m.type === 'E')?.payload.toString() ?? '', /bad message type/);
  });

  test('drops ARP requests tagged for a VLAN; priority-tagged (VLAN 0) ones are untagged traffic', async () => {
    const h = startHelper(['eth0']);
    await waitFor('info message', () => h.msgs.find((m) => m.type === 'I'));
    // The kernel strips the tag before the helper's socket sees the frame; without the VLAN
    // check the helper would answer VLAN 100's request, untagged, on the native network.
    // Sent in order: once the last (untagged) one is in, the earlier ones had their chance.
    sendRawFrames(topo, 'client', [
      withVlanTag(arpRequest(topo, '172.31.255.101'), 100),
      withVlanTag(arpRequest(topo, '172.31.255.102'), 0),
      arpRequest(topo, '172.31.255.103'),
    ]);
    await waitFor('the untagged request', () => arpTargets(h).includes('172.31.255.103') || undefined);
    assert.deepEqual(arpTargets(h).filter((t) => t.startsWith('172.31.255.10')), ['172.31.255.102', '172.31.255.103']);
  });

  test('drops frames over 1518 bytes instead of passing them cut to 1518', async () => {
    const links: [string, string][] = [
      [topo.hosts.client.ns, 'eth0'], [`${topo.prefix}-br`, 'v-client'], [`${topo.prefix}-br`, 'v-node1'], [topo.hosts.node1.ns, 'eth0'],
    ];
    const setMtu = (mtu: number) => { for (const [ns, dev] of links) execFileSync('ip', ['-n', ns, 'link', 'set', dev, 'mtu', String(mtu)]); };
    setMtu(9000);
    try {
      const h = startHelper(['eth0']);
      await waitFor('info message', () => h.msgs.find((m) => m.type === 'I'));
      sendRawFrames(topo, 'client', [arpRequest(topo, '172.31.255.104', 1519), arpRequest(topo, '172.31.255.105', 1514)]);
      await waitFor('the full-size request', () => arpTargets(h).includes('172.31.255.105') || undefined);
      assert.deepEqual(arpTargets(h).filter((t) => t.startsWith('172.31.255.10')), ['172.31.255.105']);
      const s = await stats(h);
      assert.equal(s.droppedOversize, 1, JSON.stringify(s));
    } finally {
      setMtu(1500);
    }
  });

  test('refuses a --max-rate that is not a number from 1 to 1000000, saying so', async () => {
    for (const bad of ['nan', 'inf', '0', '0.5', '-5', '1e3', '2000000', '12abc', '']) {
      const h = startHelper(['--max-rate', bad, 'eth0']);
      assert.equal(await exitOf(h), 1, `--max-rate ${JSON.stringify(bad)} is refused`);
      const err = h.msgs.find((m) => m.type === 'E')?.payload.toString() ?? '';
      assert.equal(err, `--max-rate ${bad}: expected frames per second, a number from 1 to 1000000; ` +
        'usage: openelb-packet-helper [--max-rate 1..1000000] [--send-only] IFNAME');
    }
    const missing = startHelper(['eth0', '--max-rate']);
    assert.equal(await exitOf(missing), 1);
    assert.match(missing.msgs.find((m) => m.type === 'E')?.payload.toString() ?? '', /^--max-rate needs a value/);
    const unknown = startHelper(['--max-rat', '5', 'eth0']);
    assert.equal(await exitOf(unknown), 1);
    assert.match(unknown.msgs.find((m) => m.type === 'E')?.payload.toString() ?? '', /^unknown option --max-rat;/);

    const ok = startHelper(['--max-rate', '1500.5', 'eth0']);
    await waitFor('info message', () => ok.msgs.find((m) => m.type === 'I'));
  });

  test('reports an interface whose name has quotes, backslashes and control bytes as valid JSON', async () => {
    const name = 'q"b\\c\x01';
    // A veth pair: this needs no module beyond what the topology already uses.
    execFileSync('ip', ['-n', topo.hosts.node1.ns, 'link', 'add', name, 'type', 'veth', 'peer', 'name', 'quotepeer']);
    const h = startHelper([name]);
    const info = await waitFor('info message', () => h.msgs.find((m) => m.type === 'I'));
    assert.equal(parseInterfaceInfo(info.payload).ifname, name, info.payload.toString());
  });
});
