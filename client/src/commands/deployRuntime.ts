// "OpenELB: Deploy Runtime" / "OpenELB: Remove Runtime": a dry run first, its summary in a
// modal confirmation, then the real run under a progress notification with Cancel (it stops
// between two steps: cancellableSteps.ts), each step also in the OpenELB output channel. Remove
// first lists the Services holding OpenELB addresses or its finalizer: the button then releases
// them too.
import * as vscode from 'vscode';
import { deploy, undeploy, type Change, type DeployResult } from '../../../runtime/src/ops/deploy';
import { describeHeld, findHeldServices, type HeldService } from '../../../runtime/src/ops/heldServices';
import { imageProblem } from '../../../runtime/src/ops/image';
import type { ClusterConnection } from '../cluster/clusterConnection';
import { describeImage, describeTarget } from '../cluster/target';
import { logLine } from '../output';
import { cancelledMessage, runCancellable, type StepHooks, type StepsOutcome } from './cancellableSteps';

/** "create: Namespace openelb-system, CRD eips...; unchanged: 3" */
export function summarize(changes: Change[]): string {
  const by = new Map<string, string[]>();
  for (const c of changes) {
    const list = by.get(c.action) ?? [];
    list.push(`${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}${c.detail ? ` (${c.detail})` : ''}`);
    by.set(c.action, list);
  }
  return [...by.entries()].map(([action, items]) => `${action} (${items.length}): ${items.join(', ')}`).join('\n') || 'no changes';
}

/** The image setting, or undefined for the runtime's default; throws when it is not a valid reference. */
function imageSetting(): string | undefined {
  const image = vscode.workspace.getConfiguration('openelb').get<string>('runtimeImage')?.trim() || undefined;
  const problem = image === undefined ? undefined : imageProblem(image);
  if (problem) throw new Error(`the setting openelb.runtimeImage "${image}" is not a valid image: ${problem}`);
  return image;
}

interface Plan {
  verb: 'Deploy' | 'Remove';
  /** Runs it; the hooks get each object done and, for Remove, the waits for pods. */
  exec: (dryRun: boolean, hooks: StepHooks) => Promise<DeployResult>;
  /** Remove only: Services to release (the confirmation button says so). */
  held: HeldService[];
  /** Deploy only: the image setting (undefined: the runtime's default); the confirmation shows it. */
  image?: string;
}

async function plan(kc: NonNullable<ReturnType<ClusterConnection['kubeConfig']>>, remove: boolean): Promise<Plan> {
  if (!remove) {
    const image = imageSetting();
    return { verb: 'Deploy', held: [], image, exec: (dryRun, hooks) => deploy(kc, { dryRun, image, ...hooks }) };
  }
  const held = await findHeldServices(kc);
  const releaseServices = held.length > 0;
  return { verb: 'Remove', held, exec: (dryRun, hooks) => undeploy(kc, { dryRun, releaseServices, ...hooks }) };
}

function confirmation(p: Plan, dry: DeployResult): { detail: string; button: string } {
  const actual = dry.changes.filter((c) => !/^(unchanged|absent|skip)/i.test(c.action));
  let detail = summarize(actual);
  if (dry.architectures) detail += `\npacket helper for: ${dry.architectures.join(', ')}`;
  if (p.verb === 'Deploy') detail = `${describeImage(p.image)}\n\n${detail}`;
  if (!p.held.length) return { detail, button: p.verb };
  const n = p.held.length;
  detail = `${n} Service${n === 1 ? ' holds' : 's hold'} OpenELB addresses or its finalizer: ${p.held.map(describeHeld).join(', ')}. `
    + 'Without the controller they keep those addresses and could not be deleted; releasing removes the finalizer, pool label and addresses.\n\n' + detail;
  return { detail, button: `Release ${n} Service${n === 1 ? '' : 's'} and remove` };
}

/** Runs the plan under a cancellable progress notification, each step also in the output channel. */
function withCancellableProgress(p: Plan, dryRun: boolean): Thenable<StepsOutcome> {
  const title = `OpenELB: ${p.verb} Runtime${dryRun ? ' (dry run)' : ''}`;
  logLine(`${title}: started`);
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
    runCancellable((hooks) => p.exec(dryRun, hooks), () => token.isCancellationRequested, (message) => {
      logLine(`${p.verb.toLowerCase()}${dryRun ? ' (dry run)' : ''}: ${message}`);
      if (!dryRun) progress.report({ message });
    }));
}

export function registerDeployCommands(cluster: ClusterConnection): vscode.Disposable[] {
  const run = (remove: boolean) => async () => {
    const kc = cluster.kubeConfig();
    if (!kc) { void vscode.window.showErrorMessage(`OpenELB: no cluster: ${cluster.snapshot.detail ?? 'no kubeconfig'}`); return; }
    const verb = remove ? 'Remove' : 'Deploy';
    let p: Plan;
    let dry: DeployResult;
    try {
      p = await plan(kc, remove);
      const outcome = await withCancellableProgress(p, true);
      if (!outcome.result) { logLine(`${verb} Runtime (dry run): cancelled`); return; }
      dry = outcome.result;
    } catch (e) {
      logLine(`${verb} Runtime (dry run) failed: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`OpenELB: ${verb.toLowerCase()} dry run failed: ${(e as Error).message}`);
      return;
    }
    if (!dry.changes.some((c) => !/^(unchanged|absent|skip)/i.test(c.action))) {
      void vscode.window.showInformationMessage(`OpenELB: nothing to ${verb.toLowerCase()}; the cluster is already as wanted.`);
      return;
    }
    const { detail, button } = confirmation(p, dry);
    const ok = await vscode.window.showWarningMessage(`${verb} the OpenELB runtime in ${describeTarget(kc)}?`, { modal: true, detail }, button);
    if (ok !== button) return;
    try {
      const outcome = await withCancellableProgress(p, false);
      if (outcome.cancelled) {
        const message = cancelledMessage(p.verb, outcome.cancelled);
        logLine(message);
        void vscode.window.showWarningMessage(message);
      } else {
        const message = `OpenELB: ${verb} Runtime done: ${outcome.result.changes.filter((c) => !/^unchanged/i.test(c.action)).length} changes.`;
        logLine(message);
        void vscode.window.showInformationMessage(message);
      }
      await cluster.connect();
    } catch (e) {
      logLine(`${verb} Runtime failed: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`OpenELB: ${verb.toLowerCase()} failed: ${(e as Error).message}`);
    }
  };
  return [
    vscode.commands.registerCommand('openelb.deployRuntime', run(false)),
    vscode.commands.registerCommand('openelb.removeRuntime', run(true)),
  ];
}
