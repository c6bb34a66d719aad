// A language status item for YAML: which schemas OpenELB validates against (the bundled CRD
// schemas, plus the live cluster's Eips when connected) and when it last validated.
import * as vscode from 'vscode';
import type { ClusterSnapshot } from '../cluster/clusterState';

export class OpenElbLanguageStatus implements vscode.Disposable {
  private readonly item = vscode.languages.createLanguageStatusItem('openelb.schemas', { language: 'yaml' });
  private snap: ClusterSnapshot | undefined;
  private last: Date | undefined;

  constructor() {
    this.item.name = 'OpenELB';
    this.item.command = { command: 'openelb.selectContext', title: 'Select Context' };
    this.render();
  }

  setCluster(s: ClusterSnapshot): void {
    this.snap = s;
    this.render();
  }

  validated(at = new Date()): void {
    this.last = at;
    this.render();
  }

  private render(): void {
    const ctx = this.snap?.state === 'connected' ? this.snap.context : undefined;
    this.item.text = ctx ? `OpenELB: bundled schemas + cluster ${ctx}` : 'OpenELB: bundled schemas';
    const when = this.last ? `last validated ${this.last.toLocaleTimeString()}` : 'not validated yet';
    this.item.detail = `${when}${this.snap && this.snap.state !== 'connected' ? ` · cluster ${this.snap.state}` : ''}`;
    this.item.severity = vscode.LanguageStatusSeverity.Information;
  }

  dispose(): void {
    this.item.dispose();
  }
}
