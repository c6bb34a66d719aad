// "OpenELB: Select Context": a quick pick of every context of the (merged, multi-file)
// kubeconfig; the choice is stored in the `openelb.context` setting and the watches restart.
import * as vscode from 'vscode';
import type { ClusterConnection } from '../cluster/clusterConnection';
import { loadEditorKubeconfig } from '../cluster/editorKubeconfig';

export function registerSelectContext(cluster: ClusterConnection): vscode.Disposable {
  return vscode.commands.registerCommand('openelb.selectContext', async () => {
    const cfg = vscode.workspace.getConfiguration('openelb');
    const res = loadEditorKubeconfig(cfg.get<string>('kubeconfig') || undefined, undefined);
    if (!res.ok) { void vscode.window.showErrorMessage(`OpenELB: ${res.message}`); return; }
    const current = cluster.kubeConfig()?.getCurrentContext();
    const pick = await vscode.window.showQuickPick(res.kc.getContexts().map((c) => ({
      label: c.name,
      description: `${c.cluster}${c.namespace ? ` (${c.namespace})` : ''}${c.name === current ? ' — current' : ''}`,
    })), { title: 'OpenELB: Kubernetes context', placeHolder: 'context' });
    if (!pick) return;
    await cfg.update('context', pick.label, vscode.ConfigurationTarget.Global);
    await cluster.connect();
  });
}
