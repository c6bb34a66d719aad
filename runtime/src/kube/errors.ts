// Reading failures of Kubernetes API calls, for every part of the project: the controller, the
// speaker, the `openelb` cluster commands and the extension. An API failure is recognised by its
// HTTP status (client-node's ApiException, our RestError and ApiError, a watch's `statusCode`)
// and its metav1.Status body; a network failure by its errno code, also deep in `cause` chains.
//
//   describeError(e)                        'HTTP 409: Operation cannot be fulfilled on ...'
//   explainKubeError(e, kc, 'get', 'configmaps kube-system/kube-proxy')   a sentence for users
//
// Messages never carry credentials: they name the server URL, the user entry and the verb.
import { ApiException, type KubeConfig } from '@kubernetes/client-node';

/** One entry of a Status's details.causes (a refused field, for instance). */
export interface StatusCause {
  field?: string;
  reason?: string;
  message?: string;
}

/** What a metav1.Status body says. */
export interface KubeStatus {
  code?: number;
  /** Machine-readable: NotFound, Conflict, Expired, Forbidden, ... */
  reason?: string;
  message?: string;
  causes: StatusCause[];
  retryAfterSeconds?: number;
}

/** An API failure: the HTTP status and what the body says ('' and [] when it says nothing). */
export interface ApiStatus {
  code: number;
  reason: string;
  message: string;
  causes: StatusCause[];
  retryAfterSeconds?: number;
}

/** An API failure we raise ourselves, shaped like ApiException (code + body) so all of this reads it. */
export class ApiError extends Error {
  constructor(readonly code: number, readonly body: unknown, message: string) {
    super(message);
  }
}

/** An ApiError for a Status object, e.g. the ERROR event of a watch. */
export function errorFromStatus(status: unknown): ApiError {
  const s = parseStatus(status);
  return new ApiError(s?.code ?? 0, status, `HTTP ${s?.code ?? '?'}${s?.message ? `: ${s.message}` : ''}`);
}

/** Reads a metav1.Status from a body (JSON text or object); undefined when it is not a JSON object. */
export function parseStatus(body: unknown): KubeStatus | undefined {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try { parsed = JSON.parse(body); } catch { return undefined; }
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const s = parsed as { code?: unknown; reason?: unknown; message?: unknown; details?: { causes?: unknown; retryAfterSeconds?: unknown } };
  return {
    code: typeof s.code === 'number' ? s.code : undefined,
    reason: typeof s.reason === 'string' ? s.reason : undefined,
    message: typeof s.message === 'string' ? s.message : undefined,
    causes: Array.isArray(s.details?.causes) ? s.details.causes.filter(isCause) : [],
    retryAfterSeconds: typeof s.details?.retryAfterSeconds === 'number' ? s.details.retryAfterSeconds : undefined,
  };
}

function isCause(c: unknown): c is StatusCause {
  return !!c && typeof c === 'object';
}

/** The HTTP status of an API error, or undefined for other errors (network, our own). */
export function statusCode(e: unknown): number | undefined {
  if (e instanceof ApiException) return e.code;
  const x = e as { code?: unknown; statusCode?: unknown } | undefined;
  if (typeof x?.code === 'number') return x.code;
  // client-node's Watch reports a refused watch as an Error carrying statusCode.
  if (typeof x?.statusCode === 'number') return x.statusCode;
  return undefined;
}

/** HTTP status, reason, message and causes of an API error; undefined for other errors. */
export function apiStatus(e: unknown): ApiStatus | undefined {
  const code = statusCode(e);
  if (code === undefined) return undefined;
  const body = (e as { body?: unknown }).body;
  const s = parseStatus(body);
  return {
    code,
    reason: s?.reason ?? '',
    message: s?.message ?? fallbackMessage(e, body),
    causes: s?.causes ?? [],
    retryAfterSeconds: s?.retryAfterSeconds,
  };
}

/** Without a Status: the start of a text body, or a watch error's status text ("Forbidden"). */
function fallbackMessage(e: unknown, body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 300);
  // An ApiException's message is a dump of the whole response: never shown.
  if (body === undefined && e instanceof Error && !(e instanceof ApiException) && !(e instanceof ApiError)) return e.message;
  return '';
}

export const isConflict = (e: unknown): boolean => statusCode(e) === 409;
export const isNotFound = (e: unknown): boolean => statusCode(e) === 404;
export const isAlreadyExists = (e: unknown): boolean => statusCode(e) === 409;
/** 410 Gone: a watch's resourceVersion was compacted away; list again. */
export const isGone = (e: unknown): boolean => statusCode(e) === 410;
export const isTooManyRequests = (e: unknown): boolean => statusCode(e) === 429;

/**
 * Worth trying again unchanged: the server was unreachable, busy (429, e.g. "storage is
 * (re)initializing" while it starts) or failing (5xx). A 4xx other than 429 will fail the same way.
 */
export function isRetryable(e: unknown): boolean {
  if (networkCode(e)) return true;
  const code = statusCode(e);
  return code === 429 || (code !== undefined && code >= 500);
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

/** A short, secret-free description of any error, for logs. */
export function describeError(e: unknown): string {
  const st = apiStatus(e);
  if (st) return `HTTP ${st.code}${st.message ? `: ${st.message}` : ''}`;
  return e instanceof Error ? e.message : String(e);
}

/** describeError on one line of at most `max` characters, for status bars and tree items. */
export function shortError(e: unknown, max = 200): string {
  return describeError(e).split('\n')[0].slice(0, max);
}

/** The server URL of the current cluster (no credentials in it). */
export function serverOf(kc: KubeConfig): string {
  return kc.getCurrentCluster()?.server ?? '(no server)';
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

/** How long to wait before retrying a 429 ("storage is (re)initializing"): the server's
 * retryAfterSeconds, kept within 0.1..5 s, as client-go does. */
export function retryAfterMs(e: unknown): number {
  const secs = apiStatus(e)?.retryAfterSeconds ?? 1;
  return Math.min(Math.max(secs, 0.1), 5) * 1000;
}
