// One peer's session: owns the TCP socket, the framer, the timers and the FSM, and
// carries out the FSM's actions. All protocol decisions live in fsm.ts / negotiate.ts.
import net from 'node:net';
import { BgpFsm, FsmAction, FsmEvent, Timer } from './fsm';
import { Framer } from './framer';
import { BgpError } from './errors';
import { BgpMessage, DecodedMessage, decodeMessage, encodeMessage, notificationFor } from './messages';
import { Capabilities, makeOpen } from './open';
import { formatRouterId } from './negotiate';
import { MessageCounters, NodePeerStatus, countersToStrings, newCounters, sessionStateName } from './status';
import { Route, announceUpdate, endOfRib, familyNegotiated, withdrawUpdate } from './routes';
import { Prefix } from './prefix';
import { announcedPrefixes, withdrawnPrefixes } from './update';
import { formatIp } from '@openelb/core/address/ip';
import { formatPrefix } from './prefix';

export interface PeerConfig {
  neighborAddress: string;
  peerAs: number;
  /** TCP port of the peer (default 179). */
  remotePort?: number;
  /** Never connect out; wait for the peer to connect. */
  passive?: boolean;
  /** Proposed hold time in seconds (default 90; 0 or >= 3). */
  holdTime?: number;
  /** Keepalive interval in seconds (default hold / 3). */
  keepalive?: number;
  /** Accepted for OpenELB compatibility; Node's net sockets cannot set the TTL (see README). */
  ebgpMultihopTtl?: number;
  /** TCP MD5 (RFC 2385) cannot be set from Node; a peer with a password is refused at config time. */
  password?: string;
  /** Seconds between connection attempts (default 5). */
  connectRetryTime?: number;
  /** Source address for outbound connections. */
  localAddress?: string;
}

export interface SessionContext {
  localAs: number;
  routerId: number;
  caps: Capabilities;
  routes: () => Iterable<Route>;
  log: (msg: string) => void;
}

export class PeerSession {
  readonly fsm: BgpFsm;
  private socket?: net.Socket;
  private framer = new Framer();
  private timers = new Map<Timer, NodeJS.Timeout>();
  readonly sent: MessageCounters = newCounters();
  readonly received: MessageCounters = newCounters();
  private upSince?: Date;
  private downSince?: Date;
  private flops = 0;
  private peerRouterId?: number;
  private readonly holdTime: number;
  /** Adj-RIB-In: prefix → next hop, for status and tests (routes are not installed). */
  readonly adjRibIn = new Map<string, string>();

  constructor(readonly cfg: PeerConfig, private readonly ctx: SessionContext) {
    this.holdTime = cfg.holdTime ?? 90;
    this.fsm = new BgpFsm({
      open: { localAs: ctx.localAs, peerAs: cfg.peerAs, routerId: ctx.routerId, holdTime: this.holdTime, caps: ctx.caps },
      passive: cfg.passive ?? false,
      connectRetryTime: cfg.connectRetryTime ?? 5,
      keepalive: cfg.keepalive,
    });
  }

  get established(): boolean {
    return this.fsm.state === 'Established';
  }

  start(): void { this.dispatch({ type: 'start' }); }
  stop(): void { this.dispatch({ type: 'stop' }); }

  /** Offers an inbound connection from this peer; returns false when it was refused. */
  accept(socket: net.Socket): boolean {
    const s = this.fsm.state;
    if (s !== 'Idle' && s !== 'Connect' && s !== 'Active') return false;
    this.detach();
    this.attach(socket);
    this.dispatch({ type: 'tcp-accepted' });
    return this.socket === socket;
  }

  announce(r: Route): void {
    const n = this.fsm.negotiated;
    if (!this.established || !n || !familyNegotiated(n, r.prefix.family)) return;
    this.send({ type: 'update', update: announceUpdate(r, { localAs: this.ctx.localAs, peerAs: this.cfg.peerAs, negotiated: n }) });
  }

  withdraw(p: Prefix): void {
    const n = this.fsm.negotiated;
    if (!this.established || !n || !familyNegotiated(n, p.family)) return;
    this.send({ type: 'update', update: withdrawUpdate(p) });
  }

  status(): NodePeerStatus {
    const n = this.fsm.negotiated;
    return {
      peerState: {
        neighborAddress: this.cfg.neighborAddress,
        peerAs: this.cfg.peerAs,
        localAs: this.ctx.localAs,
        sessionState: sessionStateName(this.fsm.state),
        adminState: 'UP',
        routerId: this.peerRouterId !== undefined ? formatRouterId(this.peerRouterId) : undefined,
        flops: this.flops,
        messages: { received: countersToStrings(this.received), sent: countersToStrings(this.sent) },
      },
      timersState: {
        connectRetry: String(this.cfg.connectRetryTime ?? 5),
        holdTime: String(this.holdTime),
        keepaliveInterval: String(n ? n.keepalive : Math.floor(this.holdTime / 3)),
        negotiatedHoldTime: n ? String(n.holdTime) : undefined,
        uptime: this.established ? this.upSince?.toISOString() : undefined,
        downtime: this.downSince?.toISOString(),
      },
    };
  }

