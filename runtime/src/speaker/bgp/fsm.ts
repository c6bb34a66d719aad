// The RFC 4271 section 8 session state machine as pure logic: feed it an event, get back
// the actions to perform (connect, send, arm a timer, ...). No sockets and no clocks here;
// peerSession.ts carries the actions out. Simplifications, all allowed by RFC 4271:
// - automatic restart: after a session goes down we return to Idle and start again when
//   the connect-retry timer fires (no DelayOpen, no damping of peer oscillations);
// - connection collisions are avoided rather than resolved: the session layer hands us at
//   most one connection, and rejects inbound connections once an OPEN is on the wire.
import { CeaseSub, ErrCode } from './constants';
import { BgpError } from './errors';
import { DecodedMessage } from './messages';
import { LocalOpenConfig, Negotiated, negotiate } from './negotiate';

export type State = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';
/** `sendHold` (RFC 9687) runs while our writes are stuck: the session layer arms it. */
export type Timer = 'connectRetry' | 'hold' | 'keepalive' | 'sendHold';

export type FsmEvent =
  | { type: 'start' }
  | { type: 'stop' }
  /** Our outbound TCP connection completed. */
  | { type: 'tcp-connected' }
  /** The listener handed us an inbound connection from this peer. */
  | { type: 'tcp-accepted' }
  /** Connect failed, or the established TCP connection closed. */
  | { type: 'tcp-failed' }
  | { type: 'timer'; timer: Timer }
  | { type: 'message'; message: DecodedMessage }
  | { type: 'decode-error'; error: BgpError }
  /** The peer went over the received-prefix bound (RFC 4486 Cease, subcode 1). */
  | { type: 'max-prefix'; error: BgpError };

export type FsmAction =
  | { type: 'connect' }
  | { type: 'close' }
  | { type: 'send-open' }
  | { type: 'send-keepalive' }
  | { type: 'send-notification'; error: BgpError }
  | { type: 'start-timer'; timer: Timer; seconds: number }
  | { type: 'stop-timer'; timer: Timer }
  | { type: 'established'; negotiated: Negotiated }
  | { type: 'down'; reason: string }
  | { type: 'deliver'; message: DecodedMessage };

export interface FsmConfig {
  open: LocalOpenConfig;
  /** Never connect; only wait for the peer (OpenELB's passiveMode). */
  passive: boolean;
  /** Seconds between connection attempts and before restarting after a failure. */
  connectRetryTime: number;
  /** Configured keepalive interval; used when shorter than negotiated hold / 3. */
  keepalive?: number;
  /** Seconds to stay down after a max-prefix Cease before accepting or connecting again. */
  maxPrefixRestart?: number;
}

/** Default wait after a max-prefix Cease: a peer that floods us does not get back at once. */
export const MAX_PREFIX_RESTART = 60;

/** RFC 4271 8.2.2 suggests a "large value" of 4 minutes for the hold timer until OPEN arrives. */
export const LARGE_HOLD = 240;

export class BgpFsm {
  state: State = 'Idle';
  negotiated?: Negotiated;
  private started = false;
  /** Down after a max-prefix Cease: refuse the peer until connect-retry fires. */
  private held = false;

  constructor(private readonly cfg: FsmConfig) {}

  /** Sitting out a max-prefix Cease: inbound connections are refused until connect-retry fires. */
  get sittingOut(): boolean {
    return this.held;
  }

  handle(ev: FsmEvent): FsmAction[] {
    if (ev.type === 'stop') return this.stop();
    switch (this.state) {
      case 'Idle': return this.idle(ev);
      case 'Connect':
      case 'Active': return this.connecting(ev);
      default: return this.open(ev);
    }
  }

  private go(s: State, actions: FsmAction[]): FsmAction[] {
    this.state = s;
    return actions;
  }

  private begin(): FsmAction[] {
    const retry: FsmAction = { type: 'start-timer', timer: 'connectRetry', seconds: this.cfg.connectRetryTime };
    if (this.cfg.passive) return this.go('Active', []);
    return this.go('Connect', [{ type: 'connect' }, retry]);
  }

  private idle(ev: FsmEvent): FsmAction[] {
    if (ev.type === 'start') { this.started = true; return this.begin(); }
    if (ev.type === 'timer' && ev.timer === 'connectRetry' && this.started) { this.held = false; return this.begin(); }
    if (ev.type === 'tcp-accepted') {
      // A started session waiting to restart takes a peer's new connection right away,
      // unless it is sitting out a max-prefix Cease.
      if (!this.started || this.held) return [{ type: 'close' }];
      this.state = 'Active';
      return this.connecting(ev);
    }
    return [];
  }

  private connecting(ev: FsmEvent): FsmAction[] {
    const retry: FsmAction = { type: 'start-timer', timer: 'connectRetry', seconds: this.cfg.connectRetryTime };
    switch (ev.type) {
      case 'start': return [];
      case 'tcp-connected':
      case 'tcp-accepted':
        return this.go('OpenSent', [
          { type: 'stop-timer', timer: 'connectRetry' },
          { type: 'send-open' },
          { type: 'start-timer', timer: 'hold', seconds: LARGE_HOLD },
        ]);
      case 'tcp-failed':
        return this.go('Active', this.state === 'Connect' ? [{ type: 'close' }] : []);
      case 'timer':
        if (ev.timer !== 'connectRetry') return [];
        if (this.cfg.passive) return [];
        return this.go('Connect', [{ type: 'close' }, { type: 'connect' }, retry]);
      default:
        // A message or decode error cannot happen without a connection; ignore.
        return [];
    }
  }

