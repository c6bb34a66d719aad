#!/usr/bin/env node
// openelb-language-server: `--stdio` (any editor), `--node-ipc` (VS Code) or `--socket=N`.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

if (process.argv.includes('--version')) {
  console.log('openelb-language-server 0.1.0');
  process.exit(0);
}
if (!process.argv.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'))) {
  console.error('usage: openelb-language-server --stdio   (or --node-ipc, --socket=PORT)');
  process.exit(2);
}
startServer(createConnection(ProposedFeatures.all));
