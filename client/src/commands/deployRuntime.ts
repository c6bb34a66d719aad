// "OpenELB: Deploy Runtime" / "OpenELB: Remove Runtime": a dry run first, its summary in a
// modal confirmation, then the real run under a progress notification.
import * as vscode from 'vscode';
import { deploy, undeploy, type Change } from '../../../runtime/src/ops/deploy';
import type { ClusterConnection } from '../cluster/clusterConnection';

/** "create: Namespace openelb-system, CRD eips...; unchanged: 3" */
export function summarize(changes: Change[]): string {
  const by = new Map<string, string[]>();
  for (const c of changes) {
    const list = by.get(c.action) ?? [];
    list.push(`${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}`);
    by.set(c.action, list);
  }
  return [...by.entries()].map(([action, items]) => `${action} (${items.length}): ${items.join(', ')}`).join('\n') || 'no changes';
}

export function registerDeployCommands(cluster: ClusterConnection): vscode.Disposable[] {
  const run = (remove: boolean) => async () => {
    const kc = cluster.kubeConfig();
    if (!kc) { void vscode.window.showErrorMessage(`OpenELB: no cluster: ${cluster.snapshot.detail ?? 'no kubeconfig'}`); return; }
    const verb = remove ? 'Remove' : 'Deploy';
    const image = vscode.workspace.getConfiguration('openelb').get<string>('runtimeImage') || undefined;
    const exec = (dryRun: boolean, onProgress?: (c: Change) => void) =>
      remove ? undeploy(kc, { dryRun, onProgress }) : deploy(kc, { dryRun, image, onProgress });
    let planned: Change[];
    try {
      planned = (await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `OpenELB: ${verb} Runtime (dry run)` },
        () => exec(true))).changes;
    } catch (e) {
      void vscode.window.showErrorMessage(`OpenELB: ${verb.toLowerCase()} dry run failed: ${(e as Error).message}`);
      return;
    }
    const actual = planned.filter((c) => !/^(unchanged|absent|skip)/i.test(c.action));
    if (!actual.length) { void vscode.window.showInformationMessage(`OpenELB: nothing to ${verb.toLowerCase()}; the cluster is already as wanted.`); return; }
    const ok = await vscode.window.showWarningMessage(`${verb} the OpenELB runtime (context ${kc.getCurrentContext()})?`,
      { modal: true, detail: summarize(actual) }, verb);
    if (ok !== verb) return;
    try {
      const res = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `OpenELB: ${verb} Runtime` },
        (progress) => exec(false, (c) => progress.report({ message: `${c.action} ${c.kind} ${c.name}` })));
      void vscode.window.showInformationMessage(`OpenELB: ${verb} Runtime done: ${res.changes.filter((c) => !/^unchanged/i.test(c.action)).length} changes.`);
      await cluster.connect();
    } catch (e) {
      void vscode.window.showErrorMessage(`OpenELB: ${verb.toLowerCase()} failed: ${(e as Error).message}`);
    }
  };
  return [
    vscode.commands.registerCommand('openelb.deployRuntime', run(false)),
    vscode.commands.registerCommand('openelb.removeRuntime', run(true)),
  ];
}
