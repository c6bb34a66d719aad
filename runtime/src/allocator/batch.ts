// Planning several Services at once, without I/O. Each Service is decided by planService, in
// order, against a copy of the allocation state that already carries the decisions taken
// before it in the batch, so two Services of one batch never get the same free address.
// The copy of a changed pool is its draft (Allocations.draft): the caller must, per changed
// Eip, either install it (Allocations.updatePool) or put it back (Allocations.discardDraft).
// So a batch costs what it changes, not a copy of every address in use.
//
// The result says, per Eip, the pool state to write (its status.used after every change of the
// batch) and which Services' changes that write carries. The controller writes each such Eip
// once; a Service's decision counts only once every Eip carrying its change is written.
//
// A Service moving to another Eip only claims the new address here: leaving the old Eip is
// written afterwards, once the claim is recorded (as one Service at a time would do it).
import type { Allocations } from './allocations';
import { planService, type Plan } from './plan';
import { hold, unhold, type PoolState } from './poolState';
import type { ServiceRequest } from './service';

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
  /** Eip name → its pool state with the batch's changes applied (only Eips that change): the pool's draft. */
  changed: Map<string, PoolState>;
  /** Eip name → keys of the Services whose change that Eip's write carries. */
  carriers: Map<string, string[]>;
  /** Eip name → the addresses whose holders the batch changed there. */
  touched: Map<string, Set<bigint>>;
}

export function planBatch(items: BatchItem[], allocs: Allocations): BatchPlan {
  // A pool's draft is taken when the batch first changes it; the others are read where they are.
  const work = allocs.planningCopy();
  const changed = new Map<string, PoolState>();
  const carriers = new Map<string, string[]>();
  const touched = new Map<string, Set<bigint>>();
  const touch = (eip: string, key: string): PoolState | undefined => {
    let s = changed.get(eip);
    if (!s) {
      s = allocs.draft(eip);
      if (!s) return undefined;
      work.pools.set(eip, s);
      changed.set(eip, s);
      touched.set(eip, new Set());
    }
    carriers.set(eip, [...(carriers.get(eip) ?? []), key]);
    return s;
  };
  const decisions = new Map<string, BatchDecision>();
  for (const { key, request, nsLabels } of adoptersFirst(items, allocs)) {
    // work's index for `key` is not updated below; each key is planned once per batch.
    const d: BatchDecision = request ? planService(request, work, nsLabels) : { action: 'gone' };
    decisions.set(key, d);
    // What the Service holds now, from the index: no walk over a whole pool.
    const held = work.allocationsOf(key);
    if (d.action === 'assign') {
      const s = touch(d.eip, key)!;
      const ips = touched.get(d.eip)!;
      for (const ip of unhold(s, key, held.filter((a) => a.eip === d.eip).map((a) => a.ip))) ips.add(ip);
      hold(s, d.ip, key);
      ips.add(d.ip);
    } else if (d.action === 'release' || d.action === 'gone') {
      for (const a of held) {
        const s = touch(a.eip, key);
        if (s) for (const ip of unhold(s, key, [a.ip])) touched.get(a.eip)!.add(ip);
      }
    }
  }
  return { decisions, changed, carriers, touched };
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
