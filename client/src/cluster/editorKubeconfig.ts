// The kubeconfig the editor uses: the runtime's loader (runtime/src/kube/kubeconfig.ts, the one
// the CLI, the controller and the speaker use) with the editor's settings on top. The
// `openelb.kubeconfig` setting (one path, or several joined with ':' like KUBECONFIG, `~/`
// allowed) takes the place of --kubeconfig; without it $KUBECONFIG, ~/.kube/config, in-cluster.
// `openelb.context` (set by "Select Context") picks the context, and one that no longer exists
// falls back to the file's current context. Never throws.
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeConfigError, loadKubeConfig, type KubeConfigProblem } from '../../../runtime/src/kube/kubeconfig';

export type KubeconfigResult =
  | { ok: true; kc: KubeConfig; source: string }
  | { ok: false; reason: KubeConfigProblem; message: string };

export function loadEditorKubeconfig(setting: string | undefined, context: string | undefined, env: NodeJS.ProcessEnv = process.env): KubeconfigResult {
  const paths = settingPaths(setting);
  const kubeconfig = paths?.join(delimiter);
  const source = paths ? `setting openelb.kubeconfig (${paths.join(', ')})`
    : env.KUBECONFIG ? `KUBECONFIG (${env.KUBECONFIG})` : join(homedir(), '.kube', 'config');
  try {
    let kc: KubeConfig;
    try {
      kc = loadKubeConfig({ kubeconfig, context, env });
    } catch (e) {
      // A remembered context that no longer exists (or is broken): the file's current context.
      if (!context) throw e;
      kc = loadKubeConfig({ kubeconfig, env });
    }
    return { ok: true, kc, source };
  } catch (e) {
    const reason = e instanceof KubeConfigError ? e.reason : 'invalid';
    return { ok: false, reason, message: (e as Error).message.split('\n')[0] };
  }
}

/** The setting's paths, `~/` expanded; undefined when it is empty. */
function settingPaths(setting: string | undefined): string[] | undefined {
  if (!setting?.trim()) return undefined;
  const paths = setting.split(delimiter).map((s) => s.trim()).filter(Boolean)
    .map((p) => (p.startsWith('~/') ? join(homedir(), p.slice(2)) : p));
  return paths.length ? paths : undefined;
}
