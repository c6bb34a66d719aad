// A session's running timers (the FSM asks to start and stop them; peerSession.ts carries the
// requests out): one Node timer per kind, restarted on each start, with RFC 4271's jitter on
// connect-retry so two speakers retrying each other do not stay in step.
import type { Timer } from './fsm';

export class SessionTimers {
  private readonly running = new Map<Timer, NodeJS.Timeout>();

  /** `fire` gets the timer and the seconds it was started with. */
  constructor(private readonly fire: (t: Timer, seconds: number) => void) {}

  start(t: Timer, seconds: number): void {
    this.stop(t);
    // Connect-retry gets RFC 4271 10 jitter (75..100%).
    const ms = seconds * 1000 * (t === 'connectRetry' ? 0.75 + Math.random() * 0.25 : 1);
    this.running.set(t, setTimeout(() => { this.running.delete(t); this.fire(t, seconds); }, ms));
  }

  stop(t: Timer): void {
    const h = this.running.get(t);
    if (h) clearTimeout(h);
    this.running.delete(t);
  }
}
