// The membership I/O layer (runtime/src/speaker/membership/gossipNode.ts) over real UDP on
// 127.0.0.1: members agree, a clean leave reaches the others, a bad MAC and an oversized datagram
// are dropped and counted, and gossip health falls when the port is taken or nothing arrives.
// Waits poll for a condition with a generous deadline; nothing asserts a duration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { GossipNode } from '../../runtime/src/speaker/membership/gossipNode';
import { hmacSeal } from '../../runtime/src/speaker/membership/hmacSeal';
import { encodeDatagram } from '../../runtime/src/speaker/membership/messages';
import { poll } from '../harness/support/poll';

const KEY = new Uint8Array(32).fill(3);
const wait = { timeoutMs: 10_000, everyMs: 20 };

async function freeUdpPorts(n: number): Promise<number[]> {
  const socks = await Promise.all(Array.from({ length: n }, () => new Promise<ReturnType<typeof createSocket>>((res) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => res(s));
  })));
  const ports = socks.map((s) => s.address().port);
  await Promise.all(socks.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

async function group(n: number, config = {}): Promise<{ nodes: GossipNode[]; logs: string[]; peers: Map<string, { ip: string; port: number }> }> {
  const ports = await freeUdpPorts(n);
  const logs: string[] = [];
  const nodes = ports.map((port, i) => new GossipNode({ node: `n${i}`, bindAddress: '127.0.0.1', port, keys: [KEY], config, log: (m) => logs.push(m) }));
  const peers = new Map(nodes.map((g, i) => [`n${i}`, { ip: '127.0.0.1', port: ports[i] }]));
  for (const g of nodes) { await g.start(); g.setPeers(peers); }
  return { nodes, logs, peers };
}

test('members on loopback agree, and a clean leave is known by the others', async () => {
  const { nodes } = await group(4);
  try {
    await poll('all members hold all alive', () => nodes.every((g) => g.live().length === 4 && g.gossipHealthy()), wait);
    await nodes[3].leave();
    await poll('the others hold n3 left', () => nodes.slice(0, 3).every((g) => g.swim.member('n3')?.state === 'left'), wait);
    assert.equal(nodes[0].swim.member('n3')?.state, 'left');
  } finally {
    for (const g of nodes) g.close();
  }
});

test('a datagram with a bad MAC and an oversized one are dropped and counted', async () => {
  const { nodes, peers } = await group(2);
  const s = createSocket('udp4');
  try {
    await poll('members agree', () => nodes.every((g) => g.live().length === 2), wait);
    const forged = hmacSeal([new Uint8Array(32).fill(4)]).seal(encodeDatagram({
      from: 'n1', inc: Date.now() + 1e6, seq: 1, body: { type: 'gossip' }, updates: [{ state: 'dead', node: 'n1', inc: Date.now() + 1e6 }],
    }));
    const port = peers.get('n0')!.port;
    s.send(forged, port, '127.0.0.1');
    s.send(Buffer.alloc(2000), port, '127.0.0.1');
    await poll('the bad MAC is counted', () => nodes[0].swim.stats.badMac === 1 && nodes[0].io.oversized === 1, wait);
    assert.equal(nodes[0].swim.member('n1')?.state, 'alive');
  } finally {
    s.close();
    for (const g of nodes) g.close();
  }
});

test('a port already taken leaves gossip unhealthy with a message saying what to do', async () => {
  const [port] = await freeUdpPorts(1);
  const squatter = createSocket('udp4');
  await new Promise<void>((r) => squatter.bind(port, '127.0.0.1', () => r()));
  const logs: string[] = [];
  const g = new GossipNode({ node: 'a', bindAddress: '127.0.0.1', port, keys: [KEY], log: (m) => logs.push(m) });
  try {
    await g.start();
    assert.equal(g.gossipHealthy(), false);
    assert.equal(g.bindFailure, 'EADDRINUSE');
    assert.match(logs.join('\n'), /cannot bind UDP 127\.0\.0\.1:\d+ \(EADDRINUSE\); liveness falls back to the Kubernetes Leases/);
  } finally {
    g.close();
    squatter.close();
  }
});

test('gossip health falls when no valid datagram arrives (peers silent or the port blocked)', async () => {
  const { nodes } = await group(3, { healthWindowMs: 300 });
  try {
    await poll('healthy while peers answer', () => nodes[0].gossipHealthy(), wait);
    nodes[1].close();
    nodes[2].close();
    await poll('unhealthy once nothing arrives', () => !nodes[0].gossipHealthy(), wait);
  } finally {
    for (const g of nodes) g.close();
  }
});

test('a gossip key missing or too short is refused with the reason', () => {
  assert.throws(() => hmacSeal([new Uint8Array(8)]), /at least 16 are needed/);
  assert.throws(() => hmacSeal([]), /no gossip key/);
});

// The kubelet restarting a crashed speaker: same node, same port, a new life. The survivor, alone
// long enough to have lost gossip health and to hold it dead, must hear the new life (two members:
// the node tier's case).
test('a member restarted after the survivor lost gossip health is heard again, both ways', async () => {
  const [pa, pb] = await freeUdpPorts(2);
  const peers = new Map([['a', { ip: '127.0.0.1', port: pa }], ['b', { ip: '127.0.0.1', port: pb }]]);
  const mk = (node: string, port: number) => new GossipNode({ node, bindAddress: '127.0.0.1', port, keys: [KEY], log: () => {} });
  const a = mk('a', pa);
  let b = mk('b', pb);
  try {
    await a.start(); a.setPeers(peers);
    await b.start(); b.setPeers(peers);
    await poll('both alive', () => a.live().length === 2 && b.live().length === 2, wait);
    b.close(); // killed: no leave
    await poll('a holds b dead and has lost gossip health', () => a.swim.member('b')?.state === 'dead' && !a.gossipHealthy(), wait);
    b = mk('b', pb);
    await b.start(); b.setPeers(peers);
    await poll('a holds the new b alive, and both are healthy', () =>
      a.swim.member('b')?.state === 'alive' && a.gossipHealthy() && b.gossipHealthy() && b.live().length === 2, wait);
    assert.equal(a.live().length, 2);
  } finally {
    a.close(); b.close();
  }
});
