// Deploy and Remove Runtime under a progress notification with a Cancel button. The runtime's
// operations report after each object they create or delete (onProgress) and while they wait
// for pods (onNote); a cancellation takes effect there, between two steps, by throwing out of
// the operation: no object is left half-written, and the message says what was done and how to
// finish or undo it. Pure (no vscode), so the unit tier tests it with a scripted operation.
import type { Change, DeployResult } from '../../../runtime/src/ops/deploy';

export interface StepHooks {
  onProgress: (change: Change) => void;
  onNote: (message: string) => void;
}

/** Thrown out of the operation at the first step boundary after a cancellation. */
export class StepsCancelled extends Error {
  constructor(readonly done: Change[]) {
    super('cancelled');
  }
}

export type StepsOutcome = { result: DeployResult; cancelled?: undefined } | { cancelled: Change[]; result?: undefined };

/** "create CustomResourceDefinition eips.network.kubesphere.io" */
export const describeChange = (c: Change): string =>
  `${c.action} ${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}${c.detail ? ` (${c.detail})` : ''}`;

/**
 * Runs `exec` with hooks that pass each step to `report` and stop the run at the first step
 * boundary once `isCancelled()` is true. Other failures are thrown as they are.
 */
export async function runCancellable(
  exec: (hooks: StepHooks) => Promise<DeployResult>, isCancelled: () => boolean, report: (line: string) => void,
): Promise<StepsOutcome> {
  const done: Change[] = [];
  const stopIfCancelled = () => { if (isCancelled()) throw new StepsCancelled([...done]); };
  try {
    const result = await exec({
      onProgress: (c) => { done.push(c); report(describeChange(c)); stopIfCancelled(); },
      onNote: (m) => { report(m); stopIfCancelled(); },
    });
    return { result };
  } catch (e) {
    if (e instanceof StepsCancelled) return { cancelled: e.done };
    throw e;
  }
}

/** What a cancelled run did, and how to finish it or undo it. */
export function cancelledMessage(verb: 'Deploy' | 'Remove', done: Change[]): string {
  const changed = done.filter((c) => !/^(unchanged|absent|skip)/i.test(c.action));
  const what = changed.length ? `${changed.length} change${changed.length === 1 ? '' : 's'} made before stopping: ${changed.map(describeChange).join(', ')}` : 'nothing was changed';
  const next = verb === 'Deploy'
    ? 'Run Deploy Runtime again to finish (it applies only what differs), or Remove Runtime to undo.'
    : 'Run Remove Runtime again to finish removing it, or Deploy Runtime to restore it.';
  return `OpenELB: ${verb} Runtime cancelled; ${what}. ${changed.length ? next : ''}`.trim();
}
