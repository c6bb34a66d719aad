// One peer's session: owns the TCP socket, the framer, the timers and the FSM, and
// carries out the FSM's actions. All protocol decisions live in fsm.ts / negotiate.ts.
// Writes respect backpressure: UPDATEs come from a dirty set (outQueue.ts) and stop while
// the socket is backed up; only small control messages (KEEPALIVE, NOTIFICATION) are written
// regardless, and RFC 9687's send hold timer ends a session whose peer stopped reading.
import net from 'node:net';
import { BgpFsm, FsmAction, FsmEvent, Timer } from './fsm';
import { Framer } from './framer';
import { BgpError } from './errors';
import { BgpMessage, DecodedMessage, decodeMessage, encodeMessage, notificationFor } from './messages';
import { makeOpen } from './open';
import { countMessage, MessageCounters, NodePeerStatus, newCounters, peerStatus } from './status';
import { PeerView, Route, familyNegotiated } from './routes';
import { Prefix } from './prefix';
import { withdrawnPrefixes } from './update';
import { AdjRibIn } from './adjRibIn';
import { OutQueue } from './outQueue';
import { refreshFamily } from './refresh';
import { SessionTimers } from './sessionTimers';
import type { PeerConfig, SessionContext } from './sessionConfig';

export type { PeerConfig, SessionContext };

/** Wishes packed per pump step: at most ~70 KiB of UPDATEs are handed to the socket at once. */
const PUMP_ENTRIES = 4096;
/** RFC 9687 suggests 8 minutes. */
const SEND_HOLD_MIN = 480;

export class PeerSession {
  readonly fsm: BgpFsm;
  private socket?: net.Socket;
  private framer = new Framer();
  private readonly timers = new SessionTimers((t, seconds) => this.onTimer(t, seconds));
  readonly sent: MessageCounters = newCounters();
  readonly received: MessageCounters = newCounters();
  private upSince?: Date;
  private downSince?: Date;
  private flops = 0;
  private peerRouterId?: number;
  private readonly holdTime: number;
  /** Adj-RIB-In: prefix → next hop, bounded, for status and tests (routes are not installed). */
  readonly adjRibIn: AdjRibIn;
  private readonly out = new OutQueue();
  /** socket.write() returned false: wait for 'drain' before writing more UPDATEs. */
  private blocked = false;
  private pumpScheduled = false;
  /** Why the session was last ended by us for the peer's behaviour (cleared on Established). */
  problem?: { reason: string; message: string };
  private prefixLimitHit = false;

  constructor(readonly cfg: PeerConfig, private readonly ctx: SessionContext) {
    this.holdTime = cfg.holdTime ?? 90;
    this.adjRibIn = new AdjRibIn(cfg.maxPrefixes);
    this.fsm = new BgpFsm({
      open: { localAs: ctx.localAs, peerAs: cfg.peerAs, routerId: ctx.routerId, holdTime: this.holdTime, caps: ctx.caps },
      passive: cfg.passive ?? false,
      connectRetryTime: cfg.connectRetryTime ?? 5,
      keepalive: cfg.keepalive,
      maxPrefixRestart: cfg.maxPrefixRestart,
    });
  }

  get established(): boolean {
    return this.fsm.state === 'Established';
  }

  /** Prefixes waiting to be sent to this peer (bounded by our RIB). */
  get pending(): number {
    return this.out.size;
  }

  start(): void { this.dispatch({ type: 'start' }); }
  stop(): void { this.dispatch({ type: 'stop' }); }

  /** Offers an inbound connection from this peer; returns false when it was refused. */
  accept(socket: net.Socket): boolean {
    const s = this.fsm.state;
    if ((s !== 'Idle' && s !== 'Connect' && s !== 'Active') || this.fsm.sittingOut) return false;
    this.detach();
    this.attach(socket);
    this.dispatch({ type: 'tcp-accepted' });
    return this.socket === socket;
  }

  announce(r: Route): void {
    if (!this.sendsFamily(r.prefix.family)) return;
    this.out.announce(r);
    this.schedulePump();
  }

  withdraw(p: Prefix): void {
    if (!this.sendsFamily(p.family)) return;
    this.out.withdraw(p);
    this.schedulePump();
  }

