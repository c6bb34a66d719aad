// `openelb status`: the Eip pools with their usage and which Service holds which IP.
//
//   const s = await readStatus(kc);
//   process.stdout.write(formatStatus(s));
//
// Pool facts come from the Eip (spec and the controller's status.used: IP -> "ns/name;ns/name");
// the addresses a Service actually shows come from its status.loadBalancer.ingress.
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Service } from '@kubernetes/client-node';
import { parseIp } from '@openelb/core/address/ip';
import { parsePool, poolContains, poolSize } from '@openelb/core/address/pool';
import { GROUP, PLURALS, STORAGE_VERSION } from '@openelb/core/api/types';
import { speakerFailures, type SpeakerFailure } from '../speaker/plan/desiredState';
import { kubeCall } from './opsError';

export interface AllocatedIp {
  ip: string;
  /** "namespace/name" of each Service holding it (shared IPs list several). */
  services: string[];
  /** Ingress IPs of those Services as their status shows them. */
  ingress: string[];
}

export interface PoolStatus {
  name: string;
  address: string;
  protocol: string;
  disabled: boolean;
  usage: number;
  /** From status.poolSize, else computed from the address. */
  poolSize: number | string;
  ready?: boolean;
  /** Why the controller does not use the pool (status condition Valid=False), if it says so. */
  reason?: string;
  /** Nodes that reported they cannot announce this pool (Speaker.<node>=False): not elected for it. */
  nodeProblems: SpeakerFailure[];
  allocated: AllocatedIp[];
}

export interface ClusterStatus {
  pools: PoolStatus[];
  /** LoadBalancer Services with an ingress IP in no pool, or waiting for one ("ns/name"). */
  pending: string[];
}

interface EipObject {
  metadata?: { name?: string };
  spec?: { address?: string; protocol?: string; disable?: boolean };
  status?: {
    usage?: number; poolSize?: number; ready?: boolean; used?: Record<string, string>;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
  };
}

const keyOf = (s: V1Service): string => `${s.metadata?.namespace}/${s.metadata?.name}`;
const ingressOf = (s: V1Service | undefined): string[] =>
  (s?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '').filter((x) => x);

/** Builds the status from listed objects (pure). */
export function buildStatus(eips: EipObject[], services: V1Service[]): ClusterStatus {
  const byKey = new Map(services.map((s) => [keyOf(s), s]));
  const pools = eips.map((e): PoolStatus => {
    const address = e.spec?.address ?? '';
    const parsed = parsePool(address).pool;
    const used = e.status?.used ?? {};
    const allocated = Object.entries(used).map(([ip, holders]) => {
      const svcs = holders.split(';').filter((h) => h);
      return { ip, services: svcs, ingress: [...new Set(svcs.flatMap((k) => ingressOf(byKey.get(k))))] };
    }).sort((a, b) => compareIps(a.ip, b.ip));
    const invalid = e.status?.conditions?.find((c) => c.type === 'Valid' && c.status === 'False');
    return {
      name: e.metadata?.name ?? '',
      address,
      protocol: e.spec?.protocol ?? 'bgp',
      disabled: e.spec?.disable === true,
      usage: e.status?.usage ?? allocated.length,
      poolSize: e.status?.poolSize ?? (parsed ? poolSize(parsed).toString() : '?'),
      ready: e.status?.ready,
      reason: invalid?.message,
      nodeProblems: speakerFailures(e.status?.conditions),
      allocated,
    };
  }).sort((a, b) => a.name.localeCompare(b.name));

  const parsedPools = eips.map((e) => parsePool(e.spec?.address ?? '').pool).filter((p) => p !== undefined);
  const pending = services
    .filter((s) => s.spec?.type === 'LoadBalancer')
    .filter((s) => {
      const ips = ingressOf(s);
      if (ips.length === 0) return true;
      return !ips.some((t) => { const ip = parseIp(t); return ip && parsedPools.some((p) => poolContains(p, ip)); });
    })
    .map(keyOf).sort();
  return { pools, pending };
}

function compareIps(a: string, b: string): number {
  const x = parseIp(a);
  const y = parseIp(b);
  if (!x || !y) return a.localeCompare(b);
  return x.family - y.family || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0);
}

/** Lists Eips and Services and builds the status. */
export async function readStatus(kc: KubeConfig): Promise<ClusterStatus> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const eips = await kubeCall(kc, 'list', `eips.${GROUP}`, () =>
    custom.listClusterCustomObject({ group: GROUP, version: STORAGE_VERSION, plural: PLURALS.Eip })) as { items?: EipObject[] };
  const services = await kubeCall(kc, 'list', 'services (all namespaces)', () => core.listServiceForAllNamespaces());
  return buildStatus(eips.items ?? [], services.items);
}

/** A plain-text table of the status, ending with a newline. */
export function formatStatus(s: ClusterStatus): string {
  if (s.pools.length === 0) return 'No Eip pools. Create one with an Eip object (see `openelb lint` to check it).\n';
  const rows: string[][] = [['POOL', 'ADDRESS', 'PROTOCOL', 'USED/SIZE', 'STATE']];
  for (const p of s.pools) {
    const state = p.disabled ? 'disabled' : p.reason ? `invalid: ${p.reason}`
      : p.ready === false ? 'not ready' : p.nodeProblems.length ? `warning: ${p.nodeProblems.length} node(s) cannot announce` : 'ok';
    rows.push([p.name, p.address, p.protocol, `${p.usage}/${p.poolSize}`, state]);
  }
  let out = table(rows);
  for (const p of s.pools) {
    for (const f of p.nodeProblems) out += `WARNING: ${describeFailure(p.name, f)}\n`;
  }
  for (const p of s.pools) {
    if (p.allocated.length === 0) continue;
    out += `\n${p.name}:\n`;
    out += table([['IP', 'SERVICES', 'INGRESS'], ...p.allocated.map((a) => [a.ip, a.services.join(', '), a.ingress.join(', ') || '-'])], '  ');
  }
  if (s.pending.length) out += `\nLoadBalancer Services without an IP from a pool: ${s.pending.join(', ')}\n`;
  return out;
}

/** "Eip eip-l2: node n1 cannot announce it (Layer2OpenFailed: ...); it is left out of the election". */
export function describeFailure(eip: string, f: SpeakerFailure): string {
  const why = [f.reason, f.message].filter((x) => x).join(': ');
  return `Eip ${eip}: node ${f.node} cannot announce it${why ? ` (${why})` : ''}; it is left out of the election`;
}

function table(rows: string[][], indent = ''): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => indent + r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('   ')).join('\n') + '\n';
}
