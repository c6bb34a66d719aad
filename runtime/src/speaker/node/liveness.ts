// Which speakers are alive, from their coordination.k8s.io Leases (pure). Each speaker renews
// `openelb-speaker-<node>`; a Lease is fresh while renewTime + its duration lies ahead. The
// duration is the annotation LEASE_DURATION_MS_ANNOTATION when present: leaseDurationSeconds holds
// whole seconds only, and layer2 failover after a crash takes up to the duration.

export const SPEAKER_LEASE_PREFIX = 'openelb-speaker-';
export const LEASE_DURATION_MS_ANNOTATION = 'openelb.kubesphere.io/lease-duration-ms';

export interface LeaseLike {
  metadata?: { name?: string; annotations?: Record<string, string> | null };
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
    const expires = renewed + leaseDurationMs(l);
    if (!Number.isFinite(expires) || expires <= now) continue;
    live.add(node);
    nextExpiry = nextExpiry === undefined ? expires : Math.min(nextExpiry, expires);
  }
  return { live, nextExpiry };
}

/** A Lease's duration in ms: the exact annotation when valid, else leaseDurationSeconds. */
export function leaseDurationMs(lease: LeaseLike): number {
  const ms = Number(lease.metadata?.annotations?.[LEASE_DURATION_MS_ANNOTATION]);
  return Number.isInteger(ms) && ms > 0 ? ms : (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
}
