// Finding and loading the kubeconfig as kubectl does, for every entry point: the cluster
// commands, `openelb controller` and `openelb speaker` (in or out of a pod), the extension (its
// settings are layered on top, client/src/cluster/editorKubeconfig.ts) and the tests.
//
//   const kc = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context });
//
// Where from, first found wins: --kubeconfig (one file, or a colon-separated list merged like
// KUBECONFIG), every file of $KUBECONFIG (merged: the first file defining a cluster, user or
// context name wins, and the first current-context set wins), ~/.kube/config, and in a pod the
// service account (in-cluster). --context then picks the context. Failures are KubeConfigErrors
// whose messages are meant for users as they are; none contains a credential.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { isIPv6 } from 'node:net';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { reuseConnections } from './keepAlive';

/** 'none': no kubeconfig anywhere; 'invalid': one was found but cannot be used. */
export type KubeConfigProblem = 'none' | 'invalid';

export class KubeConfigError extends Error {
  constructor(message: string, readonly reason: KubeConfigProblem) {
    super(message);
  }
}

export interface KubeConfigSource {
  /** --kubeconfig: a path, or several joined like KUBECONFIG. */
  kubeconfig?: string;
  /** --context: a context name of the (merged) kubeconfig. */
  context?: string;
  /** Where KUBECONFIG and KUBERNETES_SERVICE_HOST/PORT are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The home directory holding .kube/config (default the user's). */
  home?: string;
  /** The pod's service account files (default the standard mount). */
  serviceAccountDir?: string;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Loads the kubeconfig `src` selects (a string is a --kubeconfig value) and makes its API
 * clients reuse keep-alive connections (./keepAlive).
 */
export function loadKubeConfig(src: KubeConfigSource | string = {}): KubeConfig {
  const s = typeof src === 'string' ? { kubeconfig: src } : src;
  const kc = readKubeConfig(s);
  if (s.context) selectContext(kc, s.context);
  requireCluster(kc);
  reuseConnections(kc);
  return kc;
}

function readKubeConfig(s: KubeConfigSource): KubeConfig {
  const env = s.env ?? process.env;
  if (s.kubeconfig) {
    return s.kubeconfig.includes(delimiter) ? readList(s.kubeconfig, '--kubeconfig') : readFile(s.kubeconfig, '--kubeconfig');
  }
  if (env.KUBECONFIG) return readList(env.KUBECONFIG, 'KUBECONFIG');
  const home = join(s.home ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return readFile(home, 'the default location');
  const pod = inClusterConfig(env, s.serviceAccountDir ?? SERVICE_ACCOUNT_DIR);
  if (pod) return pod;
  throw new KubeConfigError(`no kubeconfig found: pass --kubeconfig PATH or set KUBECONFIG (looked for ${home})`, 'none');
}

/** A list of files: missing ones are skipped, as kubectl does, but one must exist. */
function readList(list: string, from: string): KubeConfig {
  const files = list.split(delimiter).filter((f) => f !== '');
  const present = files.filter((f) => existsSync(f));
  if (present.length === 0) throw new KubeConfigError(`no kubeconfig found: none of the ${from} files exist (${files.join(', ')})`, 'none');
  return mergeKubeConfigs(present.map((f) => readFile(f, from)));
}

function readFile(path: string, from: string): KubeConfig {
  if (!existsSync(path)) throw new KubeConfigError(`kubeconfig file not found: ${path} (from ${from})`, 'none');
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (e) {
    // First line only: a YAML error may quote the line it stopped at, which can hold a token.
    throw new KubeConfigError(`cannot read kubeconfig ${path}: ${(e as Error).message.split('\n')[0]}`, 'invalid');
  }
  return kc;
}

/** kubectl's merge rule: for each name, the entry of the first file that has it. */
export function mergeKubeConfigs(configs: KubeConfig[]): KubeConfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let currentContext = '';
  for (const c of configs) {
    for (const x of c.getClusters()) if (!clusters.has(x.name)) clusters.set(x.name, x);
    for (const x of c.getUsers()) if (!users.has(x.name)) users.set(x.name, x);
    for (const x of c.getContexts()) if (!contexts.has(x.name)) contexts.set(x.name, x);
    if (!currentContext && c.getCurrentContext()) currentContext = c.getCurrentContext();
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext,
  });
  return kc;
}

/**
 * The service account's configuration when running in a pod (KUBERNETES_SERVICE_HOST/PORT set),
 * else undefined. The token file is read again as the kubelet rotates it (client-node's tokenFile
 * provider). Names match client-node's loadFromCluster.
 */
export function inClusterConfig(env: NodeJS.ProcessEnv, dir = SERVICE_ACCOUNT_DIR): KubeConfig | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) return undefined;
  const tokenFile = join(dir, 'token');
  if (!existsSync(tokenFile)) {
    throw new KubeConfigError(`running in a pod (KUBERNETES_SERVICE_HOST is set) without a service account token at ${tokenFile}; pass --kubeconfig PATH or mount the token`, 'none');
  }
  const caFile = join(dir, 'ca.crt');
  const nsFile = join(dir, 'namespace');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'inCluster', server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`, caFile: existsSync(caFile) ? caFile : undefined, skipTLSVerify: false }],
    users: [{ name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile } } }],
    contexts: [{ name: 'inClusterContext', cluster: 'inCluster', user: 'inClusterUser', namespace: existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() : undefined }],
    currentContext: 'inClusterContext',
  });
  return kc;
}

function selectContext(kc: KubeConfig, context: string): void {
  if (!kc.getContextObject(context)) {
    const known = kc.getContexts().map((c) => c.name);
    throw new KubeConfigError(`unknown context "${context}" (the kubeconfig has: ${known.join(', ') || 'no contexts'})`, 'invalid');
  }
  kc.setCurrentContext(context);
}

function requireCluster(kc: KubeConfig): void {
  if (kc.getCurrentCluster()) return;
  const ctx = kc.getCurrentContext();
  throw new KubeConfigError(ctx
    ? `context "${ctx}" names a cluster the kubeconfig does not define`
    : 'the kubeconfig has no current-context; pass --context NAME', 'invalid');
}
