// "OpenELB: Apply Current File": every object of the active YAML file is first sent as a
// server-side apply with dryRun=All (fieldManager openelb). Refusals become diagnostics on the
// lines of the offending fields; only when every object passes, and the user confirmed the
// objects and the cluster (context and API server), is the real apply sent.
import * as vscode from 'vscode';
import type { KubeConfig } from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../../../runtime/src/ops/names';
import { restCall, RestError } from '../../../runtime/src/kube/rest';
import type { ClusterConnection } from '../cluster/clusterConnection';
import { describeTarget } from '../cluster/target';
import { objectsOf, parseFieldPath, problemsOf, rangeOfField, type FileObject } from './applyErrors';


/** The REST path of an object, found through API discovery (plural name, namespaced or not). */
async function objectPath(kc: KubeConfig, obj: Record<string, unknown>, cache: Map<string, unknown>): Promise<string> {
  const apiVersion = String(obj.apiVersion ?? '');
  const kind = String(obj.kind ?? '');
  const meta = (obj.metadata ?? {}) as { name?: string; namespace?: string };
  if (!apiVersion || !kind || !meta.name) throw new Error('the object needs apiVersion, kind and metadata.name');
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  let list = cache.get(base) as { resources?: { name: string; kind: string; namespaced: boolean }[] } | undefined;
  if (!list) {
    list = (await restCall(kc, 'GET', base)) as typeof list;
    cache.set(base, list);
  }
  const res = list?.resources?.find((r) => r.kind === kind && !r.name.includes('/'));
  if (!res) throw new Error(`the API server does not serve ${kind} in ${apiVersion}`);
  const ns = res.namespaced ? `/namespaces/${encodeURIComponent(meta.namespace ?? 'default')}` : '';
  return `${base}${ns}/${res.name}/${encodeURIComponent(meta.name)}`;
}

async function applyOne(kc: KubeConfig, path: string, obj: Record<string, unknown>, dryRun: boolean): Promise<void> {
  await restCall(kc, 'PATCH', path, {
    body: obj, contentType: 'application/apply-patch+yaml',
    query: { fieldManager: FIELD_MANAGER, force: 'true', ...(dryRun ? { dryRun: 'All' } : {}) },
  });
}

export function registerApplyFile(cluster: ClusterConnection, diagnostics: vscode.DiagnosticCollection): vscode.Disposable {
  return vscode.commands.registerCommand('openelb.applyFile', async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) { void vscode.window.showWarningMessage('OpenELB: open a YAML file to apply.'); return; }
    const kc = cluster.kubeConfig();
    if (!kc) { void vscode.window.showErrorMessage(`OpenELB: no cluster: ${cluster.snapshot.detail ?? 'no kubeconfig'}`); return; }
    const doc = editor.document;
    const text = doc.getText();
    const { objects, errors } = objectsOf(text);
    diagnostics.delete(doc.uri);
    if (errors.length) {
      diagnostics.set(doc.uri, errors.map((e) => mkDiag(doc, [e.offset, e.offset + 1], `YAML: ${e.message}`)));
      void vscode.window.showErrorMessage('OpenELB: the file has YAML syntax errors; nothing was applied.');
      return;
    }
    if (!objects.length) { void vscode.window.showWarningMessage('OpenELB: the file holds no objects.'); return; }

    const cache = new Map<string, unknown>();
    const found: vscode.Diagnostic[] = [];
    const paths: string[] = [];
    // 1. Dry run every object; collect each refusal as diagnostics.
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'OpenELB: server-side dry run' }, async () => {
      for (const o of objects) {
        try {
          const path = await objectPath(kc, o.object, cache);
          paths.push(path);
          await applyOne(kc, path, o.object, true);
        } catch (e) {
          found.push(...diagnosticsFor(doc, o, e));
        }
      }
    });
    if (found.length) {
      diagnostics.set(doc.uri, found);
      void vscode.commands.executeCommand('workbench.actions.view.problems');
      void vscode.window.showErrorMessage(`OpenELB: the API server refused ${found.length === 1 ? 'a field' : `${found.length} fields`}; nothing was applied (see Problems).`);
      return;
    }
    // 2. The real apply, once the user has seen where it goes.
    const names = objects.map((o) => `${String(o.object.kind)}/${String((o.object.metadata as { name?: string }).name)}`);
    const ok = await vscode.window.showWarningMessage(`Apply ${names.length === 1 ? names[0] : `${names.length} objects`} to ${describeTarget(kc)}?`,
      { modal: true, detail: `The server-side dry run passed. Server-side apply (field manager ${FIELD_MANAGER}, taking over conflicting fields) of:\n${names.join('\n')}` }, 'Apply');
    if (ok !== 'Apply') return;
    try {
      for (let i = 0; i < objects.length; i++) await applyOne(kc, paths[i], objects[i].object, false);
    } catch (e) {
      void vscode.window.showErrorMessage(`OpenELB: apply failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    void vscode.window.showInformationMessage(`OpenELB: applied ${names.join(', ')} (dry run passed).`);
  });
}

function diagnosticsFor(doc: vscode.TextDocument, o: FileObject, e: unknown): vscode.Diagnostic[] {
  const fallback: [number, number] = [o.range[0], Math.min(o.range[1], o.range[0] + 1)];
  // The object's first line (its apiVersion/kind) marks problems without a field.
  const first = o.doc.contents && 'range' in o.doc.contents && o.doc.contents.range ? [o.doc.contents.range[0], o.doc.contents.range[0] + 1] as [number, number] : fallback;
  if (e instanceof RestError) {
    return problemsOf(e.body, e.message).map((p) =>
      mkDiag(doc, p.field ? rangeOfField(o.doc, parseFieldPath(p.field), first) : first, p.message));
  }
  return [mkDiag(doc, first, e instanceof Error ? e.message.split('\n')[0] : String(e))];
}

function mkDiag(doc: vscode.TextDocument, [start, end]: [number, number], message: string): vscode.Diagnostic {
  const d = new vscode.Diagnostic(new vscode.Range(doc.positionAt(start), doc.positionAt(end)), message, vscode.DiagnosticSeverity.Error);
  d.source = 'openelb apply';
  d.code = 'apply-refused';
  return d;
}
