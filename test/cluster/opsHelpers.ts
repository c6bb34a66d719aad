// Shared by the ops*.test.ts files: tokens for ServiceAccounts (TokenRequest API), kubeconfigs
// for them, and running the built CLI bundle.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { kubeconfigText } from '../harness/cluster/cluster';
import { isAlreadyExists } from '../../runtime/src/kube/errors';

export const REPO = resolve(__dirname, '../..');
export const BUNDLE = join(REPO, 'dist', 'openelb.js');

/** Fails (never skips) when the bundle the deploy ships is missing. */
export function requireBundle(): void {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` before the cluster tests`);
}

/** Mints a short-lived token for a ServiceAccount (creating the account if asked). */
export async function tokenFor(kc: KubeConfig, namespace: string, name: string, create = false): Promise<string> {
  const core = kc.makeApiClient(CoreV1Api);
  if (create) {
    try { await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name, namespace } } }); } catch (e) { if (!isAlreadyExists(e)) throw e; }
  }
  const tr = await core.createNamespacedServiceAccountToken({ name, namespace, body: { spec: { audiences: [], expirationSeconds: 600 } } });
  const token = tr.status?.token;
  if (!token) throw new Error(`no token minted for ${namespace}/${name}`);
  return token;
}

/** Writes a kubeconfig using `token` against `server`; returns its path. */
export function writeKubeconfig(dir: string, file: string, server: string, token: string): string {
  const path = join(dir, file);
  writeFileSync(path, kubeconfigText(server, token), { mode: 0o600 });
  return path;
}

/** Runs `node dist/openelb.js ARGS` and returns its exit code and output. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BUNDLE, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
