// The C packet helper on its own, in namespaces: what it reports, that the
// kernel filter passes only ARP requests and Neighbor Solicitations, that a
// parent which stops reading makes it drop (not block), and clear errors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { encodeMessage, type HelperMessage, MessageDecoder } from '../../runtime/src/speaker/layer2/helperProtocol';
import { buildPacketHelper } from '../harness/net/announcerProcess';
import { floodArp } from '../harness/net/arpFlood';
import { Topology, requireNetTools, waitFor } from '../harness/net/topology';

type Helper = { child: ChildProcessByStdio<Writable, Readable, null>; msgs: HelperMessage[] };

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
  const stats = async (h: Helper) => {
    const n = h.msgs.length;
    h.child.stdin.write(encodeMessage('S'));
    const m = await waitFor('helper stats', () => h.msgs.slice(n).find((x) => x.type === 'S'), 5000);
    return JSON.parse(m.payload.toString()) as Record<string, number>;
  };

  before(() => {
    requireNetTools(['ip', 'arping', 'ping', 'gcc']);
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
});
