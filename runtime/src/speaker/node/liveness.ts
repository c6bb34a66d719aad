// The speaker Leases as heartbeats (pure): each speaker renews `openelb-speaker-<node>`, and
// every renewal writes a new renewTime, which is all we read of it: plan/liveSet.ts times the
// changes with our own clock and never compares renewTime with it (nodes' clocks differ). The
// duration is the annotation LEASE_DURATION_MS_ANNOTATION when present: leaseDurationSeconds holds
// whole seconds only, and layer2 failover after a crash takes about the duration.
import type { Heartbeat } from '../plan/liveSet';

export const SPEAKER_LEASE_PREFIX = 'openelb-speaker-';
export const LEASE_DURATION_MS_ANNOTATION = 'openelb.kubesphere.io/lease-duration-ms';

export interface LeaseLike {
  metadata?: { name?: string; annotations?: Record<string, string> | null };
  spec?: { holderIdentity?: string | null; renewTime?: Date | string | null; leaseDurationSeconds?: number | null };
}

/** The node a speaker Lease belongs to, or undefined for other Leases. */
export function leaseNode(lease: LeaseLike): string | undefined {
  const name = lease.metadata?.name ?? '';
  return name.startsWith(SPEAKER_LEASE_PREFIX) && name.length > SPEAKER_LEASE_PREFIX.length
    ? name.slice(SPEAKER_LEASE_PREFIX.length) : undefined;
}

/** One heartbeat per held speaker Lease; a released one (empty holder) means the speaker stopped. */
export function leaseHeartbeats(leases: readonly LeaseLike[]): Heartbeat[] {
  const out: Heartbeat[] = [];
  for (const l of leases) {
    const node = leaseNode(l);
    const holder = l.spec?.holderIdentity;
    if (!node || !holder || !l.spec?.renewTime) continue;
    out.push({ node, stamp: `${holder}@${new Date(l.spec.renewTime).getTime()}`, durationMs: leaseDurationMs(l) });
  }
  return out;
}

/** A Lease's duration in ms: the exact annotation when valid, else leaseDurationSeconds. */
export function leaseDurationMs(lease: LeaseLike): number {
  const ms = Number(lease.metadata?.annotations?.[LEASE_DURATION_MS_ANNOTATION]);
  return Number.isInteger(ms) && ms > 0 ? ms : (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
}

/** The Secret `openelb deploy` creates in openelb-system: the gossip key (32 random bytes under
 * `key`). Read by the speaker only, by name (ops/rbac.ts). */
/** The labels of the runtime's pods (the DaemonSet and Deployment templates): the speaker finds
 * the gossip members by them. */
export function runtimePodLabels(component: 'controller' | 'speaker'): Record<string, string> {
  return { 'app.kubernetes.io/name': 'openelb', 'app.kubernetes.io/component': component };
}

export const GOSSIP_SECRET = 'openelb-speaker-gossip';
export const GOSSIP_SECRET_KEY = 'key';
/** On a speaker Lease: `healthy` or `doubt` (plan/membershipView.ts), for operators and tests. */
export const GOSSIP_ANNOTATION = 'openelb.kubesphere.io/gossip';
/** On a speaker Lease: `node@incarnation[,...]`, members this speaker's gossip held dead. */
export const DECLARED_DEAD_ANNOTATION = 'openelb.kubesphere.io/declared-dead';

/** The death declarations the speaker Leases carry (malformed entries are skipped). */
export function leaseDeclarations(leases: readonly LeaseLike[]): { by: string; node: string; inc: number }[] {
  const out: { by: string; node: string; inc: number }[] = [];
  for (const l of leases) {
    const by = leaseNode(l);
    const v = l.metadata?.annotations?.[DECLARED_DEAD_ANNOTATION];
    if (!by || !v) continue;
    for (const entry of v.split(',')) {
      const at = entry.lastIndexOf('@');
      const inc = Number(entry.slice(at + 1));
      if (at > 0 && Number.isSafeInteger(inc)) out.push({ by, node: entry.slice(0, at), inc });
    }
  }
  return out;
}
