// What the node tier needs on the machine; each missing piece fails with what to run.
// `scripts/provision.sh node` (which `npm test` runs first) installs all of it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_IMAGE } from '../../../runtime/src/ops/names';
import { K8S_VERSION } from '../cluster/fixtures';

const CACHE = process.env.OPENELB_CACHE ?? join(process.env.HOME ?? '/root', '.cache', 'openelb-toolkit');
import { REPO } from '../repo';
const HINT = 'run `bash scripts/provision.sh node` (as root) first';

const TOOLS = ['containerd', 'runc', 'ctr', 'nsenter', 'openssl', 'iptables', 'conntrack', 'ip', 'python3', 'curl', 'arping', 'ndisc6', 'gobgpd', 'gobgp'];

function hasCommand(t: string): boolean {
  try { execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }); return true; } catch { return false; }
}

/** Checks root, tools and CNI plugins; builds (or finds cached) the Kubernetes binaries; returns their folder. */
export function requireNodeTier(): string {
  if (process.getuid?.() !== 0) throw new Error(`the node tier needs root (network namespaces, kubelet, containerd); ${HINT}`);
  const missing = TOOLS.filter((t) => !hasCommand(t));
  if (!existsSync('/usr/lib/cni/bridge')) missing.push('CNI plugins (/usr/lib/cni/bridge)');
  if (missing.length) throw new Error(`the node tier needs: ${missing.join(', ')}; ${HINT}`);
  const out = execFileSync('bash', [join(REPO, 'test/harness/cluster/build-binaries.sh'), '--node'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').pop()!;
}

/** The image tarball name for an image reference such as node:24-bookworm-slim. */
export function imageTarball(ref: string): string {
  return join(CACHE, 'images', `${ref.replace(/^.*\//, '').replace(/[:@]/g, '-')}.tar`);
}

/** The pause image, kube-proxy's, and the look-alike of the runtime's default image, as docker-archive tarballs. */
export function nodeImages(): string[] {
  const images = [imageTarball('pause:3.10'), imageTarball(DEFAULT_IMAGE), imageTarball(`kube-proxy:${K8S_VERSION}`)];
  const missing = images.filter((p) => !existsSync(p));
  if (missing.length) throw new Error(`the node tier needs the images ${missing.join(', ')}; ${HINT}`);
  return images;
}
