// "OpenELB: Enable strictARP": kube-proxy in IPVS mode must run with strictARP: true for
// layer2 to work. Shows the current vs proposed config.conf of kube-system/kube-proxy in a
// diff editor, asks for a modal confirmation, applies (the runtime restarts kube-proxy by
// stamping its DaemonSet) and reports.
import * as vscode from 'vscode';
import { applyStrictArp, planStrictArp } from '../../../runtime/src/ops/strictArp';
import type { ClusterConnection } from '../cluster/clusterConnection';
import { describeTarget } from '../cluster/target';
import type { VirtualDocuments } from '../views/virtualDocuments';

export function registerStrictArp(cluster: ClusterConnection, docs: VirtualDocuments): vscode.Disposable {
  return vscode.commands.registerCommand('openelb.enableStrictArp', async () => {
    const kc = cluster.kubeConfig();
    if (!kc) { void vscode.window.showErrorMessage(`OpenELB: no cluster: ${cluster.snapshot.detail ?? 'no kubeconfig'}`); return; }
    let plan: Awaited<ReturnType<typeof planStrictArp>>;
    try {
      plan = await planStrictArp(kc);
    } catch (e) {
      void vscode.window.showErrorMessage(`OpenELB: cannot read kube-proxy's configuration: ${(e as Error).message}`);
      return;
    }
    if (plan.problem) {
      // not-ipvs is benign: strictARP only matters to kube-proxy's IPVS mode.
      const say = plan.problemKind === 'not-ipvs' ? vscode.window.showInformationMessage : vscode.window.showErrorMessage;
      void say(`OpenELB: ${plan.problem}`);
      return;
    }
    if (!plan.changed) {
      void vscode.window.showInformationMessage(`OpenELB: kube-proxy (mode ${plan.mode || 'iptables'}) already has strictARP: ${String(plan.strictARP)}; nothing to change.`);
      return;
    }
    const left = docs.setText('/strictarp/current/config.conf', plan.before);
    const right = docs.setText('/strictarp/proposed/config.conf', plan.after);
    await vscode.commands.executeCommand('vscode.diff', left, right, 'kube-proxy config.conf: current ↔ strictARP: true', { preview: true });
    const ok = await vscode.window.showWarningMessage(
      `Enable strictARP in kube-system/kube-proxy of ${describeTarget(kc)}?`,
      { modal: true, detail: 'The ConfigMap is updated and the kube-proxy DaemonSet is restarted (rolling).' },
      'Apply');
    if (ok !== 'Apply') return;
    try {
      const res = await applyStrictArp(kc, plan);
      const restarted = res.restartedAt ? `kube-proxy restarted at ${res.restartedAt}.` : 'kube-proxy was not restarted.';
      const say = res.warning ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
      void say(`OpenELB: strictARP enabled in kube-system/kube-proxy; ${restarted}${res.warning ? ` ${res.warning}` : ''}`);
    } catch (e) {
      void vscode.window.showErrorMessage(`OpenELB: could not enable strictARP: ${(e as Error).message}`);
    }
  });
}
