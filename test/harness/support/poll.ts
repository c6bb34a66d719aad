// Waiting on a condition with a deadline (tests never sleep a fixed time): calls `get` every
// `everyMs` until it returns an accepted value, and fails with what it waited for and the last error.
export interface PollOptions<T> {
  /** Default 5000. */
  timeoutMs?: number;
  /** Default 20. */
  everyMs?: number;
  /** Which values end the wait; default: anything but undefined and false. */
  accept?: (v: T | undefined | false) => boolean;
  /** Extra context for the timeout message (e.g. a log tail). */
  context?: () => string;
}

export async function poll<T>(what: string, get: () => T | undefined | false | Promise<T | undefined | false>, o: PollOptions<T> = {}): Promise<T> {
  const accept = o.accept ?? ((v) => v !== undefined && v !== false);
  const timeoutMs = o.timeoutMs ?? 5000;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await get();
      if (accept(v)) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const err = last ? ` (last error: ${last instanceof Error ? last.message : String(last)})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${err}${o.context ? `\n${o.context()}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, o.everyMs ?? 20));
  }
}
