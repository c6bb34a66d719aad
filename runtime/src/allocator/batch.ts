// Planning several Services at once, without I/O. Each Service is decided by planService, in
// order, against a BatchOverlay of the committed state that already carries the decisions
// taken before it in the batch, so two Services of one batch never get the same free address.
// The committed state is not touched: the caller commits the batch, then applies the overlay
// (Allocations.apply), or drops it.
//
// The result says, per Eip, the pool as the batch leaves it and which Services' changes the
// Eip's write carries; a Service's decision counts only once every Eip carrying it is written.
//
// A Service moving to another Eip only claims the new address here: leaving the old Eip is
// written afterwards, once the claim is recorded (as one Service at a time would do it).
import type { Allocations } from './allocations';
import type { BatchOverlay } from './overlay';
import { planService, type Plan } from './plan';
import type { PoolView } from './poolState';
import type { ServiceRequest } from './service';
import type { PeerLookup } from './sharing';

export interface BatchItem {
  key: string;
  /** Undefined when the Service no longer exists: whatever it holds is freed. */
  request?: ServiceRequest;
  /** Labels of the Service's namespace (for spec.namespaceSelector). */
  nsLabels?: Record<string, string>;
}

export type BatchDecision = Plan | { action: 'gone' };

export interface BatchPlan {
  decisions: Map<string, BatchDecision>;
  /** The batch's changes, on top of the state it was planned on. */
  overlay: BatchOverlay;
  /** Eip name → the pool as the batch leaves it (only Eips that change). */
  changed: Map<string, PoolView>;
  /** Eip name → keys of the Services whose change that Eip's write carries. */
  carriers: Map<string, string[]>;
}

/**
 * `peers` finds Services outside the batch (holders of addresses its Services ask to share);
 * the batch's own Services are found in `items`, as they are now.
 */
export function planBatch(items: BatchItem[], allocs: Allocations, peers?: PeerLookup): BatchPlan {
  const overlay = allocs.overlay();
  const inBatch = new Map(items.flatMap((i) => (i.request ? [[i.key, i.request] as const] : [])));
  const peerOf: PeerLookup = (key) => inBatch.get(key) ?? peers?.(key);
  const carriers = new Map<string, string[]>();
  const carry = (eip: string, key: string): void => {
    const list = carriers.get(eip);
    if (list) list.push(key);
    else carriers.set(eip, [key]);
  };
  const decisions = new Map<string, BatchDecision>();
  for (const { key, request, nsLabels } of adoptersFirst(items, allocs)) {
    const d: BatchDecision = request ? planService(request, overlay, nsLabels, peerOf) : { action: 'gone' };
    decisions.set(key, d);
    if (d.action === 'assign') {
      overlay.unholdAll(d.eip, key);
      overlay.hold(d.eip, d.ip, key);
      carry(d.eip, key);
    } else if (d.action === 'release' || d.action === 'gone') {
      for (const a of overlay.allocationsOf(key)) {
        overlay.unhold(a.eip, key, [a.ip]);
        carry(a.eip, key);
      }
    }
  }
  return { decisions, overlay, changed: overlay.changedPools(), carriers };
}

/**
 * Services showing an address in their status that no record lists for them (after a takeover
 * from upstream, or a lost record) are planned first: they re-adopt it before a new Service of
 * the same batch could take it as free, so they keep it instead of being moved. Every other
 * Service keeps the order it came in (unchanged when there is none).
 */
function adoptersFirst(items: BatchItem[], allocs: Allocations): BatchItem[] {
  const adopts = (i: BatchItem): boolean => !!i.request?.wanted && i.request.statusIps.length > 0 && allocs.allocationOf(i.key) === undefined;
  const first = items.filter(adopts);
  return first.length === 0 ? items : [...first, ...items.filter((i) => !adopts(i))];
}
