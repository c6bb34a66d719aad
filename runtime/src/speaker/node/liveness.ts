// Which speakers are alive, from their coordination.k8s.io Leases (pure). Each speaker renews
// `openelb-speaker-<node>`; a Lease is fresh while renewTime + leaseDurationSeconds lies ahead.

export const SPEAKER_LEASE_PREFIX = 'openelb-speaker-';

export interface LeaseLike {
  metadata?: { name?: string };
  spec?: { holderIdentity?: string | null; renewTime?: Date | string | null; leaseDurationSeconds?: number | null };
}

export interface Liveness {
  live: Set<string>;
  /** Earliest time (ms since epoch) a live Lease expires: re-plan then. */
  nextExpiry?: number;
}

/** The node a speaker Lease belongs to, or undefined for other Leases. */
export function leaseNode(lease: LeaseLike): string | undefined {
  const name = lease.metadata?.name ?? '';
  return name.startsWith(SPEAKER_LEASE_PREFIX) && name.length > SPEAKER_LEASE_PREFIX.length
    ? name.slice(SPEAKER_LEASE_PREFIX.length) : undefined;
}

export function liveSpeakers(leases: readonly LeaseLike[], now: number): Liveness {
  const live = new Set<string>();
  let nextExpiry: number | undefined;
  for (const l of leases) {
    const node = leaseNode(l);
    // A released Lease (empty holder) means the speaker stopped on purpose.
    if (!node || !l.spec?.holderIdentity || !l.spec.renewTime) continue;
    const renewed = new Date(l.spec.renewTime).getTime();
    const expires = renewed + (l.spec.leaseDurationSeconds ?? 0) * 1000;
    if (!Number.isFinite(expires) || expires <= now) continue;
    live.add(node);
    nextExpiry = nextExpiry === undefined ? expires : Math.min(nextExpiry, expires);
  }
  return { live, nextExpiry };
}
