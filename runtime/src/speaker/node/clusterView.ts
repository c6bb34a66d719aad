// Turns the watched objects into the inputs of desiredState() (pure). An Eip with blocking
// findings (the shared rules of server/core/src/checkObject.ts, classified by rules/blocking.ts;
// advice never stops it) is never announced; a Service's
// endpoint nodes come from its EndpointSlices (ready endpoints only).
import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import { objectErrors } from '@openelb/core/checkObject';
import { eipView, serviceView, type EipView, type NodeView, type ServiceView } from '../plan/desiredState';
import type { NodeInfo } from './bgpConfig';

export interface EipObj {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; resourceVersion?: string; uid?: string; generation?: number };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** Validation is costly (YAML + rules): results are kept per name and resourceVersion. */
export class EipValidity {
  private readonly memo = new Map<string, { rv: string; errors: string[] }>();

  errors(obj: EipObj): string[] {
    const name = obj.metadata?.name ?? '';
    const rv = obj.metadata?.resourceVersion ?? '';
    const hit = this.memo.get(name);
    if (hit && hit.rv === rv && rv !== '') return hit.errors;
    const errors = objectErrors({ ...obj, apiVersion: obj.apiVersion ?? 'network.kubesphere.io/v1alpha2', kind: 'Eip' })
      .map((p) => `${p.path}: ${p.message}`);
    this.memo.set(name, { rv, errors });
    return errors;
  }

  forget(name: string): void { this.memo.delete(name); }
}

export function eipViews(eips: readonly EipObj[], validity: EipValidity): EipView[] {
  return eips.map((e) => eipView(e, validity.errors(e).length === 0 && !!e.spec && typeof e.spec.address === 'string'));
}

/** namespace/name of the Service → nodes with at least one ready endpoint. */
export function endpointNodes(slices: readonly V1EndpointSlice[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const s of slices) {
    const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!svc) continue;
    const key = `${s.metadata?.namespace ?? 'default'}/${svc}`;
    const nodes = out.get(key) ?? new Set<string>();
    for (const ep of s.endpoints ?? []) {
      // A missing ready condition means ready (EndpointSlice API semantics).
      if (ep.nodeName && ep.conditions?.ready !== false) nodes.add(ep.nodeName);
    }
    out.set(key, nodes);
  }
  return out;
}

export function serviceViews(services: readonly V1Service[], slices: readonly V1EndpointSlice[]): ServiceView[] {
  const eps = endpointNodes(slices);
  const out: ServiceView[] = [];
  for (const s of services) {
    if (s.metadata?.deletionTimestamp) continue; // being deleted: stop announcing now
    const key = `${s.metadata?.namespace ?? 'default'}/${s.metadata?.name ?? ''}`;
    const v = serviceView(s as Parameters<typeof serviceView>[0], eps.get(key) ?? new Set());
    if (v) out.push(v);
  }
  return out;
}

export function nodeReady(n: V1Node): boolean {
  return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function nodeViews(nodes: readonly V1Node[]): NodeView[] {
  return nodes.map((n) => ({ name: n.metadata?.name ?? '', ready: nodeReady(n) }));
}

export function nodeInfo(n: V1Node | undefined, name: string): NodeInfo {
  return {
    name,
    labels: { ...n?.metadata?.labels },
    internalIps: internalIps(n),
  };
}

/** A Node's InternalIP addresses, in the order the kubelet reports them. */
export function internalIps(n: V1Node | undefined): string[] {
  return (n?.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address);
}
