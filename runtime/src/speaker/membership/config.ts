// Membership timing (pure): defaults and the formulas that scale with the cluster size.
// Failure detection time ≈ (time until someone probes the dead member: about one period, since
// every period each member probes one other, so each member is probed about once a period)
// + one period (ping, then ping-req via k members) + the suspicion timeout + dissemination
// (each gossip round reaches `gossipFanout` more members: about log_fanout(N) rounds).
export interface MembershipConfig {
  /** One probe per period (ms). */
  probeIntervalMs: number;
  /** Wait this long for a direct ack before asking `indirectChecks` members to probe (ms). */
  probeTimeoutMs: number;
  indirectChecks: number;
  /** Suspicion lasts between suspicionMult·max(1, log10 N)·probeInterval and suspicionMaxMult times
   * that; independent confirmations shorten it toward the minimum (Lifeguard). */
  suspicionMult: number;
  suspicionMaxMult: number;
  /** Gossip rounds (ms) and members each round sends pending updates to. */
  gossipIntervalMs: number;
  gossipFanout: number;
  /** Each update is sent retransmitMult·ceil(log10(N+1)) times. */
  retransmitMult: number;
  /** Largest datagram, MAC included (bytes): under a 1500-byte MTU with IP/UDP headers. */
  maxDatagram: number;
  /** Members a starting member asks for the current incarnations, per attempt. */
  joinFanout: number;
  /** No valid datagram for this long while peers exist: gossip is not working here (ms). */
  healthWindowMs: number;
  /** Dead and left members are still gossiped to for this long, so a wrongly declared member
   * hears it and refutes (ms). */
  deadGossipMs: number;
  /** Every this often, ask one member held dead whether it is back (ms). */
  reconnectIntervalMs: number;
  /** About this often (±50%), take one random member's whole table (anti-entropy, ms); scaled
   * up for large clusters by syncScale. */
  syncIntervalMs: number;
}

export const DEFAULT_CONFIG: MembershipConfig = {
  probeIntervalMs: 100,
  probeTimeoutMs: 30,
  indirectChecks: 3,
  suspicionMult: 2,
  suspicionMaxMult: 3,
  gossipIntervalMs: 20,
  gossipFanout: 4,
  retransmitMult: 4,
  maxDatagram: 1400,
  joinFanout: 3,
  healthWindowMs: 2000,
  deadGossipMs: 5000,
  reconnectIntervalMs: 1000,
  syncIntervalMs: 5000,
};

const log10 = (n: number) => Math.log10(Math.max(1, n));

/** Times each update is retransmitted in a cluster of n members. */
export function retransmitLimit(c: MembershipConfig, n: number): number {
  return c.retransmitMult * Math.ceil(log10(n + 1));
}

/** Lifeguard's suspicion timeout (ms) for n members after `confirmations` independent suspicions. */
export function suspicionTimeout(c: MembershipConfig, n: number, confirmations: number): number {
  const min = c.suspicionMult * Math.max(1, log10(n)) * c.probeIntervalMs;
  // Two members: nobody can confirm a suspicion, so waiting for confirmations only delays it.
  if (n <= 2) return min;
  const max = c.suspicionMaxMult * min;
  const expected = Math.max(1, Math.min(c.indirectChecks, n - 2));
  const frac = Math.log(confirmations + 1) / Math.log(expected + 1);
  return Math.max(min, Math.floor(max - (max - min) * Math.min(1, frac)));
}

/** Anti-entropy sends a member's whole table (O(N) bytes), so beyond 32 members it runs less
 * often, by 1 + ceil(log2(N/32)) (memberlist scales its push-pull the same way): the bytes each
 * member sends for it per second stay nearly flat in N. */
export function syncScale(n: number): number {
  return n <= 32 ? 1 : 1 + Math.ceil(Math.log2(n / 32));
}
