// What one peer session is configured with, and what it needs from its speaker.
import type { Capabilities } from './open';
import type { Route } from './routes';

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
  /** Received prefixes kept per family; one more ends the session (RFC 4486). Default 10000. */
  maxPrefixes?: number;
  /** Seconds to stay down after that (default 60). */
  maxPrefixRestart?: number;
  /** RFC 9687 send hold time in seconds (default max(480, 2 x negotiated hold time)). */
  sendHoldTime?: number;
}

export interface SessionContext {
  localAs: number;
  routerId: number;
  caps: Capabilities;
  routes: () => Iterable<Route>;
  log: (msg: string) => void;
}