  status(): NodePeerStatus {
    return peerStatus({
      neighborAddress: this.cfg.neighborAddress, peerAs: this.cfg.peerAs, localAs: this.ctx.localAs,
      state: this.fsm.state, negotiated: this.fsm.negotiated, prefixLimitHit: this.prefixLimitHit,
      peerRouterId: this.peerRouterId, flops: this.flops, sent: this.sent, received: this.received,
      connectRetry: this.cfg.connectRetryTime ?? 5, holdTime: this.holdTime, upSince: this.upSince, downSince: this.downSince,
    });
  }

  // ---- internals ----

  private sendsFamily(family: 4 | 6): boolean {
    const n = this.fsm.negotiated;
    return this.established && !!n && familyNegotiated(n, family);
  }

  private dispatch(ev: FsmEvent): void {
    let actions: FsmAction[];
    try {
      actions = this.fsm.handle(ev);
    } catch (e) {
      // Defensive: a bug in the FSM must not take the process down.
      this.ctx.log(`${this.cfg.neighborAddress}: internal FSM error: ${(e as Error).message}`);
      actions = this.fsm.handle({ type: 'tcp-failed' });
    }
    for (const a of actions) this.perform(a);
  }

  private perform(a: FsmAction): void {
    switch (a.type) {
      case 'connect': this.connect(); break;
      case 'close': this.detach(); break;
      case 'send-open': this.send({ type: 'open', open: makeOpen(this.ctx.localAs, this.holdTime, this.ctx.routerId, this.ctx.caps) }); break;
      case 'send-keepalive': this.send({ type: 'keepalive' }); break;
      case 'send-notification': this.sendRaw(notificationFor(a.error), 'notification'); break;
      case 'start-timer': this.timers.start(a.timer, a.seconds); break;
      case 'stop-timer': this.timers.stop(a.timer); break;
      case 'established': this.onEstablished(a.negotiated.peerRouterId); break;
      case 'down': this.onDown(a.reason); break;
      case 'deliver': this.deliver(a.message); break;
    }
  }

  private onEstablished(peerId: number): void {
    this.upSince = new Date();
    this.peerRouterId = peerId;
    this.problem = undefined;
    this.prefixLimitHit = false;
    this.ctx.log(`${this.cfg.neighborAddress}: session established`);
    // The whole RIB, then End-of-RIB for every negotiated family.
    for (const r of this.ctx.routes()) this.announce(r);
    for (const fam of [4, 6] as const) if (this.sendsFamily(fam)) this.out.markEndOfRib(fam);
    this.schedulePump();
  }

  private onDown(reason: string): void {
    this.adjRibIn.clear();
    this.out.clear();
    if (this.upSince) this.flops++;
    this.upSince = undefined;
    this.downSince = new Date();
    this.ctx.log(`${this.cfg.neighborAddress}: session down: ${reason}`);
  }

  private deliver(m: DecodedMessage): void {
    if (m.type === 'route-refresh') return this.onRouteRefresh(m.refresh);
    if (m.type !== 'update') return;
    const d = m.decoded;
    if (d.treatAsWithdraw) {
      this.received.discarded++;
      this.ctx.log(`${this.cfg.neighborAddress}: UPDATE treated as withdraw: ${d.treatAsWithdraw.describe()}`);
    }
    const gone = withdrawnPrefixes(d.update).length;
    if (gone > 0) { this.received.withdrawUpdate++; this.received.withdrawPrefix += gone; }
    // This speaker only announces; received routes are kept (bounded) for display, never installed.
    const over = this.adjRibIn.apply(d);
    if (over) {
      this.prefixLimitHit = true;
      this.problem = {
        reason: 'BgpMaxPrefixesReached',
        message: `${over.message}; this speaker only announces and uses no received routes: have the router send it none (or only a default route)`,
      };
      this.dispatch({ type: 'max-prefix', error: over });
    }
  }

  /** RFC 2918 / 7313: our routes of one family again, if both sides agreed on route refresh. */
  private onRouteRefresh(r: { afi: number; safi: number; subtype?: number }): void {
    const n = this.fsm.negotiated;
    if (!n) return;
    const answer = refreshFamily(r, n, this.ctx.caps);
    if (answer.error) return this.dispatch({ type: 'decode-error', error: answer.error });
    if (answer.ignore) { this.ctx.log(`${this.cfg.neighborAddress}: ROUTE-REFRESH ignored: ${answer.ignore}`); return; }
    for (const route of this.ctx.routes()) if (route.prefix.family === answer.family) this.out.announce(route);
    this.schedulePump();
  }

