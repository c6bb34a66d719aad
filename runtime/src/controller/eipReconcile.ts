// Reconciling one Eip: its status follows its spec (poolSize, the Valid condition), holders
// whose Service is gone are dropped, upstream's finalizer is removed from a deleted Eip, and a
// Warning event says why an Eip is not allocated from.
import { IPAM_FINALIZER } from '@openelb/core/api/annotations';
import type { EipObject } from '../allocator';
import { isNotFound, retryOnConflict } from '../kube/client';
import { confirmGone, releaseFrom, type Parts } from './releases';
import { EIP_VERSION, GROUP } from './restIo';

export class EipReconciler {
  /** Last problem report per Eip, to avoid repeating events. */
  private readonly reports = new Map<string, string>();

  constructor(private readonly p: Parts) {}

  forget(name: string): void {
    this.reports.delete(name);
  }

  async reconcile(name: string): Promise<void> {
    const { record } = this.p;
    const cached = record.object(name);
    if (!cached) return;
    // Upstream's Eip finalizer (an Eip taken over from upstream OpenELB): we keep no state that
    // needs it, and nothing else would remove it, so a deleted Eip would stay Terminating.
    if (cached.metadata?.deletionTimestamp && cached.metadata.finalizers?.includes(IPAM_FINALIZER)) {
      await this.removeFinalizer(name, IPAM_FINALIZER);
    }
    // Holders whose Service no longer exists are dropped (OpenELB's syncEip does the same), once
    // the API server confirms it: the informer may simply not have seen a new Service yet.
    const held = record.allocs.pools.get(name)?.holders.values() ?? [];
    const missing = [...held].flat().filter((k) => !this.p.writes.latest(k));
    const gone = await confirmGone(this.p, missing);
    if (gone.length) await releaseFrom(this.p, name, gone);
    // The status follows the spec (poolSize, firstIP, the Valid condition) at once.
    await record.mirror.mirror(name);
    const written = record.object(name);
    if (!written) return;
    this.report(name, written);
    this.p.syncRefusals(name);
    this.p.enqueueWaiting();
  }

  private report(name: string, eip: EipObject): void {
    const { allocs } = this.p.record;
    const state = allocs.pools.get(name);
    const report = [...state?.problems ?? [], allocs.refusal(name)?.message ?? ''].filter(Boolean).join('; ');
    if (report && this.reports.get(name) !== report) {
      this.p.events.record(eipRef(eip), 'Warning', 'add/update eip', `Eip ${name} is not used for allocation: ${report}`);
    }
    this.reports.set(name, report);
  }

  /** Removes a finalizer, conditional on the resourceVersion read; a gone Eip, or one without it, is fine. */
  private async removeFinalizer(name: string, finalizer: string): Promise<void> {
    try {
      await retryOnConflict(async () => {
        const md = (await this.p.io.getEip(name)).metadata ?? {};
        if (!md.finalizers?.includes(finalizer)) return;
        await this.p.io.setEipFinalizers(name, md.finalizers.filter((f) => f !== finalizer), md.resourceVersion);
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

function eipRef(e: EipObject) {
  return { apiVersion: `${GROUP}/${EIP_VERSION}`, kind: 'Eip', metadata: e.metadata };
}