  // ---- internals ----

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
      case 'start-timer': this.startTimer(a.timer, a.seconds); break;
      case 'stop-timer': this.stopTimer(a.timer); break;
      case 'established': this.onEstablished(a.negotiated.peerRouterId); break;
      case 'down': this.onDown(a.reason); break;
      case 'deliver': this.deliver(a.message); break;
    }
  }

  private onEstablished(peerId: number): void {
    this.upSince = new Date();
    this.peerRouterId = peerId;
    this.ctx.log(`${this.cfg.neighborAddress}: session established`);
    // Send the whole RIB, then End-of-RIB for every negotiated family.
    for (const r of this.ctx.routes()) this.announce(r);
    const n = this.fsm.negotiated;
    for (const fam of [4, 6] as const) {
      if (n && familyNegotiated(n, fam)) this.send({ type: 'update', update: endOfRib(fam) });
    }
  }

  private onDown(reason: string): void {
    this.adjRibIn.clear();
    if (this.upSince) this.flops++;
    this.upSince = undefined;
    this.downSince = new Date();
    this.ctx.log(`${this.cfg.neighborAddress}: session down: ${reason}`);
  }

  private deliver(m: DecodedMessage): void {
    if (m.type === 'route-refresh') {
      // RFC 2918: the peer asks for our routes of one family again.
      const fam = m.refresh.afi === 1 ? 4 : m.refresh.afi === 2 ? 6 : undefined;
      for (const r of this.ctx.routes()) if (r.prefix.family === fam) this.announce(r);
      return;
    }
    if (m.type === 'update') {
      const d = m.decoded;
      if (d.treatAsWithdraw) {
        this.received.discarded++;
        this.ctx.log(`${this.cfg.neighborAddress}: UPDATE treated as withdraw: ${d.treatAsWithdraw.describe()}`);
      }
      const gone = withdrawnPrefixes(d.update);
      if (gone.length > 0) { this.received.withdrawUpdate++; this.received.withdrawPrefix += gone.length; }
      for (const p of gone) this.adjRibIn.delete(formatPrefix(p));
      const a = d.update.attrs;
      for (const p of announcedPrefixes(d.update)) {
        if (d.treatAsWithdraw) { this.adjRibIn.delete(formatPrefix(p)); continue; }
        const nh = p.family === 4 ? (a.nextHop !== undefined ? formatIp(4, a.nextHop) : '') : (a.mpReach?.nextHops[0] ? formatIp(6, a.mpReach.nextHops[0].value) : '');
        this.adjRibIn.set(formatPrefix(p), nh);
      }
      // This speaker only announces; received routes are kept for display, never installed.
    }
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
    sock.setNoDelay(true);
    sock.on('data', (chunk: Buffer) => { if (this.socket === sock) this.onData(chunk); });
    sock.on('error', () => { /* 'close' follows and reports it */ });
    sock.on('close', () => { if (this.socket === sock) { this.socket = undefined; this.dispatch({ type: 'tcp-failed' }); } });
  }

  /** Stops listening to the current socket and closes it after pending writes flush. */
  private detach(): void {
    const sock = this.socket;
    if (!sock) return;
    this.socket = undefined;
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
      this.count(this.received, m.type);
      this.dispatch({ type: 'message', message: m });
    }
    if (error && this.socket) this.dispatch({ type: 'decode-error', error });
  }

  private count(c: MessageCounters, type: BgpMessage['type']): void {
    c.total++;
    if (type === 'route-refresh') c.refresh++;
    else c[type]++;
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
    if (!this.socket || this.socket.destroyed) return;
    this.socket.write(buf);
    this.count(this.sent, type);
  }

  private startTimer(t: Timer, seconds: number): void {
    this.stopTimer(t);
    // Connect-retry gets RFC 4271 10 jitter (75..100%) so two speakers do not stay in step.
    const ms = seconds * 1000 * (t === 'connectRetry' ? 0.75 + Math.random() * 0.25 : 1);
    this.timers.set(t, setTimeout(() => { this.timers.delete(t); this.dispatch({ type: 'timer', timer: t }); }, ms));
  }

  private stopTimer(t: Timer): void {
    const h = this.timers.get(t);
    if (h) clearTimeout(h);
    this.timers.delete(t);
  }
}
