// One editor-tier session: the extension packaged as `npm run package` packs it, a real
// kube-apiserver (test/harness/cluster/cluster.ts) with the kubeadm fixtures, code-server with the .vsix
// installed and a workspace copied from examples/, and headless Chromium on the workbench.
// Shared by the test files under test/editor/ so each sets up the same way.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Browser, Page } from 'playwright-core';
import { startCluster, type Cluster } from '../cluster/cluster';
import { applyFixtures } from '../cluster/fixtures';
import { loadKubeConfig } from '../../../runtime/src/kube/client';
import { poll } from '../support/poll';
import { CHROMIUM, checkPrerequisites, startCodeServer, type CodeServer } from './codeServer';
import { Workbench } from './workbench';

import { REPO } from '../repo';

/** Polls `check` every 100 ms until it returns a truthy value or `timeout` ms passed. */
export function until<T>(what: string, check: () => Promise<T | undefined | false>, timeout = 30_000): Promise<T> {
  return poll(what, check, { timeoutMs: timeout, everyMs: 100 });
}

export interface SessionOptions {
  /** Names the temp folder and the .vsix under test-results/editor/. */
  name: string;
  /** Install the OpenELB CRDs before the editor starts (false: the view offers Deploy Runtime). */
  crds: boolean;
  /** Extra workspace files (name → content) next to the copy of examples/. */
  files?: Record<string, string>;
  /** Extra kubeconfig file contents, appended to `openelb.kubeconfig` after the cluster's own. */
  extraKubeconfigs?: string[];
  /** Runs against the cluster before code-server starts (e.g. deploy the runtime, create Eips). */
  prepare?: (kc: KubeConfig) => Promise<void>;
  /** Turns the cluster's kubeconfig text into the one `openelb.kubeconfig` names (e.g. an exec plugin user). */
  kubeconfig?: (text: string) => string;
  /** The folder's own .vscode/settings.json. */
  workspaceSettings?: Record<string, unknown>;
  /** Workspace trust on, and the folder not trusted (restricted mode) until the test trusts it. */
  untrusted?: boolean;
}

export interface EditorSession {
  dir: string;
  cluster: Cluster;
  kc: KubeConfig;
  server: CodeServer;
  browser: Browser;
  page: Page;
  wb: Workbench;
  workspace: string;
  /** Final screenshot `finalShot`, then browser, code-server and cluster stopped; the temp folder removed unless OPENELB_KEEP. */
  stop(finalShot: string): Promise<void>;
}

/** Starts everything; what started before a failure is stopped again before it rethrows. */
export async function startEditorSession(opts: SessionOptions): Promise<EditorSession> {
  checkPrerequisites();
  const dir = mkdtempSync(join(tmpdir(), `openelb-${opts.name}-`));
  const s: Partial<EditorSession> = { dir };
  const stop = async (finalShot: string): Promise<void> => {
    if (s.wb) await s.wb.screenshot(finalShot).catch(() => undefined);
    await s.browser?.close().catch(() => undefined);
    await s.server?.stop();
    await s.cluster?.stop();
    if (!process.env.OPENELB_KEEP) rmSync(dir, { recursive: true, force: true });
  };
  try {
    // The package under test, built exactly as `npm run package` builds it.
    const vsix = join(REPO, 'test-results', 'editor', `openelb-${opts.name}.vsix`);
    const pack = spawnSync(process.execPath, ['scripts/package.mjs', '--out', vsix], { cwd: REPO, encoding: 'utf8' });
    assert.equal(pack.status, 0, `npm run package failed:\n${pack.stdout}\n${pack.stderr}`);

    s.cluster = await startCluster(join(dir, 'cluster'));
    await applyFixtures(s.cluster.kubeconfigPath, { kubeProxyMode: 'ipvs', strictARP: false, crds: opts.crds });
    s.kc = loadKubeConfig(s.cluster.kubeconfigPath);
    await opts.prepare?.(s.kc);

    s.workspace = join(dir, 'workspace');
    cpSync(join(REPO, 'examples'), s.workspace, { recursive: true });
    for (const [file, text] of Object.entries(opts.files ?? {})) writeFileSync(join(s.workspace, file), text);
    if (opts.workspaceSettings) {
      mkdirSync(join(s.workspace, '.vscode'), { recursive: true });
      writeFileSync(join(s.workspace, '.vscode', 'settings.json'), JSON.stringify(opts.workspaceSettings, null, 2));
    }
    let own = s.cluster.kubeconfigPath;
    if (opts.kubeconfig) {
      own = join(dir, 'kubeconfig-user');
      writeFileSync(own, opts.kubeconfig(readFileSync(s.cluster.kubeconfigPath, 'utf8')), { mode: 0o600 });
    }
    const kubeconfigs = [own, ...(opts.extraKubeconfigs ?? []).map((text, i) => {
      const path = join(dir, `kubeconfig-${i}`);
      writeFileSync(path, text);
      return path;
    })];

    s.server = await startCodeServer({
      dir: join(dir, 'code'), vsix, workspace: s.workspace,
      settings: {
        'workbench.startupEditor': 'none', 'workbench.tips.enabled': false,
        // Untrusted: no startup prompt, so the folder simply opens in restricted mode.
        'security.workspace.trust.enabled': !!opts.untrusted, 'security.workspace.trust.startupPrompt': 'never',
        'editor.quickSuggestions': { other: false, comments: false, strings: false },
        'workbench.editor.enablePreview': false, 'extensions.ignoreRecommendations': true,
      },
      // openelb.kubeconfig is machine-scoped: in code-server's window only the machine's settings set it.
      machineSettings: { 'openelb.kubeconfig': kubeconfigs.join(':') },
      workspaceTrust: !!opts.untrusted,
      env: { KUBECONFIG: '' },
    });
    const { chromium } = await import('playwright-core');
    s.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    s.page = await s.browser.newPage({ viewport: { width: 1400, height: 900 } });
    s.wb = new Workbench(s.page);
    await s.page.goto(s.server.url);
    await s.wb.ready();
  } catch (e) {
    await stop(`${opts.name}-setup-failed`).catch(() => undefined);
    throw e;
  }
  return { ...(s as Omit<EditorSession, 'stop'>), stop };
}
