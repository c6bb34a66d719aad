// `openelb strictarp`: OpenELB's Layer2 mode needs kube-proxy's IPVS mode to stop answering ARP
// for Service IPs (ipvs.strictARP: true in kube-system/kube-proxy's config.conf).
//
//   const plan = await planStrictArp(kc);          // what would change, and why (not)
//   if (plan.changed) await applyStrictArp(kc, plan);
//
// The edit is the one line (strictarpText.ts); applying it restarts the kube-proxy DaemonSet the
// way `kubectl rollout restart` does, since kube-proxy reads its config only at start.
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { kubeCall, OpsError } from './opsError';
import { readKubeProxySettings, setStrictArp, verifyStrictArpEdit } from './strictArpText';
import { explainKubeError, statusCode } from '../kube/errors';

export const KUBE_PROXY_NAMESPACE = 'kube-system';
export const KUBE_PROXY_NAME = 'kube-proxy';
export const CONFIG_KEY = 'config.conf';
const CM = `configmaps ${KUBE_PROXY_NAMESPACE}/${KUBE_PROXY_NAME}`;
const DS = `daemonsets ${KUBE_PROXY_NAMESPACE}/${KUBE_PROXY_NAME}`;

export interface StrictArpPlan {
  mode: string;
  strictARP: boolean;
  /** config.conf as read ('' when it could not be read). */
  before: string;
  /** config.conf as it should be; equals `before` when nothing is to change. */
  after: string;
  changed: boolean;
  /** Why nothing can or needs to be done, for the user. */
  problem?: string;
  /** not-ipvs is benign (nothing to do); the others are failures. */
  problemKind?: 'not-ipvs' | 'missing' | 'refused' | 'unreadable';
  /** The ConfigMap's resourceVersion the plan was made from. */
  resourceVersion?: string;
}

export interface ApplyResult {
  /** The ConfigMap was written. */
  written: boolean;
  /** The RFC 3339 time put in kubectl.kubernetes.io/restartedAt, when kube-proxy was restarted. */
  restartedAt?: string;
  /** Something the user must do by hand (e.g. restart kube-proxy when its DaemonSet is missing). */
  warning?: string;
}


/** A plan from a ConfigMap's content (pure). */
export function planFromConfigMap(cm: V1ConfigMap): StrictArpPlan {
  const before = cm.data?.[CONFIG_KEY];
  const resourceVersion = cm.metadata?.resourceVersion;
  if (before === undefined) {
    return { mode: '', strictARP: false, before: '', after: '', changed: false, resourceVersion, problemKind: 'missing', problem: `${CM} has no ${CONFIG_KEY} key; is kube-proxy configured by kubeadm?` };
  }
  let settings;
  try { settings = readKubeProxySettings(before); } catch (e) {
    return { mode: '', strictARP: false, before, after: before, changed: false, resourceVersion, problemKind: 'unreadable', problem: `cannot parse ${CONFIG_KEY} of ${CM}: ${(e as Error).message}` };
  }
  const { mode, strictARP } = settings;
  const base = { mode, strictARP, before, resourceVersion };
  if (mode !== 'ipvs') {
    return { ...base, after: before, changed: false, problemKind: 'not-ipvs', problem: `kube-proxy mode is ${mode ? `"${mode}"` : 'empty (iptables)'}: strictARP only matters in ipvs mode; nothing to do` };
  }
  if (strictARP) return { ...base, after: before, changed: false };
  try {
    const after = setStrictArp(before);
    verifyStrictArpEdit(before, after);
    return { ...base, after, changed: true };
  } catch (e) {
    return { ...base, after: before, changed: false, problemKind: 'unreadable', problem: (e as Error).message };
  }
}

async function readConfigMap(kc: KubeConfig): Promise<V1ConfigMap | undefined> {
  const core = kc.makeApiClient(CoreV1Api);
  try {
    return await core.readNamespacedConfigMap({ name: KUBE_PROXY_NAME, namespace: KUBE_PROXY_NAMESPACE });
  } catch (e) {
    if (statusCode(e) === 404) return undefined;
    throw new OpsError(explainKubeError(e, kc, 'get', CM));
  }
}

const MISSING = `ConfigMap ${KUBE_PROXY_NAMESPACE}/${KUBE_PROXY_NAME} not found: that is where kubeadm keeps kube-proxy's config.conf. `
  + 'kube-proxy may not be deployed by kubeadm here (or the cluster runs without kube-proxy); set strictARP in its own configuration.';

/** Reads kube-proxy's configuration and works out the one-line change. Writes nothing. */
export async function planStrictArp(kc: KubeConfig): Promise<StrictArpPlan> {
  const none = { mode: '', strictARP: false, before: '', after: '', changed: false };
  let cm: V1ConfigMap | undefined;
  try {
    cm = await readConfigMap(kc);
  } catch (e) {
    if (e instanceof OpsError && /HTTP 40[13]/.test(e.message)) return { ...none, problemKind: 'refused', problem: e.message };
    throw e;
  }
  if (!cm) return { ...none, problemKind: 'missing', problem: MISSING };
  return planFromConfigMap(cm);
}

/** RFC 3339 without fractional seconds, as kubectl writes restartedAt. */
export function rfc3339(d = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Writes the change (guarded by resourceVersion; on a conflict re-reads, re-plans and retries)
 * and restarts kube-proxy. Nothing happens when strictARP is already on or the plan has a problem.
 */
export async function applyStrictArp(kc: KubeConfig, plan: StrictArpPlan, attempts = 5): Promise<ApplyResult> {
  if (!plan.changed) return { written: false };
  const core = kc.makeApiClient(CoreV1Api);
  let current = plan;
  for (let i = 1; ; i++) {
    const cm = await readConfigMap(kc);
    if (!cm) throw new OpsError(MISSING);
    // Re-plan from what is stored now; if someone changed config.conf since, the edit follows them.
    current = planFromConfigMap(cm);
    if (current.problem) throw new OpsError(current.problem);
    if (!current.changed) return { written: false };
    const body: V1ConfigMap = { ...cm, data: { ...cm.data, [CONFIG_KEY]: current.after } };
    try {
      await core.replaceNamespacedConfigMap({ name: KUBE_PROXY_NAME, namespace: KUBE_PROXY_NAMESPACE, body });
      break;
    } catch (e) {
      if (statusCode(e) === 409 && i < attempts) continue;
      throw new OpsError(explainKubeError(e, kc, 'update', CM));
    }
  }
  return { written: true, ...await restartKubeProxy(kc) };
}

/** `kubectl rollout restart daemonset/kube-proxy -n kube-system`. */
export async function restartKubeProxy(kc: KubeConfig): Promise<Omit<ApplyResult, 'written'>> {
  const apps = kc.makeApiClient(AppsV1Api);
  const restartedAt = rfc3339();
  const body = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } } };
  try {
    await kubeCall(kc, 'patch', DS, () => apps.patchNamespacedDaemonSet(
      { name: KUBE_PROXY_NAME, namespace: KUBE_PROXY_NAMESPACE, body },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    ));
  } catch (e) {
    if (e instanceof OpsError && /HTTP 404/.test(e.message)) {
      return { warning: `config.conf was updated, but DaemonSet ${KUBE_PROXY_NAMESPACE}/${KUBE_PROXY_NAME} was not found: restart kube-proxy on every node yourself so it reads the new setting` };
    }
    throw e;
  }
  return { restartedAt };
}
