// Pure model of what the editor knows about the live cluster: the objects the watches hold,
// the connection state, and their conversion into the language server's cluster facts.
// No vscode and no network here, so it can be tested and reused anywhere.
import { eipFactFromObject, type EipFact, type Facts, type NodeFact, type NodeInterface, type ServiceFact } from '@openelb/core/model/facts';
import { EIP_IP_ANNOTATION, EIP_POOL_ANNOTATION, NODE_INTERFACES_ANNOTATION, RACK_LABEL } from '@openelb/core/api/annotations';
import { servedByOpenElb } from '@openelb/core/api/service';

/** Why the cluster view is (not) showing live data. */
export type ConnectionState =
  | 'untrusted'      // the folder is not trusted: no connection (a kubeconfig can run commands)
  | 'noKubeconfig'   // no file, no setting, nothing in KUBECONFIG
  | 'connecting'     // first list in flight
  | 'unreachable'    // the API server does not answer (retrying with backoff)
  | 'crdsMissing'    // the API server answers but has no network.kubesphere.io Eips
  | 'connected';

/** The minimal shape of a Kubernetes object the model reads. */
export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string>; resourceVersion?: string; [k: string]: unknown };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [k: string]: unknown;
}

/** The watched kinds, keyed by a short name. */
export type Watched = 'eips' | 'services' | 'nodes' | 'bgpconfs' | 'bgppeers';
export const WATCHED: Watched[] = ['eips', 'services', 'nodes', 'bgpconfs', 'bgppeers'];

export interface ClusterSnapshot {
  state: ConnectionState;
  /** Current context name of the kubeconfig in use. */
  context?: string;
  /** A one-line explanation of the state (error message, kubeconfig path). */
  detail?: string;
  objects: Record<Watched, Map<string, KObject>>;
}

export function emptyObjects(): Record<Watched, Map<string, KObject>> {
  return { eips: new Map(), services: new Map(), nodes: new Map(), bgpconfs: new Map(), bgppeers: new Map() };
}

/** The cache key of an object: namespace/name or name. */
export function keyOf(o: KObject): string {
  const m = o.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : (m.name ?? '');
}

/** Parses the Node interfaces annotation; bad JSON or bad entries are ignored. */
export function nodeInterfaces(node: KObject): NodeInterface[] | undefined {
  const raw = node.metadata?.annotations?.[NODE_INTERFACES_ANNOTATION];
  if (!raw) return undefined;
  let parsed: unknown;
  try { parsed = JSON.parse(raw); } catch { return undefined; }
  if (!Array.isArray(parsed)) return undefined;
  const out: NodeInterface[] = [];
  for (const it of parsed) {
    if (!it || typeof it !== 'object' || typeof (it as { name?: unknown }).name !== 'string') continue;
    const { name, mac, addresses } = it as { name: string; mac?: unknown; addresses?: unknown };
    out.push({
      name,
      mac: typeof mac === 'string' ? mac : undefined,
      addresses: Array.isArray(addresses) ? addresses.filter((a): a is string => typeof a === 'string') : [],
    });
  }
  return out;
}

export function nodeFact(node: KObject): NodeFact {
  const addrs = (node.status?.addresses ?? []) as { type?: string; address?: string }[];
  return {
    name: node.metadata?.name ?? '',
    internalIP: addrs.find((a) => a.type === 'InternalIP')?.address,
    interfaces: nodeInterfaces(node),
    rack: node.metadata?.labels?.[RACK_LABEL],
  };
}

/** True when a Service is a LoadBalancer that OpenELB serves. */
export function isOpenElbService(svc: KObject): boolean {
  return servedByOpenElb(svc);
}

export function serviceFact(svc: KObject): ServiceFact {
  const ingress = ((svc.status?.loadBalancer as { ingress?: { ip?: string }[] } | undefined)?.ingress ?? [])[0];
  return {
    namespace: svc.metadata?.namespace ?? 'default',
    name: svc.metadata?.name ?? '',
    eip: svc.metadata?.annotations?.[EIP_POOL_ANNOTATION],
    ip: ingress?.ip ?? svc.metadata?.annotations?.[EIP_IP_ANNOTATION],
  };
}

/** What the language server is told; null when there is no live data. */
export function toClusterFacts(s: ClusterSnapshot): Facts['cluster'] | null {
  if (s.state !== 'connected') return null;
  const eips: EipFact[] = [];
  for (const o of s.objects.eips.values()) {
    const f = eipFactFromObject(o as Parameters<typeof eipFactFromObject>[0]);
    // The parsed pool holds bigints, which JSON cannot carry; the server parses the address again.
    if (f) eips.push({ ...f, pool: undefined });
  }
  return {
    context: s.context,
    eips,
    nodes: [...s.objects.nodes.values()].map(nodeFact),
    services: [...s.objects.services.values()].filter(isOpenElbService).map(serviceFact),
  };
}

/** Addresses a node could use for layer2: interface addresses (without prefix) and InternalIP. */
export function nodeAddresses(node: KObject): { address: string; detail: string }[] {
  const f = nodeFact(node);
  const out: { address: string; detail: string }[] = [];
  const seen = new Set<string>();
  for (const itf of f.interfaces ?? []) {
    for (const cidr of itf.addresses) {
      const address = cidr.split('/')[0];
      if (seen.has(address)) continue;
      seen.add(address);
      out.push({ address, detail: `${itf.name}${itf.mac ? ` ${itf.mac}` : ''} (${cidr})` });
    }
  }
  if (f.internalIP && !seen.has(f.internalIP)) out.push({ address: f.internalIP, detail: 'InternalIP' });
  return out;
}
