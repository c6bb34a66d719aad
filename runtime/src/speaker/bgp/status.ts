// Per-peer status in the shape of OpenELB's BgpPeer v1alpha2
// `status.nodesPeerStatus[node]` (peerState + timersState). Counters are strings there.
import { State } from './fsm';

export interface MessageCounters {
  open: number;
  update: number;
  keepalive: number;
  notification: number;
  refresh: number;
  total: number;
  /** UPDATEs ignored under RFC 7606 treat-as-withdraw, or on a family not negotiated. */
  discarded: number;
  /** UPDATEs that withdrew something, and the prefixes they withdrew. */
  withdrawUpdate: number;
  withdrawPrefix: number;
}

export function newCounters(): MessageCounters {
  return { open: 0, update: 0, keepalive: 0, notification: 0, refresh: 0, total: 0, discarded: 0, withdrawUpdate: 0, withdrawPrefix: 0 };
}

export type MessageStrings = { [K in keyof MessageCounters]: string };

export interface NodePeerStatus {
  peerState: {
    neighborAddress: string;
    peerAs: number;
    localAs: number;
    /** IDLE, CONNECT, ACTIVE, OPENSENT, OPENCONFIRM, ESTABLISHED (as OpenELB's metrics expect). */
    sessionState: string;
    adminState: string;
    /** Peer's BGP identifier once known. */
    routerId?: string;
    /** How many times the session left Established. */
    flops: number;
    messages: { received: MessageStrings; sent: MessageStrings };
  };
  timersState: {
    connectRetry: string;
    holdTime: string;
    keepaliveInterval: string;
    negotiatedHoldTime?: string;
    /** RFC 3339 time the session reached Established (absent when not up). */
    uptime?: string;
    /** RFC 3339 time the session last went down. */
    downtime?: string;
  };
}

export function sessionStateName(s: State): string {
  return s.toUpperCase();
}

export function countersToStrings(c: MessageCounters): MessageStrings {
  const out = {} as MessageStrings;
  for (const k of Object.keys(c) as (keyof MessageCounters)[]) out[k] = String(c[k]);
  return out;
}
