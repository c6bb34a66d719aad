// One bad BgpPeer never affects the others: each is checked alone, and a peer that cannot be
// served is reported on that BgpPeer (status IDLE/DOWN plus a Warning Event naming the field),
// while its neighbours, passive ones sharing the listener included, establish as usual.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { bgpPlan, type BgpPeerObject } from '../../runtime/src/speaker/node/bgpConfig';
import { BgpDriver, DEFAULT_PASSIVE_PORT } from '../../runtime/src/speaker/node/bgpDriver';
import { StatusPublisher } from '../../runtime/src/speaker/node/statusPublisher';
import type { KubeWrites } from '../../runtime/src/speaker/node/kubeWrites';
import { encodeMessage } from '../../runtime/src/speaker/bgp/messages';
import { makeOpen } from '../../runtime/src/speaker/bgp/open';
import { freePort } from '../harness/support/freePort';
import { poll } from '../harness/support/poll';

const node = { name: 'n1', labels: {}, internalIps: ['10.0.0.5'] };
const conf = (listenPort?: number) => [{ metadata: { name: 'default' }, spec: { as: 65001, listenPort } }];
const peer = (name: string, neighborAddress: string, extra: Partial<NonNullable<BgpPeerObject['spec']>> = {}, password?: string): BgpPeerObject => ({
  metadata: { name, uid: `uid-${name}` },
  spec: { conf: { peerAs: 65000, neighborAddress, authPassword: password }, transport: { passiveMode: true }, ...extra },
});

// Only loopback addresses are ever dialled: passive peers are never connected to.

/** A raw peer at 127.0.0.1 that opens a session with AS 65000 and answers nothing else. */
function rawPeer(port: number): net.Socket {
  const s = net.connect({ host: '127.0.0.1', port });
  s.on('error', () => {});
  const open = makeOpen(65000, 90, 0x0a000009, { multiprotocol: [{ afi: 1, safi: 1 }], routeRefresh: true, fourOctetAs: 65000, unknown: [] });
  s.write(Buffer.concat([encodeMessage({ type: 'open', open }), encodeMessage({ type: 'keepalive' })]));
  return s;
}

test('bgpPlan checks each BgpPeer alone and says which field is wrong', () => {
  const plan = bgpPlan(node, conf(17900), [
    peer('good', '127.0.0.1'),
    peer('md5', '10.0.0.7', {}, 's3cret'),
    peer('hold', '10.0.0.8', { timers: { config: { holdTime: '2' } } }),
  ]);
  assert.deepEqual(plan.peers.map((p) => p.name), ['good']);
  assert.deepEqual(plan.rejected.map((r) => [r.name, r.uid]), [['md5', 'uid-md5'], ['hold', 'uid-hold']]);
  assert.match(plan.rejected[0].reason, /conf\.authPassword is set, but this speaker cannot sign TCP segments with MD5/);
  assert.ok(!plan.rejected[0].reason.includes('s3cret') && !plan.problems.join().includes('s3cret'), 'never the secret');
  assert.match(plan.rejected[1].reason, /timers\.config\.holdTime "2"/);
});

test('a passive BgpPeer with authPassword does not stop the other passive peer from establishing', async () => {
  const port = await freePort();
  const driver = new BgpDriver(() => {});
  const writes: string[] = [];
  const fake = {
    setPeerStatus: async (name: string, st: { peerState: { sessionState: string; adminState: string } } | null) => { writes.push(`status ${name} ${st?.peerState.sessionState}/${st?.peerState.adminState}`); },
    setConfStatus: async () => {},
    event: async (t: { kind: string; name: string; uid?: string }, type: string, reason: string, message: string) => { writes.push(`event ${t.kind}/${t.name}/${t.uid} ${type} ${reason}: ${message}`); },
  } as unknown as KubeWrites;
  const publisher = new StatusPublisher(fake, 'n1', () => {});
  const sock = rawPeerLater();
  try {
    await driver.configure(bgpPlan(node, conf(port), [peer('good', '127.0.0.1'), peer('md5', '10.0.0.7', {}, 'x')]));
    sock.open(port);
    await poll('good peer ESTABLISHED', () => driver.status().find((s) => s.peer === 'good')?.status.peerState.sessionState === 'ESTABLISHED');
    const st = driver.status();
    const bad = st.find((s) => s.peer === 'md5')!;
    assert.deepEqual([bad.status.peerState.sessionState, bad.status.peerState.adminState, bad.problem?.reason], ['IDLE', 'DOWN', 'BgpPeerRejected']);
    assert.equal(st.find((s) => s.peer === 'good')!.problem, undefined);
    await publisher.bgp(st, { as: 65001, routerId: '10.0.0.5' });
    await publisher.bgp(driver.status(), { as: 65001, routerId: '10.0.0.5' });
    const events = writes.filter((w) => w.startsWith('event'));
    assert.equal(events.length, 1, events.join('\n'));
    assert.match(events[0], /^event BgpPeer\/md5\/uid-md5 Warning BgpPeerRejected: n1: conf\.authPassword is set/);
    assert.ok(writes.includes('status md5 IDLE/DOWN') && writes.includes('status good ESTABLISHED/UP'), writes.join('\n'));
  } finally {
    sock.close();
    await driver.stop();
  }
});

test('without listenPort, passive peers are served on 17900; a port that cannot be opened is reported on each passive peer', async () => {
  assert.equal(DEFAULT_PASSIVE_PORT, 17900);
  const driver = new BgpDriver(() => {});
  const sock = rawPeerLater();
  try {
    await driver.configure(bgpPlan(node, conf(undefined), [peer('good', '127.0.0.1')]));
    const st = driver.status()[0];
    assert.equal(st.problem, undefined, st.problem?.message);
    sock.open(DEFAULT_PASSIVE_PORT);
    await poll('ESTABLISHED on 17900', () => driver.status()[0].status.peerState.sessionState === 'ESTABLISHED');
  } finally {
    sock.close();
    await driver.stop();
  }
  const busy = net.createServer();
  const port = await freePort();
  await new Promise<void>((r) => busy.listen(port, '::', () => r()));
  const d2 = new BgpDriver(() => {});
  try {
    await d2.configure(bgpPlan(node, conf(port), [peer('p1', '127.0.0.1'), peer('p2', '10.0.0.9'), peer('active', '127.0.0.3', { transport: { remotePort: await freePort() } })]));
    const byName = Object.fromEntries(d2.status().map((s) => [s.peer, s]));
    assert.equal(byName.p1.problem?.reason, 'BgpListenFailed');
    assert.match(byName.p2.problem!.message, new RegExp(`cannot listen on port ${port} for passive peers: another process on this node uses it`));
    assert.equal(byName.active.problem, undefined, 'an active peer does not need the listener');
    assert.notEqual(byName.active.status.peerState.adminState, 'DOWN');
  } finally {
    await d2.stop();
    await new Promise<void>((r) => busy.close(() => r()));
  }
});

function rawPeerLater(): { open(port: number): void; close(): void } {
  let s: net.Socket | undefined;
  return { open: (port) => { s = rawPeer(port); }, close: () => s?.destroy() };
}
