// "OpenELB: Apply Current File": every object of the active YAML file is first sent as a
// server-side apply with dryRun=All (fieldManager openelb). Refusals become diagnostics on the
// lines of the offending fields; only when every object passes, and the user confirmed the
// objects, the cluster (context and API server) and the impact on running Services (Eip
// addresses in use leaving their pool), is the real apply sent. Both steps show progress and
// can be cancelled: nothing more is sent, and the message says what was written.
import * as vscode from 'vscode';
import type { KubeConfig } from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../../../runtime/src/ops/names';
import { restCall, RestError } from '../../../runtime/src/kube/rest';
import type { ClusterConnection } from '../cluster/clusterConnection';
import { describeTarget } from '../cluster/target';
import { objectsOf, parseFieldPath, problemsOf, rangeOfField, type FileObject } from './applyErrors';
import { cancelledMessage, impactLines } from './applySummary';


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

const CANCELLED = Symbol('cancelled');

/** The request's outcome, or CANCELLED as soon as the user cancels (the request is left to finish). */
function unlessCancelled<T>(p: Promise<T>, token: vscode.CancellationToken): Promise<T | typeof CANCELLED> {
  if (token.isCancellationRequested) { p.catch(() => undefined); return Promise.resolve(CANCELLED); }
  return new Promise((resolve, reject) => {
    const sub = token.onCancellationRequested(() => { sub.dispose(); resolve(CANCELLED); });
    p.then((v) => { sub.dispose(); resolve(v); }, (e: unknown) => { sub.dispose(); reject(e); });
  });
}

const nameOf = (o: FileObject): string => `${String(o.object.kind)}/${String((o.object.metadata as { name?: string } | undefined)?.name)}`;

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
    const names = objects.map(nameOf);

    // 1. Dry run every object; collect each refusal as diagnostics.
    const paths: string[] = [];
    const found: vscode.Diagnostic[] = [];
    const finished = await dryRun(kc, doc, objects, names, paths, found);
    if (!finished) { void vscode.window.showInformationMessage('OpenELB: dry run cancelled; nothing was applied.'); return; }
    if (found.length) {
      diagnostics.set(doc.uri, found);
      void vscode.commands.executeCommand('workbench.actions.view.problems');
      void vscode.window.showErrorMessage(`OpenELB: the API server refused ${found.length === 1 ? 'a field' : `${found.length} fields`}; nothing was applied (see Problems).`);
      return;
    }
    // 2. The real apply, once the user has seen where it goes and what it does to running Services.
    const impact = impactLines(doc.uri.toString(), text, cluster.snapshot);
    const ok = await vscode.window.showWarningMessage(`Apply ${names.length === 1 ? names[0] : `${names.length} objects`} to ${describeTarget(kc)}?`,
      { modal: true, detail: `The server-side dry run passed. Server-side apply (field manager ${FIELD_MANAGER}, taking over conflicting fields) of:\n${names.join('\n')}\n\n${impact.join('\n')}` }, 'Apply');
    if (ok !== 'Apply') return;
    await applyAll(kc, objects, names, paths);
  });
}

/** False when the user cancelled (nothing is written by a dry run either way). */
function dryRun(kc: KubeConfig, doc: vscode.TextDocument, objects: FileObject[], names: string[], paths: string[], found: vscode.Diagnostic[]): Thenable<boolean> {
  const cache = new Map<string, unknown>();
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'OpenELB: server-side dry run', cancellable: true }, async (progress, token) => {
    for (let i = 0; i < objects.length; i++) {
      progress.report({ message: `${names[i]} (${i + 1}/${objects.length})` });
      try {
        const path = await unlessCancelled(objectPath(kc, objects[i].object, cache), token);
        if (path === CANCELLED) return false;
        paths.push(path);
        if (await unlessCancelled(applyOne(kc, path, objects[i].object, true), token) === CANCELLED) return false;
      } catch (e) {
        found.push(...diagnosticsFor(doc, objects[i], e));
      }
    }
    return true;
  });
}

/** Applies in file order; a cancel sends nothing more and says what was written. */
async function applyAll(kc: KubeConfig, objects: FileObject[], names: string[], paths: string[]): Promise<void> {
  let written = 0;
  try {
    const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'OpenELB: applying', cancellable: true }, async (progress, token) => {
      for (; written < objects.length; written++) {
        if (token.isCancellationRequested) return { cancelled: true, inFlight: false };
        progress.report({ message: `${names[written]} (${written + 1}/${objects.length})` });
        if (await unlessCancelled(applyOne(kc, paths[written], objects[written].object, false), token) === CANCELLED) return { cancelled: true, inFlight: true };
      }
      return { cancelled: false, inFlight: false };
    });
    if (outcome.cancelled) { void vscode.window.showWarningMessage(cancelledMessage(names, written, outcome.inFlight)); return; }
  } catch (e) {
    const applied = written ? ` (applied before it: ${names.slice(0, written).join(', ')})` : '';
    void vscode.window.showErrorMessage(`OpenELB: apply of ${names[written]} failed${applied}: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  void vscode.window.showInformationMessage(`OpenELB: applied ${names.join(', ')} (dry run passed).`);
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
