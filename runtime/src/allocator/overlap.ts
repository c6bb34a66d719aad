// Overlap between Eips, decided across every Eip the controller knows (checkObject sees one Eip
// at a time, so its eip-overlap rule never fires in the controller). Pure.
//
// The older Eip keeps serving its range: an Eip is refused when it shares an address with any
// older Eip whose address parses (older: earlier creationTimestamp, then name; an Eip with no
// timestamp counts as the newest). Disabled, deleting and otherwise invalid Eips still count: they
// may hold addresses from before, and a refused Eip keeps its Services too (refusal only stops new
// allocations), so the allocator also never hands out an address held in an overlapping pool
// (plan.ts, heldElsewhere).
import { firstIp, intersectionText, lastIp, overlappingPairs, type Pool } from '@openelb/core/address/pool';

export interface OverlapInput {
  name: string;
  pool?: Pool;
  /** creationTimestamp in ms since the epoch; undefined when unknown. */
  created?: number;
}

export interface Refusal {
  /** The older Eips this one overlaps, oldest first. */
  others: string[];
  message: string;
}

function age(e: OverlapInput): number {
  return e.created ?? Number.POSITIVE_INFINITY;
}

/** Negative when `a` is older than `b` (creationTimestamp, then name). */
export function olderFirst(a: OverlapInput, b: OverlapInput): number {
  return age(a) - age(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** The Eips refused for overlapping an older one, by name. */
export function overlapRefusals(eips: readonly OverlapInput[]): Map<string, Refusal> {
  const older = new Map<string, OverlapInput[]>();
  for (const [i, j] of overlappingPairs(eips.map((e) => e.pool))) {
    const [a, b] = olderFirst(eips[i], eips[j]) <= 0 ? [eips[i], eips[j]] : [eips[j], eips[i]];
    if (a.name === b.name) continue;
    older.set(b.name, [...(older.get(b.name) ?? []), a]);
  }
  const out = new Map<string, Refusal>();
  for (const e of eips) {
    const olders = older.get(e.name);
    if (!olders) continue;
    olders.sort(olderFirst);
    const named = olders.map((o) => `Eip ${o.name} (${firstIp(o.pool!)} to ${lastIp(o.pool!)}, shared: ${intersectionText(e.pool!, o.pool!, true)})`);
    out.set(e.name, {
      others: olders.map((o) => o.name),
      message: `spec.address overlaps the older ${named.join(', ')}; the older Eip keeps the range and this one is not allocated from until the overlap is removed`,
    });
  }
  return out;
}
