// Read-only virtual documents under the `openelb:` scheme: the YAML of a live Service (from the
// watch cache, so it stays current) and fixed texts such as the strictARP before/after pair.
import * as vscode from 'vscode';
import { stringify } from 'yaml';
import type { ClusterConnection } from '../cluster/clusterConnection';

export const SCHEME = 'openelb';

export class VirtualDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly fixed = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly cluster: ClusterConnection) {
    // Open Service documents follow the cluster.
    this.sub = cluster.onDidChange(() => {
      for (const doc of vscode.workspace.textDocuments) {
        if (doc.uri.scheme === SCHEME && doc.uri.path.startsWith('/service/')) this.emitter.fire(doc.uri);
      }
    });
  }

  /** The URI showing a Service's live YAML. */
  static serviceUri(namespace: string, name: string): vscode.Uri {
    return vscode.Uri.from({ scheme: SCHEME, path: `/service/${namespace}/${name}.yaml` });
  }

  /** Registers a fixed text and returns its URI (e.g. /strictarp/proposed/config.conf). */
  setText(path: string, text: string): vscode.Uri {
    this.fixed.set(path, text);
    const uri = vscode.Uri.from({ scheme: SCHEME, path });
    this.emitter.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const fixed = this.fixed.get(uri.path);
    if (fixed !== undefined) return fixed;
    const m = /^\/service\/([^/]+)\/(.+)\.yaml$/.exec(uri.path);
    if (m) {
      const svc = this.cluster.snapshot.objects.services.get(`${m[1]}/${m[2]}`);
      if (!svc) return `# Service ${m[1]}/${m[2]} is not in the cluster (or the cluster is not connected).\n`;
      const copy = structuredClone(svc);
      if (copy.metadata) delete copy.metadata.managedFields;
      return stringify(copy);
    }
    return '';
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}
