// The editor's connection to the cluster: loads the kubeconfig from the settings, runs a
// ClusterWatch (only in a trusted folder), publishes the `openelb.state` context key (for the views' welcome texts) and
// tells listeners (language server facts, tree, status item) about every change.
import * as vscode from 'vscode';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterWatch } from './clusterWatch';
import { emptyObjects, type ClusterSnapshot } from './clusterState';
import { loadEditorKubeconfig } from './editorKubeconfig';
import { UNTRUSTED_DETAIL } from './target';

export class ClusterConnection implements vscode.Disposable {
  private watch: ClusterWatch | undefined;
  private kcValue: KubeConfig | undefined;
  /** Bumped by every connect(); an older, still running connect() gives up. */
  private generation = 0;
  private current: ClusterSnapshot = { state: 'noKubeconfig', objects: emptyObjects() };
  private readonly emitter = new vscode.EventEmitter<ClusterSnapshot>();
  /** Fires with the new snapshot after every (coalesced) change. */
  readonly onDidChange = this.emitter.event;

  constructor(private readonly log: vscode.OutputChannel) {}

  get snapshot(): ClusterSnapshot {
    return this.current;
  }

  /** The loaded kubeconfig, or undefined (with an error shown) when there is none. */
  kubeConfig(): KubeConfig | undefined {
    return this.kcValue;
  }

  /** (Re)loads the kubeconfig and restarts the watches. Returns at once; data arrives later. */
  async connect(): Promise<void> {
    const gen = ++this.generation;
    const old = this.watch;
    this.watch = undefined;
    await old?.stop();
    if (gen !== this.generation) return; // a newer connect() took over
    if (!vscode.workspace.isTrusted) {
      // Loading is harmless, but every request may run the kubeconfig's exec plugin: in a
      // folder not trusted yet, nothing cluster-side happens; onDidGrantWorkspaceTrust reconnects.
      this.kcValue = undefined;
      this.log.appendLine('cluster: not connecting: this folder is not trusted');
      this.update({ state: 'untrusted', detail: UNTRUSTED_DETAIL, objects: emptyObjects() });
      return;
    }
    const cfg = vscode.workspace.getConfiguration('openelb');
    const res = loadEditorKubeconfig(cfg.get<string>('kubeconfig') || undefined, cfg.get<string>('context') || undefined);
    if (!res.ok) {
      this.kcValue = undefined;
      this.log.appendLine(`cluster: ${res.message}`);
      this.update({ state: res.reason === 'none' ? 'noKubeconfig' : 'unreachable', detail: res.message, objects: emptyObjects() });
      return;
    }
    this.kcValue = res.kc;
    this.log.appendLine(`cluster: using context ${res.kc.getCurrentContext()} from ${res.source}`);
    let lastState = '';
    const watch = new ClusterWatch(res.kc, (s) => {
      if (this.watch !== watch) return; // replaced by a newer connection
      if (s.state !== lastState) {
        lastState = s.state;
        this.log.appendLine(`cluster: ${s.state}${s.detail ? ` (${s.detail})` : ''}`);
      }
      this.update(s);
    });
    this.watch = watch;
    this.update({ state: 'connecting', context: res.kc.getCurrentContext(), objects: emptyObjects() });
    watch.start();
  }

  private update(s: ClusterSnapshot): void {
    this.current = s;
    void vscode.commands.executeCommand('setContext', 'openelb.state', s.state);
    this.emitter.fire(s);
  }

  dispose(): void {
    void this.watch?.stop();
    this.emitter.dispose();
  }
}
