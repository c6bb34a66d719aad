// Reconciling a batch of Services (see controller.ts for the whole flow):
//   1. planBatch decides all of them in memory, on an overlay of the committed state;
//   2. ONE journal write commits the batch's claims and releases, whatever Eips they touch,
//      conditional on the record the batch was planned on: on a conflict the record is read
//      again and the batch planned again, round after round (up to MAX_ROUNDS);
//   3. Services that moved leave their old Eip;
//   4. the Services' own writes are left running (their outcomes go to the queue).
import { formatIp } from '@openelb/core/address/ip';
import { parseServiceKey, planBatch, serviceRequest, type BatchDecision, type BatchItem, type ServiceRequest } from '../allocator';
import { isConflict, isNotFound } from '../kube/client';
import { confirmGone, releaseFrom, type Parts } from './releases';
import { failed, handled, type Outcome } from './workQueue';

/** Commit attempts of one batch before its remaining Services go back to the queue. */
const MAX_ROUNDS = 10;

export class ServiceBatches {
  /** Holders that refused to share their address with a Service asking for it (sharing.ts). */
  private readonly refusers = new Set<string>();

  constructor(private readonly p: Parts) {}

  /** Reconciles the Services ("namespace/name"); returns the outcome of each one's work. */
  async reconcile(keys: string[], live: () => boolean): Promise<Map<string, Outcome>> {
    const outcomes = new Map<string, Outcome>();
    const decided = await this.decide(keys, live, outcomes);
    if (!live()) return outcomes;
    await this.leaveOldEips(decided, outcomes);
    const holderChanged = this.noteRefusals(decided);
    if (holderChanged || [...decided.values()].some((d) => d.action === 'release' || d.action === 'gone')) this.p.enqueueWaiting();
    this.show(decided, outcomes);
    return outcomes;
  }

  /** Plans and commits, round after round; returns the committed decisions. */
  private async decide(keys: string[], live: () => boolean, outcomes: Map<string, Outcome>): Promise<Map<string, BatchDecision>> {
    const { record } = this.p;
    const decided = new Map<string, BatchDecision>();
    let todo = keys;
    for (let round = 1; todo.length && live(); round++) {
      if (round > MAX_ROUNDS) {
        const err = new Error(`the Eips kept changing during ${MAX_ROUNDS} attempts; trying again later`);
        for (const k of todo) outcomes.set(k, failed(err));
        break;
      }
      const items = await this.items(todo);
      await record.ensureCurrent();
      if (!live()) break;
      const basis = record.journal.version;
      const plan = planBatch(items, record.allocs, (key) => this.peer(key));
      const again = new Set<string>();
      try {
        await record.commit(plan.overlay, basis);
      } catch (e) {
        // A conflict: commit() has read the record again, and the batch is planned again.
        for (const k of new Set([...plan.carriers.values()].flat())) {
          if (isConflict(e) || isNotFound(e)) again.add(k);
          else outcomes.set(k, failed(e));
        }
      }
      for (const { key } of items) {
        if (!again.has(key) && !outcomes.has(key)) decided.set(key, plan.decisions.get(key)!);
      }
      todo = [...again];
    }
    return decided;
  }

  /**
   * What planBatch needs about each Service. A Service the informer does not have but the Eips
   * record as a holder is released only once the API server confirms it is gone.
   */
  private async items(keys: string[]): Promise<BatchItem[]> {
    const { writes, record } = this.p;
    const unseen = keys.filter((k) => !writes.latest(k) && record.allocs.allocationsOf(k).length);
    const gone = new Set(await confirmGone(this.p, unseen));
    const alive = new Set(unseen.filter((k) => !gone.has(k)));
    return keys.flatMap((key): BatchItem[] => {
      const svc = writes.latest(key);
      // Alive but not in the informer yet: its add event will bring it back.
      if (!svc) return alive.has(key) ? [] : [{ key }];
      return [{ key, request: serviceRequest(svc), nsLabels: this.p.nsLabels(parseServiceKey(key).namespace) }];
    });
  }

  /**
   * Remembers who refused whom; true when a holder that refused someone was reconciled again (it
   * changed: it may now carry the sharing key, or other ports), so the refused try again.
   */
  private noteRefusals(decided: Map<string, BatchDecision>): boolean {
    let changed = false;
    for (const [key, d] of decided) {
      if (this.refusers.delete(key)) changed = true;
      if (d.action === 'fail' && d.refusedBy) this.refusers.add(d.refusedBy);
    }
    return changed;
  }

  /** Another Service's request, for sharing decisions (the holders of a requested address). */
  private peer(key: string): ServiceRequest | undefined {
    const svc = this.p.writes.latest(key);
    return svc ? serviceRequest(svc) : undefined;
  }

  /**
   * Services that moved to another Eip leave the old one now that the new one records them;
   * so does one kept where it is but still recorded elsewhere (a controller stopped between the
   * two steps of its move).
   */
  private async leaveOldEips(decided: Map<string, BatchDecision>, outcomes: Map<string, Outcome>): Promise<void> {
    const leaving = new Map<string, string[]>();
    for (const [key, d] of decided) {
      if (d.action !== 'assign' && d.action !== 'keep') continue;
      for (const a of this.p.record.allocs.allocationsOf(key)) if (a.eip !== d.eip) leaving.set(a.eip, [...(leaving.get(a.eip) ?? []), key]);
    }
    for (const [eip, moved] of leaving) {
      try {
        await releaseFrom(this.p, eip, moved);
      } catch (e) {
        for (const k of moved) { outcomes.set(k, failed(e)); decided.delete(k); }
      }
    }
  }

  /** The Services' own writes, left running while the next batch starts. */
  private show(decided: Map<string, BatchDecision>, outcomes: Map<string, Outcome>): void {
    const { writes, limit } = this.p;
    for (const [key, d] of decided) {
      if (d.action === 'gone') { writes.forget(key); continue; }
      const ip = 'ip' in d ? this.ipText(d.eip, d.ip) : undefined;
      const currentIp = d.action === 'fail' && d.current ? this.ipText(d.current.eip, d.current.ip) : undefined;
      outcomes.set(key, handled(limit.run(() => writes.apply(key, d, ip, currentIp))));
    }
  }

  private ipText(eip: string, ip: bigint): string {
    return formatIp(this.p.record.allocs.pools.get(eip)?.pool?.family ?? 4, ip);
  }
}
