// Where a write goes and what it installs, said the same way in every confirmation that writes
// to the cluster (Deploy, Remove, Apply, strictARP, layer2 address): the context and its API
// server, and for Deploy the image. A folder cannot set the kubeconfig or the image (both are
// machine-scoped settings), but the user must still see which cluster a button writes to.
// Pure: no vscode, so the unit tests check the wording.
import { DEFAULT_IMAGE } from '../../../runtime/src/ops/names';

/** What of a KubeConfig the text needs (KubeConfig has both methods). */
export interface TargetConfig {
  getCurrentContext(): string;
  getCurrentCluster(): { server: string } | null;
}

/** "context kind-a (https://127.0.0.1:6443)" */
export function describeTarget(kc: TargetConfig): string {
  const server = kc.getCurrentCluster()?.server;
  return `context ${kc.getCurrentContext() || '(none)'}${server ? ` (${server})` : ''}`;
}

/** "image node:24-bookworm-slim (the default; set openelb.runtimeImage to change it)" */
export function describeImage(image: string | undefined): string {
  return image ? `image ${image} (setting openelb.runtimeImage)` : `image ${DEFAULT_IMAGE} (the default; set openelb.runtimeImage in your user settings to change it)`;
}

/** Why there is no cluster in a folder not trusted (commands say "no cluster: <this>"). */
export const UNTRUSTED_DETAIL = 'this folder is not trusted, so OpenELB does not connect to the cluster; trust it (Workspaces: Manage Workspace Trust) to use cluster commands';
