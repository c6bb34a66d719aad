// What a Service asks of OpenELB, read from its type, annotations and spec (OpenELB v0.6 keys).

import { EIP_IP_ANNOTATION, EIP_POOL_ANNOTATION, SERVICE_FINALIZER, SHARED_IP_ANNOTATION } from '@openelb/core/api/annotations';
import { servedByOpenElb } from '@openelb/core/api/service';

// The keys are OpenELB's, defined once for the editor and the runtime.
export { EIP_IP_ANNOTATION, EIP_POOL_ANNOTATION, SERVICE_FINALIZER, SHARED_IP_ANNOTATION };

/** The parts of a core/v1 Service read here. */
export interface ServiceObject {
  metadata?: {
    name?: string;
    namespace?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: unknown;
  };
  spec?: {
    type?: string;
    loadBalancerIP?: string;
    ipFamilies?: string[];
    ports?: { port?: number; protocol?: string }[];
    externalTrafficPolicy?: string;
    selector?: Record<string, string>;
  };
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
}

export interface ServiceRequest {
  /** "namespace/name", the form OpenELB writes into Eip status.used. */
  key: string;
  namespace: string;
  /** False when OpenELB must not hold an address for it (wrong type, no annotation, deleting). */
  wanted: boolean;
  requestedIp?: string;
  requestedPool?: string;
  /** 4 and/or 6, from spec.ipFamilies; empty means any. */
  families: (4 | 6)[];
  /** The addresses in status.loadBalancer.ingress. */
  statusIps: string[];
  /** What decides whether it may share an address with another Service (sharing.ts). */
  sharing: SharingTerms;
}

export interface SharingTerms {
  /** "80/TCP" for each spec.ports entry (the API server defaults the protocol to TCP). */
  ports: string[];
  /** The allow-shared-ip annotation; undefined when absent or empty. */
  key?: string;
  /**
   * Undefined with externalTrafficPolicy Cluster; with Local, spec.selector as sorted "k=v"
   * pairs joined by commas ("" for no selector): kube-proxy then answers only on nodes with
   * the Service's own endpoints, so every sharer must select the same pods.
   */
  localSelector?: string;
}

export function serviceKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The namespace and name of a key made by serviceKey (names and namespaces hold no "/"). */
export function parseServiceKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export function serviceRequest(svc: ServiceObject): ServiceRequest {
  const md = svc.metadata ?? {};
  const ann = md.annotations ?? {};
  const namespace = md.namespace ?? 'default';
  const wanted = servedByOpenElb(svc) && md.deletionTimestamp == null;
  // As in OpenELB: the annotation, when present, replaces spec.loadBalancerIP (even if empty).
  const requestedIp = (EIP_IP_ANNOTATION in ann ? ann[EIP_IP_ANNOTATION] : svc.spec?.loadBalancerIP)?.trim() || undefined;
  const requestedPool = ann[EIP_POOL_ANNOTATION]?.trim() || undefined;
  const families = (svc.spec?.ipFamilies ?? []).flatMap((f) => (f === 'IPv4' ? [4 as const] : f === 'IPv6' ? [6 as const] : []));
  const statusIps = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => ip !== '');
  return { key: serviceKey(namespace, md.name ?? ''), namespace, wanted, requestedIp, requestedPool, families, statusIps, sharing: sharingTerms(svc) };
}

function sharingTerms(svc: ServiceObject): SharingTerms {
  const ports = (svc.spec?.ports ?? []).map((p) => `${p.port ?? 0}/${p.protocol || 'TCP'}`);
  const key = svc.metadata?.annotations?.[SHARED_IP_ANNOTATION]?.trim() || undefined;
  if (svc.spec?.externalTrafficPolicy !== 'Local') return { ports, key };
  const localSelector = Object.entries(svc.spec.selector ?? {}).map(([k, v]) => `${k}=${v}`).sort().join(',');
  return { ports, key, localSelector };
}
