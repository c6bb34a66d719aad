// The pure RFC 4271 state machine: events in, actions out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BgpFsm, FsmAction, LARGE_HOLD } from '../../runtime/src/speaker/bgp/fsm';
import { makeOpen, emptyCapabilities } from '../../runtime/src/speaker/bgp/open';
import { BgpError } from '../../runtime/src/speaker/bgp/errors';
import { DecodedMessage } from '../../runtime/src/speaker/bgp/messages';

const local = { localAs: 65001, peerAs: 65000, routerId: 0x0a000002, holdTime: 90, caps: emptyCapabilities() };
const mk = (passive = false, keepalive?: number) => new BgpFsm({ open: local, passive, connectRetryTime: 5, keepalive });
const peerOpen = (hold = 30) => ({ type: 'message', message: { type: 'open', open: makeOpen(65000, hold, 0x0a000001, emptyCapabilities()) } }) as const;
const keepalive = { type: 'message', message: { type: 'keepalive' } } as const;
const types = (a: FsmAction[]) => a.map((x) => x.type);

function toEstablished(f: BgpFsm, hold = 30): FsmAction[] {
  f.handle({ type: 'start' });
  f.handle({ type: 'tcp-connected' });
  f.handle(peerOpen(hold));
  return f.handle(keepalive);
}

test('active start: Idle → Connect → OpenSent → OpenConfirm → Established', () => {
  const f = mk();
  assert.deepEqual(types(f.handle({ type: 'start' })), ['connect', 'start-timer']);
  assert.equal(f.state, 'Connect');
  const a = f.handle({ type: 'tcp-connected' });
  assert.equal(f.state, 'OpenSent');
  assert.deepEqual(a[1], { type: 'send-open' });
  assert.deepEqual(a[2], { type: 'start-timer', timer: 'hold', seconds: LARGE_HOLD });
  const b = f.handle(peerOpen(30));
  assert.equal(f.state, 'OpenConfirm');
  assert.deepEqual(b, [
    { type: 'send-keepalive' },
    { type: 'start-timer', timer: 'keepalive', seconds: 10 },
    { type: 'start-timer', timer: 'hold', seconds: 30 },
  ]);
  const c = f.handle(keepalive);
  assert.equal(f.state, 'Established');
  assert.deepEqual(types(c), ['start-timer', 'established']);
});

test('passive start waits in Active and never connects', () => {
  const f = mk(true);
  assert.deepEqual(f.handle({ type: 'start' }), []);
  assert.equal(f.state, 'Active');
  assert.deepEqual(f.handle({ type: 'timer', timer: 'connectRetry' }), []);
  f.handle({ type: 'tcp-accepted' });
  assert.equal(f.state, 'OpenSent');
});

test('connect failure goes to Active; connect-retry tries again', () => {
  const f = mk();
  f.handle({ type: 'start' });
  f.handle({ type: 'tcp-failed' });
  assert.equal(f.state, 'Active');
  assert.deepEqual(types(f.handle({ type: 'timer', timer: 'connectRetry' })), ['close', 'connect', 'start-timer']);
  assert.equal(f.state, 'Connect');
});

test('negotiated hold is the minimum; configured keepalive wins when shorter', () => {
  const f = mk(false, 3);
  f.handle({ type: 'start' });
  f.handle({ type: 'tcp-connected' });
  const a = f.handle(peerOpen(300));
  assert.deepEqual(a.slice(1), [
    { type: 'start-timer', timer: 'keepalive', seconds: 3 },
    { type: 'start-timer', timer: 'hold', seconds: 90 },
  ]);
});

test('hold time 0 disables keepalives and the hold timer', () => {
  const f = mk();
  f.handle({ type: 'start' });
  f.handle({ type: 'tcp-connected' });
  assert.deepEqual(f.handle(peerOpen(0)), [{ type: 'send-keepalive' }, { type: 'stop-timer', timer: 'hold' }]);
});

test('Established: keepalive timer sends KEEPALIVE; UPDATE restarts hold and is delivered', () => {
  const f = mk();
  toEstablished(f);
  assert.deepEqual(f.handle({ type: 'timer', timer: 'keepalive' }), [
    { type: 'send-keepalive' }, { type: 'start-timer', timer: 'keepalive', seconds: 10 },
  ]);
  const upd: DecodedMessage = { type: 'update', decoded: { update: { withdrawn: [], attrs: { other: [] }, nlri: [] }, discarded: [] } };
  assert.deepEqual(types(f.handle({ type: 'message', message: upd })), ['start-timer', 'deliver']);
});

test('hold timer expiry sends NOTIFICATION 4 and returns to Idle, then restarts', () => {
  const f = mk();
  toEstablished(f);
  const a = f.handle({ type: 'timer', timer: 'hold' });
  const n = a[0];
  assert.ok(n.type === 'send-notification' && n.error.code === 4);
  assert.ok(types(a).includes('close') && types(a).includes('down'));
  assert.equal(f.state, 'Idle');
  f.handle({ type: 'timer', timer: 'connectRetry' });
  assert.equal(f.state, 'Connect');
});

test('a bad OPEN sends the OPEN error and goes Idle', () => {
  const f = mk();
  f.handle({ type: 'start' });
  f.handle({ type: 'tcp-connected' });
  const a = f.handle({ type: 'message', message: { type: 'open', open: makeOpen(65099, 90, 1, emptyCapabilities()) } });
  assert.ok(a[0].type === 'send-notification' && a[0].error.code === 2 && a[0].error.subcode === 2);
  assert.equal(f.state, 'Idle');
});

test('out-of-order messages are FSM errors (RFC 6608 subcodes)', () => {
  const f = mk();
  f.handle({ type: 'start' });
  f.handle({ type: 'tcp-connected' });
  const a = f.handle(keepalive);
  assert.ok(a[0].type === 'send-notification' && a[0].error.code === 5 && a[0].error.subcode === 1);
  const g = mk();
  toEstablished(g);
  const b = g.handle(peerOpen());
  assert.ok(b[0].type === 'send-notification' && b[0].error.code === 5 && b[0].error.subcode === 3);
});

test('decode errors and peer NOTIFICATIONs tear the session down', () => {
  const f = mk();
  toEstablished(f);
  const a = f.handle({ type: 'decode-error', error: new BgpError(1, 1, 'x') });
  assert.ok(a[0].type === 'send-notification' && a[0].error.code === 1);
  assert.equal(f.state, 'Idle');
  const g = mk();
  toEstablished(g);
  const b = g.handle({ type: 'message', message: { type: 'notification', notification: { code: 6, subcode: 2, data: new Uint8Array() } } });
  assert.ok(!types(b).includes('send-notification'));
  assert.equal(g.state, 'Idle');
});

test('stop sends Cease when a session is open; extra inbound connections are refused', () => {
  const f = mk();
  toEstablished(f);
  assert.deepEqual(f.handle({ type: 'tcp-accepted' }), [{ type: 'close' }]);
  const a = f.handle({ type: 'stop' });
  assert.ok(a[0].type === 'send-notification' && a[0].error.code === 6 && a[0].error.subcode === 2);
  assert.equal(f.state, 'Idle');
  assert.deepEqual(f.handle({ type: 'timer', timer: 'connectRetry' }), [], 'a stopped session does not restart');
  assert.deepEqual(f.handle({ type: 'tcp-accepted' }), [{ type: 'close' }]);
});
