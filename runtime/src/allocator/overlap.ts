// Overlap between Eips, decided across every Eip the controller knows (checkObject sees one Eip
// at a time, so its eip-overlap rule never fires in the controller). Pure.
//
// The older Eip keeps serving its range: an Eip is refused when it shares an address with any
// older Eip whose address parses (older: earlier creationTimestamp, then name; an Eip with no
// timestamp counts as the newest). Disabled, deleting and otherwise invalid Eips still count: they
// may hold addresses from before, and a refused Eip keeps its Services too (refusal only stops new
// allocations), so the allocator also never hands out an address held in an overlapping pool
// (plan.ts, heldElsewhere).
import { OverlapIndex } from '@openelb/core/address/overlaps';
import { firstIp, intersectionText, lastIp, type Pool } from '@openelb/core/address/pool';

export interface OverlapInput {
  name: string;
  pool?: Pool;
  /** creationTimestamp in ms since the epoch; undefined when unknown. */
  created?: number;
}

export interface Refusal {
  /** Older Eips this one overlaps (at most MAX_NAMED_OLDER of them), oldest first. */
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

/** At most this many older Eips are named in a refusal; the rest are counted. */
export const MAX_NAMED_OLDER = 3;

/**
 * The Eips refused for overlapping an older one, by name. The Eips join the shared overlap
 * index oldest first, each asking first how many of those already in it (all older) it overlaps:
 * n log n, where listing every pair was quadratic for many copies of one range.
 */
export function overlapRefusals(eips: readonly OverlapInput[]): Map<string, Refusal> {
  const index = new OverlapIndex(eips.map((e) => e.pool), { hidden: true });
  const order = eips.map((_e, i) => i).sort((a, b) => olderFirst(eips[a], eips[b]));
  const out = new Map<string, Refusal>();
  for (const i of order) {
    const e = eips[i];
    if (!e.pool) continue;
    const sameName = (j: number) => eips[j].name === e.name;
    const olders = index.find(e.pool, MAX_NAMED_OLDER, sameName).map((j) => eips[j]).sort(olderFirst);
    index.show(i);
    if (!olders.length) continue;
    // Names are unique (cluster objects), so the count less this Eip is the number of older ones.
    const more = index.count(e.pool) - 1 - olders.length;
    const named = olders.map((o) => `Eip ${o.name} (${firstIp(o.pool!)} to ${lastIp(o.pool!)}, shared: ${intersectionText(e.pool!, o.pool!, true)})`);
    out.set(e.name, {
      others: olders.map((o) => o.name),
      message: `spec.address overlaps the older ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}; the older Eip keeps the range and this one is not allocated from until the overlap is removed`,
    });
  }
  return out;
}
