// Per-peer status in the shape of OpenELB's BgpPeer v1alpha2
// `status.nodesPeerStatus[node]` (peerState + timersState). Counters are strings there.
import { State } from './fsm';
import type { BgpMessage } from './messages';
import { Negotiated, formatRouterId } from './negotiate';

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

/** Counts one message of `type` sent or received. */
export function countMessage(c: MessageCounters, type: BgpMessage['type']): void {
  c.total++;
  if (type === 'route-refresh') c.refresh++;
  else c[type]++;
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

export interface SessionFacts {
  neighborAddress: string; peerAs: number; localAs: number;
  state: State; negotiated?: Negotiated; prefixLimitHit: boolean; peerRouterId?: number; flops: number;
  sent: MessageCounters; received: MessageCounters;
  connectRetry: number; holdTime: number; upSince?: Date; downSince?: Date;
}

/** One session's status in OpenELB's shape. */
export function peerStatus(f: SessionFacts): NodePeerStatus {
  const n = f.negotiated;
  return {
    peerState: {
      neighborAddress: f.neighborAddress,
      peerAs: f.peerAs,
      localAs: f.localAs,
      sessionState: sessionStateName(f.state),
      // GoBGP's admin state for a peer stopped by its prefix limit.
      adminState: f.prefixLimitHit ? 'PFX_CT' : 'UP',
      routerId: f.peerRouterId !== undefined ? formatRouterId(f.peerRouterId) : undefined,
      flops: f.flops,
      messages: { received: countersToStrings(f.received), sent: countersToStrings(f.sent) },
    },
    timersState: {
      connectRetry: String(f.connectRetry),
      holdTime: String(f.holdTime),
      keepaliveInterval: String(n ? n.keepalive : Math.floor(f.holdTime / 3)),
      negotiatedHoldTime: n ? String(n.holdTime) : undefined,
      uptime: f.state === 'Established' ? f.upSince?.toISOString() : undefined,
      downtime: f.downSince?.toISOString(),
    },
  };
}
