// The extension's one output channel, "OpenELB": the cluster connection, Deploy and Remove
// Runtime step by step, and the language server's own log (languageClient.ts hands it to the
// language client). One place to look when something went wrong.
import * as vscode from 'vscode';

let channel: vscode.OutputChannel | undefined;

/** The "OpenELB" channel, created on first use. */
export function output(): vscode.OutputChannel {
  channel ??= vscode.window.createOutputChannel('OpenELB');
  return channel;
}

/** Appends one line prefixed with the local time of day, as the language client's lines are. */
export function logLine(line: string): void {
  output().appendLine(`[${new Date().toLocaleTimeString()}] ${line}`);
}

/** Disposes the channel (deactivation); the next use creates a new one. */
export function disposeOutput(): void {
  channel?.dispose();
  channel = undefined;
}
