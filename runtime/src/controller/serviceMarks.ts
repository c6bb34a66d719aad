// What the controller changes on a Service, as pure functions: the OpenELB finalizer and pool
// label, and status.loadBalancer.ingress. Each returns the changed Service, or undefined when
// it already is so (nothing to write).
import type { V1Service } from '@kubernetes/client-node';
import { EIP_POOL_ANNOTATION, SERVICE_FINALIZER } from '../allocator';

/** True when the Service carries the finalizer and names `eip` in the pool label. */
export function hasMarks(s: V1Service, eip: string): boolean {
  return !!s.metadata?.finalizers?.includes(SERVICE_FINALIZER) && s.metadata?.labels?.[EIP_POOL_ANNOTATION] === eip;
}

/** The Service with the finalizer and pool label set (or, for eip undefined, removed). */
export function withMarks(s: V1Service, eip: string | undefined): V1Service | undefined {
  const md = s.metadata ?? {};
  const finalizers = (md.finalizers ?? []).filter((f) => f !== SERVICE_FINALIZER);
  const labels = { ...md.labels };
  if (eip !== undefined) {
    finalizers.push(SERVICE_FINALIZER);
    labels[EIP_POOL_ANNOTATION] = eip;
  } else {
    delete labels[EIP_POOL_ANNOTATION];
  }
  const same = JSON.stringify(finalizers.slice().sort()) === JSON.stringify((md.finalizers ?? []).slice().sort())
    && md.labels?.[EIP_POOL_ANNOTATION] === labels[EIP_POOL_ANNOTATION];
  return same ? undefined : { ...s, metadata: { ...md, finalizers, labels } };
}

/** The Service with status.loadBalancer.ingress set to `ips`. */
export function withIngress(s: V1Service, ips: string[]): V1Service | undefined {
  const now = (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');
  if (JSON.stringify(now) === JSON.stringify(ips)) return undefined;
  return { ...s, status: { ...s.status, loadBalancer: { ...s.status?.loadBalancer, ingress: ips.map((ip) => ({ ip })) } } };
}

/**
 * The address shown in ONE write of the status subresource: the ingress plus the finalizer and
 * pool label. The Service status strategy keeps metadata changes (unlike Pods', which reset
 * them; checked on Kubernetes 1.34), so the finalizer lands together with the address.
 */
export function withAddress(s: V1Service, eip: string, ips: string[]): V1Service | undefined {
  const marked = withMarks(s, eip);
  return withIngress(marked ?? s, ips) ?? marked;
}