  /** OpenSent, OpenConfirm and Established. */
  private open(ev: FsmEvent): FsmAction[] {
    switch (ev.type) {
      case 'start': return [];
      case 'tcp-accepted': return [{ type: 'close' }];
      case 'tcp-connected': return [];
      case 'tcp-failed': return this.down('connection closed');
      case 'decode-error': return this.down(ev.error.describe(), ev.error);
      case 'max-prefix':
        this.held = true;
        return this.down(ev.error.message, ev.error, this.cfg.maxPrefixRestart ?? MAX_PREFIX_RESTART);
      case 'timer':
        if (ev.timer === 'hold') {
          return this.down('hold timer expired', new BgpError(ErrCode.HOLD_TIMER_EXPIRED, 0, 'hold timer expired'));
        }
        if (ev.timer === 'sendHold') {
          const e = new BgpError(ErrCode.SEND_HOLD_TIMER_EXPIRED, 0, 'send hold timer expired: the peer stopped reading');
          return this.down(e.message, e);
        }
        if (ev.timer === 'keepalive' && this.state !== 'OpenSent' && this.negotiated) {
          return [{ type: 'send-keepalive' }, { type: 'start-timer', timer: 'keepalive', seconds: this.keepaliveSeconds() }];
        }
        return [];
      case 'message': return this.message(ev.message);
      default: return [];
    }
  }

  private message(m: DecodedMessage): FsmAction[] {
    if (m.type === 'notification') {
      const n = m.notification;
      return this.down(`peer sent NOTIFICATION ${n.code}/${n.subcode}`);
    }
    if (this.state === 'OpenSent' && m.type === 'open') {
      let neg: Negotiated;
      try {
        neg = negotiate(m.open, this.cfg.open);
      } catch (e) {
        const err = e as BgpError;
        return this.down(err.describe(), err);
      }
      this.negotiated = neg;
      const actions: FsmAction[] = [{ type: 'send-keepalive' }];
      if (neg.holdTime > 0) {
        actions.push({ type: 'start-timer', timer: 'keepalive', seconds: this.keepaliveSeconds() });
        actions.push({ type: 'start-timer', timer: 'hold', seconds: neg.holdTime });
      } else {
        actions.push({ type: 'stop-timer', timer: 'hold' });
      }
      return this.go('OpenConfirm', actions);
    }
    if (this.state === 'OpenConfirm' && m.type === 'keepalive' && this.negotiated) {
      return this.go('Established', [...this.restartHold(), { type: 'established', negotiated: this.negotiated }]);
    }
    if (this.state === 'Established' && m.type !== 'open') {
      return [...this.restartHold(), ...(m.type === 'keepalive' ? [] : [{ type: 'deliver', message: m } as FsmAction])];
    }
    // Anything else is out of order: FSM error, subcode per RFC 6608 (1/2/3 by state).
    const sub = this.state === 'OpenSent' ? 1 : this.state === 'OpenConfirm' ? 2 : 3;
    return this.down(`unexpected ${m.type} in ${this.state}`, new BgpError(ErrCode.FSM, sub, `unexpected ${m.type} in ${this.state}`));
  }

  private keepaliveSeconds(): number {
    const neg = this.negotiated?.keepalive ?? 0;
    const k = this.cfg.keepalive;
    return Math.max(1, k !== undefined && k > 0 && k < neg ? k : neg);
  }

  private restartHold(): FsmAction[] {
    const h = this.negotiated?.holdTime ?? 0;
    return h > 0 ? [{ type: 'start-timer', timer: 'hold', seconds: h }] : [];
  }

  /** Tears the session down and schedules an automatic restart. */
  private down(reason: string, notify?: BgpError, restartAfter = this.cfg.connectRetryTime): FsmAction[] {
    this.negotiated = undefined;
    const actions: FsmAction[] = [];
    if (notify) actions.push({ type: 'send-notification', error: notify });
    actions.push(
      { type: 'close' },
      { type: 'stop-timer', timer: 'hold' },
      { type: 'stop-timer', timer: 'keepalive' },
      { type: 'stop-timer', timer: 'sendHold' },
      { type: 'start-timer', timer: 'connectRetry', seconds: restartAfter },
      { type: 'down', reason },
    );
    return this.go('Idle', actions);
  }

  private stop(): FsmAction[] {
    const wasOpen = this.state === 'OpenSent' || this.state === 'OpenConfirm' || this.state === 'Established';
    this.started = false;
    this.held = false;
    this.negotiated = undefined;
    const actions: FsmAction[] = [];
    if (wasOpen) actions.push({ type: 'send-notification', error: new BgpError(ErrCode.CEASE, CeaseSub.ADMIN_SHUTDOWN, 'administrative shutdown') });
    actions.push(
      { type: 'close' },
      { type: 'stop-timer', timer: 'connectRetry' },
      { type: 'stop-timer', timer: 'hold' },
      { type: 'stop-timer', timer: 'keepalive' },
      { type: 'stop-timer', timer: 'sendHold' },
    );
    if (wasOpen) actions.push({ type: 'down', reason: 'stopped' });
    return this.go('Idle', actions);
  }
}
