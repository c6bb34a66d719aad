// Two BgpSpeaker instances talking over 127.0.0.1: session setup, RIB sync on
// Established, announce/withdraw for both families, status counters, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { BgpSpeaker, checkSpeakerConfig } from '../../runtime/src/speaker/bgp/speaker';
import { encodeMessage } from '../../runtime/src/speaker/bgp/messages';
import { makeOpen } from '../../runtime/src/speaker/bgp/open';
import { freePort } from '../harness/support/freePort';
import { poll } from '../harness/support/poll';

test('two speakers on loopback exchange host routes', async () => {
  const port = await freePort();
  const a = new BgpSpeaker({ localAs: 65000, routerId: '10.0.0.1', listenPort: port, listenAddress: '127.0.0.1',
    peers: [{ neighborAddress: '127.0.0.1', peerAs: 4200000001, passive: true, holdTime: 9 }] });
  const b = new BgpSpeaker({ localAs: 4200000001, routerId: '10.0.0.2', listenPort: 0,
    peers: [{ neighborAddress: '127.0.0.1', peerAs: 65000, remotePort: port, holdTime: 30, connectRetryTime: 1 }] });
  try {
    await a.start();
    b.announce('172.31.254.100/32', '172.31.254.2'); // before the session: sent on Established
    await b.start();
    await poll('route at A', () => a.receivedRoutes('127.0.0.1')?.['172.31.254.100/32'] === '172.31.254.2');
    const st = b.status()['127.0.0.1'];
    assert.equal(st.peerState.sessionState, 'ESTABLISHED');
    assert.equal(st.timersState.negotiatedHoldTime, '9');
    assert.equal(st.timersState.keepaliveInterval, '3');
    assert.ok(st.timersState.uptime);
    assert.equal(st.peerState.routerId, '10.0.0.1');

    b.announce('fd00:254::100/128', 'fd00:254::2');
    await poll('IPv6 route at A', () => a.receivedRoutes('127.0.0.1')?.['fd00:254::100/128'] === 'fd00:254::2');
    b.withdraw('172.31.254.100/32');
    b.withdraw('fd00:254::100/128');
    await poll('withdrawals at A', () => Object.keys(a.receivedRoutes('127.0.0.1') ?? { x: 1 }).length === 0);
    const recv = a.status()['127.0.0.1'].peerState.messages.received;
    assert.equal(recv.withdrawPrefix, '2');
    assert.ok(Number(recv.update) >= 4);
    assert.equal(b.status()['127.0.0.1'].peerState.messages.sent.open, '1');
  } finally {
    await b.stop();
    await a.stop();
  }
  // B's Cease reaches A and A leaves Established.
  await poll('A down', () => a.status()['127.0.0.1'].peerState.sessionState !== 'ESTABLISHED');
});

test('bgpMain rejects a bad config with a clear message and exit code 2', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/harness/drivers/bgpMain.ts', '{"localAs":-1,"routerId":"1.1.1.1","listenPort":0,"peers":[]}'],
    { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /invalid BGP speaker config: localAs -1/);
  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'test/harness/drivers/bgpMain.ts', '{not json'], { encoding: 'utf8', timeout: 20000 });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /bgp speaker: .*JSON/);
});

test('bad config and bad announce input give clear errors', () => {
  assert.throws(() => new BgpSpeaker({ localAs: 0, routerId: 'x', listenPort: 70000, peers: [{ neighborAddress: 'nope', peerAs: 1 }] }),
    /localAs 0.*routerId "x".*listenPort 70000/);
  assert.deepEqual(checkSpeakerConfig({ localAs: 1, routerId: '1.1.1.1', listenPort: 0, peers: [{ neighborAddress: 'nope', peerAs: 1 }] }),
    ['peer "nope": neighborAddress "nope" is not an IP address']);
  // A bad peer is left out and reported; the speaker and its other peers run.
  const mixed = new BgpSpeaker({ localAs: 1, routerId: '1.1.1.1', listenPort: 0, peers: [
    { neighborAddress: '10.0.0.1', peerAs: 2, password: 's' },
    { neighborAddress: '10.0.0.2', peerAs: 2, holdTime: 2 },
    { neighborAddress: '10.0.0.3', peerAs: 2, passive: true },
  ] });
  assert.deepEqual(Object.keys(mixed.status()), ['10.0.0.3']);
  assert.match(mixed.problems()['10.0.0.1'].message, /TCP MD5/);
  assert.match(mixed.problems()['10.0.0.2'].message, /holdTime 2 must be 0 or 3\.\.65535/);
  assert.equal(mixed.problems()['10.0.0.3'], undefined);
  const s = new BgpSpeaker({ localAs: 1, routerId: '1.1.1.1', listenPort: 0, peers: [] });
  assert.throws(() => s.announce('10.0.0.0/24', '10.0.0.1'), /only host routes/);
  assert.throws(() => s.announce('10.0.0.1/32', 'fd00::1'), /same family/);
  assert.throws(() => s.announce('banana', '10.0.0.1'), /not an IP prefix/);
  assert.equal(s.withdraw('10.0.0.9/32'), false);
});

test('a silent peer is dropped with NOTIFICATION 4 (hold timer expired) after the negotiated hold time', async () => {
  const port = await freePort();
  const s = new BgpSpeaker({ localAs: 65000, routerId: '10.0.0.1', listenPort: port, listenAddress: '127.0.0.1',
    peers: [{ neighborAddress: '127.0.0.1', peerAs: 65009, passive: true, holdTime: 90 }] });
  await s.start();
  const sock = net.connect({ host: '127.0.0.1', port });
  const got: Buffer[] = [];
  let closed = false;
  sock.on('data', (d: Buffer) => got.push(d));
  sock.on('close', () => { closed = true; });
  try {
    const open = encodeMessage({ type: 'open', open: makeOpen(65009, 3, 0x0a000009, { multiprotocol: [], routeRefresh: false, unknown: [] }) });
    sock.write(Buffer.concat([open, encodeMessage({ type: 'keepalive' })]));
    await poll('Established', () => s.status()['127.0.0.1'].peerState.sessionState === 'ESTABLISHED');
    const t0 = Date.now();
    await poll('NOTIFICATION and close', () => closed, { timeoutMs: 8000 });
    const elapsed = Date.now() - t0;
    const all = Buffer.concat(got);
    // Our KEEPALIVEs (every 1 s = 3 / 3) do not keep *their* silence alive.
    const notif = all.indexOf(Buffer.from([0x00, 0x15, 0x03, 0x04, 0x00]));
    assert.ok(notif >= 16, `expected NOTIFICATION 4/0, got ${all.toString('hex')}`);
    assert.ok(elapsed >= 2000 && elapsed < 4500, `hold expiry after ${elapsed} ms`);
    assert.ok(Number(s.status()['127.0.0.1'].peerState.messages.sent.keepalive) >= 3);
  } finally {
    sock.destroy();
    await s.stop();
  }
});
