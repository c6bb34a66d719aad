// Starts the bundled OpenELB language server (dist/openelb-language-server.js) over IPC for
// YAML documents. It coexists with Red Hat YAML: the server only reports on documents that
// concern OpenELB, and we register no schema with that extension.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

export const CLUSTER_FACTS_NOTIFICATION = 'openelb/clusterFacts';

/** Creates and starts the client; `onValidated` is called whenever diagnostics arrive. */
export async function startLanguageClient(context: vscode.ExtensionContext, output: vscode.OutputChannel, onValidated: () => void): Promise<LanguageClient> {
  const module = context.asAbsolutePath('dist/openelb-language-server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'untitled', language: 'yaml' },
    ],
    outputChannel: output,
    // Problems of closed files too, unless the user limits them to open files; the server
    // registers its own watcher for **/*.{yaml,yml} (workspace/didChangeWatchedFiles).
    initializationOptions: { problemsScope: vscode.workspace.getConfiguration('openelb').get<string>('problems.scope', 'workspace') },
    synchronize: { configurationSection: 'openelb.problems.scope' },
    middleware: {
      handleDiagnostics: (uri, diagnostics, next) => { onValidated(); next(uri, diagnostics); },
      provideDiagnostics: async (doc, previousResultId, token, next) => {
        const res = await next(doc, previousResultId, token);
        onValidated();
        return res;
      },
    },
  };
  const client = new LanguageClient('openelb', 'OpenELB Language Server', serverOptions, clientOptions);
  await client.start();
  return client;
}
