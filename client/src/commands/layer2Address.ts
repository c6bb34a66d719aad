// "OpenELB: Set Layer2 Node Address": pick a node, then one of its addresses (from the
// interfaces our speaker publishes, and its InternalIP); writes the Node annotation
// layer2.openelb.kubesphere.io/v1alpha1 with a JSON merge patch.
import * as vscode from 'vscode';
import { LAYER2_NODE_ANNOTATION } from '@openelb/core/api/annotations';
import { restCall } from '../../../runtime/src/kube/rest';
import type { ClusterConnection } from '../cluster/clusterConnection';
import { nodeAddresses } from '../cluster/clusterState';
import { describeTarget } from '../cluster/target';

export function registerLayer2Address(cluster: ClusterConnection): vscode.Disposable {
  return vscode.commands.registerCommand('openelb.setLayer2Address', async () => {
    const kc = cluster.kubeConfig();
    const nodes = [...cluster.snapshot.objects.nodes.values()];
    if (!kc || cluster.snapshot.state !== 'connected') { void vscode.window.showErrorMessage('OpenELB: not connected to a cluster.'); return; }
    if (!nodes.length) { void vscode.window.showWarningMessage('OpenELB: the cluster has no nodes.'); return; }
    const node = await vscode.window.showQuickPick(nodes.map((n) => ({
      label: n.metadata?.name ?? '',
      description: n.metadata?.annotations?.[LAYER2_NODE_ANNOTATION] ? `layer2 address ${n.metadata.annotations[LAYER2_NODE_ANNOTATION]}` : undefined,
      node: n,
    })), { title: `OpenELB: node to set the layer2 address of (${describeTarget(kc)})`, placeHolder: 'node' });
    if (!node) return;
    // Read the node again: the watch may have brought a newer version while the pick was open.
    const choices = nodeAddresses(cluster.snapshot.objects.nodes.get(node.label) ?? node.node);
    if (!choices.length) { void vscode.window.showWarningMessage(`OpenELB: node ${node.label} publishes no addresses.`); return; }
    const pick = await vscode.window.showQuickPick(choices.map((c) => ({ label: c.address, description: c.detail })), {
      title: `OpenELB: layer2 address of ${node.label} (${describeTarget(kc)}; picking one writes it)`, placeHolder: 'address',
    });
    if (!pick) return;
    try {
      await restCall(kc, 'PATCH', `/api/v1/nodes/${encodeURIComponent(node.label)}`, {
        body: { metadata: { annotations: { [LAYER2_NODE_ANNOTATION]: pick.label } } },
        contentType: 'application/merge-patch+json', query: { fieldManager: 'openelb' },
      });
      void vscode.window.showInformationMessage(`OpenELB: node ${node.label} now answers layer2 on ${pick.label}.`);
    } catch (e) {
      void vscode.window.showErrorMessage(`OpenELB: could not annotate node ${node.label}: ${(e as Error).message}`);
    }
  });
}
