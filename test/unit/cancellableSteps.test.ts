// Deploy / Remove Runtime with Cancel (client/src/commands/cancellableSteps.ts): a cancellation
// stops the operation at the next step boundary, never inside a step, and the message lists what
// was done and how to finish or undo it. The operation here is scripted: a list of objects it
// "applies" one by one, reporting each as the runtime's deploy and undeploy do.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cancelledMessage, runCancellable, type StepHooks } from '../../client/src/commands/cancellableSteps';
import type { Change, DeployResult } from '../../runtime/src/ops/deploy';

const OBJECTS: Change[] = [
  { kind: 'Namespace', name: 'openelb-system', action: 'create' },
  { kind: 'CustomResourceDefinition', name: 'eips.network.kubesphere.io', action: 'unchanged' },
  { kind: 'ConfigMap', name: 'openelb-runtime', namespace: 'openelb-system', action: 'create' },
  { kind: 'Deployment', name: 'openelb-controller', namespace: 'openelb-system', action: 'create' },
];

/** Applies OBJECTS in order; `applied` is what really happened, whatever the hooks said. */
function scripted(applied: string[], wait?: string) {
  return async (hooks: StepHooks): Promise<DeployResult> => {
    const changes: Change[] = [];
    for (const c of OBJECTS) {
      await Promise.resolve(); // a request to the API server
      applied.push(c.name);
      changes.push(c);
      hooks.onProgress(c);
      if (wait && c.kind === 'ConfigMap') hooks.onNote(wait);
    }
    return { changes };
  };
}

describe('cancellable deploy and remove', () => {
  it('runs to the end when nobody cancels, reporting every step', async () => {
    const applied: string[] = [];
    const lines: string[] = [];
    const out = await runCancellable(scripted(applied), () => false, (l) => lines.push(l));
    assert.equal(out.result?.changes.length, 4);
    assert.equal(applied.length, 4);
    assert.deepEqual(lines, [
      'create Namespace openelb-system', 'unchanged CustomResourceDefinition eips.network.kubesphere.io',
      'create ConfigMap openelb-system/openelb-runtime', 'create Deployment openelb-system/openelb-controller',
    ]);
  });

  it('stops after the step during which Cancel was pressed, and no later step runs', async () => {
    const applied: string[] = [];
    let cancel = false;
    const out = await runCancellable(scripted(applied), () => cancel, (l) => { if (l.includes('CustomResourceDefinition')) cancel = true; });
    assert.deepEqual(applied, ['openelb-system', 'eips.network.kubesphere.io'], 'a step after the cancellation ran');
    assert.equal(out.result, undefined);
    assert.deepEqual(out.cancelled?.map((c) => c.name), ['openelb-system', 'eips.network.kubesphere.io']);
    const message = cancelledMessage('Deploy', out.cancelled!);
    assert.match(message, /Deploy Runtime cancelled; 1 change made before stopping: create Namespace openelb-system\./);
    assert.match(message, /Run Deploy Runtime again to finish .* or Remove Runtime to undo/);
    assert.doesNotMatch(message, /CustomResourceDefinition/, 'an unchanged object is not a change');
  });

  it('stops while waiting (a note) too', async () => {
    const applied: string[] = [];
    let cancel = false;
    const out = await runCancellable(scripted(applied, 'waiting for 2 runtime pod(s) to stop'), () => cancel, (l) => { if (l.startsWith('waiting')) cancel = true; });
    // Cancel pressed during the wait after the ConfigMap: the Deployment is never applied.
    assert.deepEqual(applied, ['openelb-system', 'eips.network.kubesphere.io', 'openelb-runtime']);
    assert.match(cancelledMessage('Remove', out.cancelled!), /2 changes made before stopping: .*Run Remove Runtime again to finish removing it, or Deploy Runtime to restore it\./);
  });

  it('a cancellation before any change says nothing was changed', () => {
    assert.equal(cancelledMessage('Remove', []), 'OpenELB: Remove Runtime cancelled; nothing was changed.');
  });

  it('failures are not cancellations: they are thrown as they are', async () => {
    const boom = new Error('the API server refused');
    await assert.rejects(runCancellable(async () => { throw boom; }, () => true, () => undefined), boom);
  });
});
