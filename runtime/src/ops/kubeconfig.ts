// Loading a kubeconfig the way kubectl does, and turning API failures into messages a user can
// act on. Used by every `openelb` cluster command (deploy, undeploy, strictarp, status).
//
//   const kc = loadOpsKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context });
//   try { ... } catch (e) { throw new OpsError(explainKubeError(e, kc, 'get', 'configmaps kube-system/kube-proxy')); }
//
// Never prints credentials: messages name the server URL, the user entry and the refused verb.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ApiException, KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { reuseConnections } from '../kube/keepAlive';

/** An error whose message is meant for the user as is (the CLI prints it and exits 1). */
export class OpsError extends Error {}

export interface KubeConfigSource {
  /** --kubeconfig: one path (kubectl also accepts only one here). */
  kubeconfig?: string;
  /** --context: a context name of the (merged) kubeconfig. */
  context?: string;
  /** The environment to read KUBECONFIG from (tests pass their own). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Loads --kubeconfig, else every file of $KUBECONFIG (colon-separated; merged like kubectl: the
 * first file that defines a cluster/user/context name wins, and the first current-context set
 * wins), else ~/.kube/config, else the in-cluster service account. Then selects --context.
 */
export function loadOpsKubeConfig(src: KubeConfigSource = {}): KubeConfig {
  const env = src.env ?? process.env;
  let kc: KubeConfig;
  if (src.kubeconfig) {
    kc = loadFile(src.kubeconfig, '--kubeconfig');
  } else if (env.KUBECONFIG) {
    const files = env.KUBECONFIG.split(delimiter).filter((f) => f !== '');
    // kubectl ignores listed files that do not exist, but fails when none does.
    const present = files.filter((f) => existsSync(f));
    if (present.length === 0) throw new OpsError(`no kubeconfig found: none of the KUBECONFIG files exist (${files.join(', ')})`);
    kc = mergeKubeConfigs(present.map((f) => loadFile(f, 'KUBECONFIG')));
  } else {
    const home = join(homedir(), '.kube', 'config');
    if (!existsSync(home) && !env.KUBERNETES_SERVICE_HOST) {
      throw new OpsError(`no kubeconfig found: pass --kubeconfig PATH or set KUBECONFIG (looked for ${home})`);
    }
    kc = new KubeConfig();
    kc.loadFromDefault();
  }
  if (src.context) {
    if (!kc.getContextObject(src.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new OpsError(`unknown context "${src.context}" (the kubeconfig has: ${known.join(', ') || 'no contexts'})`);
    }
    kc.setCurrentContext(src.context);
  }
  const ctx = kc.getCurrentContext();
  if (!kc.getCurrentCluster()) {
    throw new OpsError(ctx
      ? `context "${ctx}" names a cluster the kubeconfig does not define`
      : 'the kubeconfig has no current-context; pass --context NAME');
  }
  reuseConnections(kc);
  return kc;
}

function loadFile(path: string, from: string): KubeConfig {
  if (!existsSync(path)) throw new OpsError(`kubeconfig file not found: ${path} (from ${from})`);
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (e) {
    throw new OpsError(`cannot read kubeconfig ${path}: ${(e as Error).message}`);
  }
  return kc;
}

/** kubectl's merge rule: for each name, the entry from the first file that has it. */
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

/** The server URL of the current cluster (no credentials in it). */
export function serverOf(kc: KubeConfig): string {
  return kc.getCurrentCluster()?.server ?? '(no server)';
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN',
  'EPIPE', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED',
]);

/** The network error code (ECONNREFUSED, ...) of an error or of its causes, if any. */
export function networkCode(e: unknown): string | undefined {
  for (let cur = e, depth = 0; cur && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    const errno = (cur as { errno?: unknown }).errno;
    if (typeof errno === 'string' && NETWORK_CODES.has(errno)) return errno;
  }
  return undefined;
}

/** HTTP status and the API server's own message of an API error. */
export function apiStatus(e: unknown): { code: number; message: string } | undefined {
  let code: number | undefined;
  let body: unknown;
  if (e instanceof ApiException) { code = e.code; body = e.body; }
  else if (e && typeof (e as { code?: unknown }).code === 'number') {
    code = (e as { code: number }).code;
    body = (e as { body?: unknown }).body;
  }
  if (code === undefined) return undefined;
  let message = '';
  try {
    const parsed: unknown = typeof body === 'string' ? JSON.parse(body) : body;
    message = (parsed as { message?: string } | undefined)?.message ?? '';
  } catch { message = typeof body === 'string' ? body.slice(0, 300) : ''; }
  return { code, message };
}

/**
 * A user-facing explanation of a failed API call. `verb` and `resource` say what we were doing
 * ("get", "configmaps kube-system/kube-proxy"): a 403 names them and says RBAC refused them.
 */
export function explainKubeError(e: unknown, kc: KubeConfig, verb: string, resource: string): string {
  const server = serverOf(kc);
  const net = networkCode(e);
  if (net) return `cannot reach the API server at ${server}: ${net} (${(e as Error).message ?? e}); check the kubeconfig's server address and that the cluster is up`;
  const st = apiStatus(e);
  if (!st) return `${verb} ${resource} failed: ${e instanceof Error ? e.message : String(e)}`;
  const user = kc.getCurrentUser()?.name ?? '(none)';
  if (st.code === 401) {
    return `the API server at ${server} rejected the credentials of kubeconfig user "${user}" (HTTP 401 Unauthorized) while trying to ${verb} ${resource}: the token or certificate is invalid or expired`;
  }
  if (st.code === 403) {
    return `RBAC refused to let kubeconfig user "${user}" ${verb} ${resource} (HTTP 403 Forbidden): ${st.message || 'forbidden'}. `
      + 'The credentials lack a Role/ClusterRole granting this; ask a cluster admin or use an admin context.';
  }
  return `${verb} ${resource} failed: HTTP ${st.code}${st.message ? `: ${st.message}` : ''}`;
}

/**
 * Runs one API call and rethrows any failure as an OpsError with explainKubeError's message.
 * HTTP 429 (e.g. "storage is (re)initializing" right after a CRD appears) is retried after the
 * server's retryAfterSeconds, as client-go does.
 */
export async function kubeCall<T>(kc: KubeConfig, verb: string, resource: string, fn: () => Promise<T>, attempts = 10): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof OpsError) throw e;
      if (apiStatus(e)?.code === 429 && i < attempts) {
        await new Promise((r) => setTimeout(r, retryAfterMs(e)));
        continue;
      }
      throw new OpsError(explainKubeError(e, kc, verb, resource));
    }
  }
}

function retryAfterMs(e: unknown): number {
  const body = (e as { body?: unknown }).body;
  let secs = 1;
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { details?: { retryAfterSeconds?: number } } | undefined;
    secs = parsed?.details?.retryAfterSeconds ?? 1;
  } catch { /* keep 1 s */ }
  return Math.min(Math.max(secs, 0.1), 5) * 1000;
}
