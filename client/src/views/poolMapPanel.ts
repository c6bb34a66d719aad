// "Show Pool Map": a webview per Eip drawing each address as a cell coloured by its state
// (poolMapModel.ts), following the cluster as the tree does: every watch change recomputes the
// model and sends it when it differs. Run from the tree's Eip item, or from the palette (asks
// which Eip). Clicking a held address opens the Service with `openelb.openService`.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { ClusterConnection } from '../cluster/clusterConnection';
import type { KObject } from '../cluster/clusterState';
import { addressAt, computePoolMap, toView, type PoolMapModel } from './poolMapModel';
import { poolMapHtml } from './poolMapPage';

export const SHOW_POOL_MAP = 'openelb.showPoolMap';

type FromWebview =
  | { type: 'ready' }
  | { type: 'addresses'; offsets: number[] }
  | { type: 'open'; offset: number };

class PoolMapPanel implements vscode.Disposable {
  private model: PoolMapModel | undefined;
  private lastSent = '';
  private readonly subs: vscode.Disposable[] = [];

  constructor(readonly eipName: string, readonly panel: vscode.WebviewPanel, private readonly cluster: ClusterConnection, onGone: () => void) {
    panel.webview.html = poolMapHtml(panel.webview.cspSource, randomBytes(16).toString('base64'));
    this.subs.push(
      cluster.onDidChange(() => this.update()),
      panel.webview.onDidReceiveMessage((m: FromWebview) => this.receive(m)),
      panel.onDidDispose(() => { this.dispose(); onGone(); }),
    );
  }

  /** Recomputes the model from the watch cache and sends it if anything changed. */
  update(force = false): void {
    // A hidden panel's webview is gone (not retained); showing it again sends 'ready'.
    if (!this.panel.visible) return;
    const o = this.cluster.snapshot.objects;
    const eip = o.eips.get(this.eipName);
    this.model = eip ? computePoolMap(eip, o.services.values(), o.nodes.values()) : undefined;
    const view = this.model ? toView(this.model) : { ...toView(computePoolMap({ metadata: { name: this.eipName }, spec: { address: '' } }, [], [])), error: this.missing() };
    const json = JSON.stringify(view);
    if (json === this.lastSent && !force) return;
    this.lastSent = json;
    void this.panel.webview.postMessage({ type: 'map', view });
  }

  /** Why there is no Eip to draw. */
  private missing(): string {
    const state = this.cluster.snapshot.state;
    return state === 'connected' ? `Eip ${this.eipName} is not in the cluster (deleted?)` : `Eip ${this.eipName} cannot be shown: the cluster is ${state}`;
  }

  private receive(m: FromWebview): void {
    if (m.type === 'ready') this.update(true);
    else if (m.type === 'addresses' && this.model) {
      const shown = this.model.shown;
      const offsets = m.offsets.filter((x) => Number.isInteger(x) && x >= 0 && x < shown).slice(0, 10_000);
      void this.panel.webview.postMessage({ type: 'addresses', offsets, list: offsets.map((x) => addressAt(this.model!, x)) });
    } else if (m.type === 'open') void this.open(m.offset);
  }

  /** Opens the Service holding (or asking for) the address; asks which when several do. */
  private async open(offset: number): Promise<void> {
    const cell = this.model?.marked.find((x) => x.offset === offset);
    const refs = cell ? [...cell.holders, ...cell.requesters] : [];
    if (!refs.length) return;
    const ref = refs.length === 1 ? refs[0] : await vscode.window.showQuickPick(refs, { placeHolder: `Services at ${addressAt(this.model!, offset)}` });
    if (!ref) return;
    const [ns, name] = ref.split('/', 2);
    await vscode.commands.executeCommand('openelb.openService', ns, name);
  }

  dispose(): void {
    for (const s of this.subs.splice(0)) s.dispose();
  }
}

/** The Eip name from a tree item ({ kind: 'eip', eip }), a plain name, or a quick pick. */
async function chooseEip(cluster: ClusterConnection, arg: unknown): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  const fromTree = (arg as { eip?: KObject } | undefined)?.eip?.metadata?.name;
  if (fromTree) return fromTree;
  const eips = [...cluster.snapshot.objects.eips.values()];
  if (!eips.length) {
    void vscode.window.showInformationMessage(`OpenELB: no Eips to show (the cluster is ${cluster.snapshot.state}).`);
    return undefined;
  }
  const items = eips.map((e) => ({ label: e.metadata?.name ?? '', description: String(e.spec?.address ?? '') }))
    .sort((a, b) => a.label.localeCompare(b.label));
  return (await vscode.window.showQuickPick(items, { placeHolder: 'Which Eip?' }))?.label;
}

export function registerPoolMap(cluster: ClusterConnection): vscode.Disposable {
  const panels = new Map<string, PoolMapPanel>();
  const command = vscode.commands.registerCommand(SHOW_POOL_MAP, async (arg?: unknown) => {
    const name = await chooseEip(cluster, arg);
    if (!name) return;
    const open = panels.get(name);
    if (open) { open.panel.reveal(); return; }
    const panel = vscode.window.createWebviewPanel('openelb.poolMap', `Pool ${name}`, vscode.ViewColumn.Active,
      { enableScripts: true, localResourceRoots: [] });
    panels.set(name, new PoolMapPanel(name, panel, cluster, () => panels.delete(name)));
  });
  return new vscode.Disposable(() => {
    command.dispose();
    for (const p of panels.values()) p.panel.dispose();
  });
}
