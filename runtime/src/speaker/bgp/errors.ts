// A typed protocol error: everything the decoder rejects becomes one of these, and each
// maps 1:1 to the NOTIFICATION (code, subcode, data) we send before closing the session.
import { ErrCode } from './constants';

/**
 * How the receiver handles an UPDATE error (RFC 7606 section 2):
 * - 'session-reset': send NOTIFICATION and close (the RFC 4271 behaviour);
 * - 'treat-as-withdraw': keep the session, treat the UPDATE's NLRI as withdrawn;
 * - 'attribute-discard': keep the session, ignore the bad attribute.
 */
export type ErrorAction = 'session-reset' | 'treat-as-withdraw' | 'attribute-discard';

export class BgpError extends Error {
  constructor(
    readonly code: number,
    readonly subcode: number,
    message: string,
    readonly data: Uint8Array = new Uint8Array(0),
    readonly action: ErrorAction = 'session-reset',
  ) {
    super(message);
    this.name = 'BgpError';
  }

  /** Human-readable "code/subcode: message". */
  describe(): string {
    return `${errorName(this.code)} (${this.code}/${this.subcode}): ${this.message}`;
  }
}

export function errorName(code: number): string {
  switch (code) {
    case ErrCode.HEADER: return 'Message Header Error';
    case ErrCode.OPEN: return 'OPEN Message Error';
    case ErrCode.UPDATE: return 'UPDATE Message Error';
    case ErrCode.HOLD_TIMER_EXPIRED: return 'Hold Timer Expired';
    case ErrCode.FSM: return 'Finite State Machine Error';
    case ErrCode.CEASE: return 'Cease';
    case ErrCode.SEND_HOLD_TIMER_EXPIRED: return 'Send Hold Timer Expired';
    default: return `error ${code}`;
  }
}

/** Big-endian 2-octet value, used as NOTIFICATION data for length errors. */
export function u16(n: number): Uint8Array {
  return Uint8Array.of((n >> 8) & 0xff, n & 0xff);
}
