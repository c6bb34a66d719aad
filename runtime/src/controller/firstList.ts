// The controller's first list of Eips, before it allocates anything: with no pools known every
// Service would look unallocated. A server that is starting (429), failing (5xx) or unreachable
// is waited for, as a pod's restart would do, but without a crash loop; a missing CRD or a
// refusal is fatal, with a message that says what to do.
import { Backoff } from '../kube/backoff';
import { apiStatus, describeError, isRetryable, retryAfterMs, statusCode } from '../kube/errors';
import type { EipObject } from '../allocator';

export interface FirstListOptions {
  log(msg: string): void;
  /** Waits; tests pass a virtual clock. */
  sleep?(ms: number): Promise<void>;
  /** Stops retrying (the controller is shutting down). */
  stopped?(): boolean;
}

const EIPS = 'eips.network.kubesphere.io';

export async function listEipsWhenReady(list: () => Promise<EipObject[]>, o: FirstListOptions): Promise<EipObject[]> {
  const backoff = new Backoff({ baseMs: 250, maxMs: 5000 });
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (;;) {
    try {
      return await list();
    } catch (e) {
      if (!isRetryable(e) || o.stopped?.()) throw new Error(whyEipsUnlisted(e));
      const wait = statusCode(e) === 429 ? retryAfterMs(e) : backoff.next();
      o.log(`${whyEipsUnlisted(e)}; trying again in ${(wait / 1000).toFixed(1)} s`);
      await sleep(wait);
    }
  }
}

/** What went wrong listing Eips, and what to do about it. */
export function whyEipsUnlisted(e: unknown): string {
  const code = apiStatus(e)?.code;
  if (code === 404) return `cannot list Eips: the ${EIPS} CRD is not installed (HTTP 404); \`openelb deploy\` installs it`;
  if (code === 403) return `cannot list Eips: RBAC refused this ServiceAccount (HTTP 403: ${apiStatus(e)?.message}); \`openelb deploy\` creates the ClusterRole the controller needs`;
  return `cannot list Eips: ${describeError(e)}`;
}
