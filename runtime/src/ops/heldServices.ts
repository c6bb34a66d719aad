// Services that still hold something of OpenELB: an address in status.loadBalancer.ingress
// given by the controller, its finalizer, or its pool label. Once the controller is gone nobody
// removes the finalizer, so deleting such a Service hangs in Terminating; undeploy therefore
// refuses while they exist, unless told to release them (used by the CLI and the extension).
//
//   const held = await findHeldServices(kc);        // [{ namespace, name, addresses, ... }]
//   await releaseService(kc, held[0]);              // finalizer, label and addresses removed
import type { KubeConfig, V1Service } from '@kubernetes/client-node';
import { EIP_POOL_ANNOTATION, SERVICE_FINALIZER } from '@openelb/core/api/annotations';
import { servedByOpenElb } from '@openelb/core/api/service';
import { retryOnConflict } from '../kube/client';
import { isNotFound } from '../kube/errors';
import { restCall } from '../kube/rest';
import { kubeCall, OpsError } from './opsError';

export interface HeldService {
  namespace: string;
  name: string;
  /** The ingress addresses OpenELB gave it. */
  addresses: string[];
  finalizer: boolean;
  /** The Eip named by the pool label the controller set, if any. */
  poolLabel?: string;
}

/** What of OpenELB a Service holds, or undefined when nothing (pure). */
export function heldBy(svc: V1Service): HeldService | undefined {
  const md = svc.metadata ?? {};
  const finalizer = md.finalizers?.includes(SERVICE_FINALIZER) ?? false;
  const poolLabel = md.labels?.[EIP_POOL_ANNOTATION];
  const ours = finalizer || poolLabel !== undefined || servedByOpenElb(svc);
  const addresses = ours ? (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '').filter((a) => a) : [];
  if (!finalizer && poolLabel === undefined && addresses.length === 0) return undefined;
  return { namespace: md.namespace ?? 'default', name: md.name ?? '', addresses, finalizer, ...(poolLabel !== undefined ? { poolLabel } : {}) };
}

/** "192.168.0.200", or "finalizer only" / "pool label only" for a Service without an address. */
export function heldDetail(h: HeldService): string {
  return h.addresses.length ? h.addresses.join(', ') : h.finalizer ? 'finalizer only' : 'pool label only';
}

/** "default/web (192.168.0.200)". */
export const describeHeld = (h: HeldService): string => `${h.namespace}/${h.name} (${heldDetail(h)})`;

/** Every Service in the cluster holding an OpenELB address, finalizer or label, sorted. */
export async function findHeldServices(kc: KubeConfig): Promise<HeldService[]> {
  const list = await kubeCall(kc, 'list', 'services (all namespaces)', () => restCall(kc, 'GET', '/api/v1/services')) as { items?: V1Service[] };
  return (list.items ?? []).flatMap((s) => heldBy(s) ?? [])
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/** Thrown by undeploy when Services hold OpenELB state and release was not asked for. */
export class HeldServicesError extends OpsError {
  constructor(readonly services: HeldService[]) {
    super(`${services.length} Service${services.length === 1 ? ' still holds' : 's still hold'} OpenELB addresses or its finalizer ${SERVICE_FINALIZER}: `
      + `${services.map(describeHeld).join(', ')}. Without the controller they keep those addresses and hang in Terminating when deleted. `
      + 'Pass --release-services to remove the finalizer, pool label and addresses from them and undeploy, or delete them first while the controller runs.');
  }
}

const servicePath = (h: HeldService): string => `/api/v1/namespaces/${encodeURIComponent(h.namespace)}/services/${encodeURIComponent(h.name)}`;

/** The Service without our finalizer and pool label, or undefined when it has neither. */
function withoutMarks(svc: V1Service): V1Service | undefined {
  const md = svc.metadata ?? {};
  if (!md.finalizers?.includes(SERVICE_FINALIZER) && md.labels?.[EIP_POOL_ANNOTATION] === undefined) return undefined;
  const labels = { ...md.labels };
  delete labels[EIP_POOL_ANNOTATION];
  return { ...svc, metadata: { ...md, labels, finalizers: (md.finalizers ?? []).filter((f) => f !== SERVICE_FINALIZER) } };
}

/** Read-modify-write of the Service or its status, resourceVersion-checked; a gone Service is fine. */
async function rewrite(kc: KubeConfig, h: HeldService, part: '' | '/status', change: (s: V1Service) => V1Service | undefined): Promise<void> {
  const path = servicePath(h) + part;
  await kubeCall(kc, 'update', `services${part} ${h.namespace}/${h.name}`, () => retryOnConflict(async () => {
    try {
      const next = change(await restCall(kc, 'GET', servicePath(h)) as V1Service);
      if (next) await restCall(kc, 'PUT', path, { body: next });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }));
}

/**
 * Gives a Service back its freedom: addresses first (status), then the finalizer and pool label,
 * so a Service being deleted only goes once nothing of ours is left on it.
 */
export async function releaseService(kc: KubeConfig, h: HeldService): Promise<void> {
  await rewrite(kc, h, '/status', (s) => (s.status?.loadBalancer?.ingress?.length
    ? { ...s, status: { ...s.status, loadBalancer: {} } }
    : undefined));
  await rewrite(kc, h, '', withoutMarks);
}