  private connect(): void {
    this.detach();
    const sock = net.connect({
      host: this.cfg.neighborAddress,
      port: this.cfg.remotePort ?? 179,
      localAddress: this.cfg.localAddress,
    });
    this.attach(sock);
    sock.once('connect', () => { if (this.socket === sock) this.dispatch({ type: 'tcp-connected' }); });
  }

  private attach(sock: net.Socket): void {
    this.socket = sock;
    this.framer = new Framer();
    this.blocked = false;
    sock.setNoDelay(true);
    sock.on('data', (chunk: Buffer) => { if (this.socket === sock) this.onData(chunk); });
    sock.on('drain', () => { if (this.socket === sock) this.onDrain(); });
    sock.on('error', () => { /* 'close' follows and reports it */ });
    sock.on('close', () => { if (this.socket === sock) { this.socket = undefined; this.dispatch({ type: 'tcp-failed' }); } });
  }

  /** Stops listening to the current socket and closes it after pending writes flush (or 1 s). */
  private detach(): void {
    const sock = this.socket;
    if (!sock) return;
    this.socket = undefined;
    this.blocked = false;
    this.timers.stop('sendHold');
    sock.end();
    setTimeout(() => sock.destroy(), 1000).unref();
  }

  private onData(chunk: Buffer): void {
    const { messages, error } = this.framer.push(chunk);
    for (const raw of messages) {
      if (!this.socket) return; // an earlier message closed the session
      let m: DecodedMessage;
      try {
        m = decodeMessage(raw, { fourOctetAs: this.fsm.negotiated?.fourOctetAs ?? true });
      } catch (e) {
        this.received.total++;
        const err = e instanceof BgpError ? e : new BgpError(1, 0, `decoder failure: ${(e as Error).message}`);
        this.dispatch({ type: 'decode-error', error: err });
        return;
      }
      countMessage(this.received, m.type);
      this.dispatch({ type: 'message', message: m });
    }
    if (error && this.socket) this.dispatch({ type: 'decode-error', error });
  }

  private onDrain(): void {
    this.blocked = false;
    this.timers.stop('sendHold');
    this.pump();
  }

  /** Pumps on the next turn, so announcements made together share UPDATEs. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => { this.pumpScheduled = false; this.pump(); });
  }

  /** Writes queued UPDATEs until the socket backs up or nothing is left. */
  private pump(): void {
    const n = this.fsm.negotiated;
    if (!n || !this.established) return;
    const view: PeerView = { localAs: this.ctx.localAs, peerAs: this.cfg.peerAs, negotiated: n };
    while (this.socket && !this.blocked && this.established) {
      const batch = this.out.take(view, PUMP_ENTRIES);
      if (!batch.length) return;
      for (const update of batch) this.send({ type: 'update', update });
    }
  }

  private send(m: BgpMessage): void {
    const ctx = { fourOctetAs: this.fsm.negotiated?.fourOctetAs ?? true };
    this.sendRaw(encodeMessage(m, ctx), m.type);
    if (m.type === 'update') {
      const w = withdrawnPrefixes(m.update).length;
      if (w > 0) { this.sent.withdrawUpdate++; this.sent.withdrawPrefix += w; }
    }
  }

  private sendRaw(buf: Buffer, type: BgpMessage['type']): void {
    const sock = this.socket;
    if (!sock || sock.destroyed) return;
    countMessage(this.sent, type);
    if (sock.write(buf) || this.blocked) return;
    // Backed up: no more UPDATEs until 'drain'; if that never comes, the send hold timer ends it.
    this.blocked = true;
    const hold = this.fsm.negotiated?.holdTime ?? 0;
    this.timers.start('sendHold', this.cfg.sendHoldTime ?? Math.max(SEND_HOLD_MIN, 2 * hold));
  }

  private onTimer(t: Timer, seconds: number): void {
    if (t === 'sendHold') {
      this.problem = {
        reason: 'BgpSendHoldTimerExpired',
        message: `the peer read nothing we sent for ${seconds} s (RFC 9687 send hold timer); session closed, it restarts on its own`,
      };
    }
    this.dispatch({ type: 'timer', timer: t });
  }
}
