// The OpenELB extension's entry point: only wiring. Each feature lives in its own file.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ClusterConnection } from './cluster/clusterConnection';
import { toClusterFacts } from './cluster/clusterState';
import { registerApplyFile } from './commands/applyFile';
import { registerDeployCommands } from './commands/deployRuntime';
import { registerLayer2Address } from './commands/layer2Address';
import { registerSelectContext } from './commands/selectContext';
import { registerStrictArp } from './commands/strictArp';
import { CLUSTER_FACTS_NOTIFICATION, startLanguageClient } from './languageClient';
import { disposeOutput, output as openOutput } from './output';
import { OpenElbLanguageStatus } from './status/languageStatus';
import { ClusterTree } from './tree/clusterTree';
import { registerPoolMap } from './views/poolMapPanel';
import { SCHEME, VirtualDocuments } from './views/virtualDocuments';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const started = Date.now();
  const output = openOutput();
  const cluster = new ClusterConnection(output);
  const status = new OpenElbLanguageStatus();
  const docs = new VirtualDocuments(cluster);
  const tree = new ClusterTree(cluster);
  const applyDiagnostics = vscode.languages.createDiagnosticCollection('openelb-apply');
  context.subscriptions.push({ dispose: disposeOutput }, cluster, status, docs, applyDiagnostics,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, docs),
    vscode.window.createTreeView('openelb.cluster', { treeDataProvider: tree, showCollapseAll: true }),
    registerStrictArp(cluster, docs),
    ...registerDeployCommands(cluster),
    registerApplyFile(cluster, applyDiagnostics),
    registerLayer2Address(cluster),
    registerSelectContext(cluster),
    registerPoolMap(cluster),
    vscode.commands.registerCommand('openelb.refresh', () => cluster.connect()),
    vscode.commands.registerCommand('openelb.openService', async (ns: string, name: string) => {
      const doc = await vscode.workspace.openTextDocument(VirtualDocuments.serviceUri(ns, name));
      await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
      await vscode.window.showTextDocument(doc, { preview: true });
    }),
    // In a folder not trusted yet connect() only reports 'untrusted'; trusting it connects.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void cluster.connect()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('openelb.kubeconfig') || e.affectsConfiguration('openelb.context')) void cluster.connect();
    }),
  );

  // Cluster facts → language server (null when offline: everything else still works).
  let lastFacts = '';
  const sendFacts = () => {
    const facts = toClusterFacts(cluster.snapshot);
    const json = JSON.stringify(facts);
    if (json === lastFacts || !client?.isRunning()) return;
    lastFacts = json;
    void client.sendNotification(CLUSTER_FACTS_NOTIFICATION, facts);
  };
  context.subscriptions.push(cluster.onDidChange((s) => { status.setCluster(s); sendFacts(); }));

  void cluster.connect();
  try {
    client = await startLanguageClient(context, output, () => status.validated());
    sendFacts();
  } catch (e) {
    output.appendLine(`language server failed to start: ${(e as Error).message}`);
    void vscode.window.showErrorMessage('OpenELB: the language server failed to start (see Output › OpenELB).');
  }
  output.appendLine(`activated in ${Date.now() - started} ms`);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
