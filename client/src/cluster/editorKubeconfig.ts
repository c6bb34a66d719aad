// Finds and loads the kubeconfig the editor uses: the `openelb.kubeconfig` setting (one path,
// or several joined with ':' like KUBECONFIG), else $KUBECONFIG (multi-file, merged as kubectl
// does), else ~/.kube/config. `openelb.context` (set by "Select Context") picks the context.
// Loading itself is the runtime's loadOpsKubeConfig; this wrapper never throws.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadOpsKubeConfig } from '../../../runtime/src/ops/kubeconfig';

export type KubeconfigResult =
  | { ok: true; kc: KubeConfig; source: string }
  | { ok: false; reason: 'none' | 'invalid'; message: string };

export function loadEditorKubeconfig(setting: string | undefined, context: string | undefined, env: NodeJS.ProcessEnv = process.env): KubeconfigResult {
  const expand = (p: string) => (p.startsWith('~/') ? join(homedir(), p.slice(2)) : p);
  const paths = setting?.trim() ? setting.split(delimiter).map((s) => expand(s.trim())).filter(Boolean) : undefined;
  const source = paths ? `setting openelb.kubeconfig (${paths.join(', ')})` : env.KUBECONFIG ? `KUBECONFIG (${env.KUBECONFIG})` : join(homedir(), '.kube', 'config');
  const looked = paths ?? (env.KUBECONFIG ? env.KUBECONFIG.split(delimiter).filter(Boolean) : [join(homedir(), '.kube', 'config')]);
  if (!looked.some((p) => existsSync(p)) && !env.KUBERNETES_SERVICE_HOST) {
    return { ok: false, reason: 'none', message: `no kubeconfig found (looked at ${looked.join(', ')})` };
  }
  const load = (ctx: string | undefined) => loadOpsKubeConfig(paths
    ? (paths.length === 1 ? { kubeconfig: paths[0], context: ctx, env } : { context: ctx, env: { ...env, KUBECONFIG: paths.join(delimiter) } })
    : { context: ctx, env });
  try {
    let kc: KubeConfig;
    try {
      kc = load(context);
    } catch (e) {
      // A remembered context that no longer exists: fall back to the file's current context.
      if (!context) throw e;
      kc = load(undefined);
    }
    return { ok: true, kc, source };
  } catch (e) {
    return { ok: false, reason: 'invalid', message: (e as Error).message.split('\n')[0] };
  }
}
