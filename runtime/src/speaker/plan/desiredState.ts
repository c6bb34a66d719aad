// What one node's speaker must announce, computed from cluster state (pure: no I/O).
// Layer2: the addresses this node owns (elected among live speakers), on which interface.
// Vip: the same election; the owner holds the address on the interface (plan/vip.ts).
// BGP: a host route for every address of a bgp Eip, unless externalTrafficPolicy Local and
// this node has no ready endpoint of the Service.
import { parseIp, type Family } from '@openelb/core/address/ip';
import { parsePool, poolContains, type Pool } from '@openelb/core/address/pool';
import { servedByOpenElb } from '@openelb/core/api/service';
import { electOwner } from './election';

export interface EipView {
  name: string;
  protocol: 'bgp' | 'layer2' | 'vip';
  interface?: string;
  disabled: boolean;
  pool?: Pool;
  /** Errors from the shared rules: an invalid Eip is not announced. */
  valid: boolean;
  /** Nodes that reported they cannot serve this Eip (no usable interface): never elected. */
  unableNodes?: Set<string>;
}

export interface ServiceView {
  key: string; // namespace/name
  ips: string[]; // status.loadBalancer.ingress
  localTraffic: boolean; // externalTrafficPolicy: Local
  /** Nodes with a ready endpoint (used for Local). */
  endpointNodes: Set<string>;
}

export interface NodeView {
  name: string;
  ready: boolean;
}

export interface Layer2Announcement {
  ip: string;
  family: Family;
  eip: string;
  interface: string;
  services: string[];
}

export interface BgpAnnouncement {
  prefix: string; // ip/32 or ip/128
  ip: string;
  eip: string;
  services: string[];
}

export interface DesiredState {
  layer2: Layer2Announcement[];
  /** Addresses of vip Eips this node owns (elected exactly as layer2's). */
  vip: Layer2Announcement[];
  bgp: BgpAnnouncement[];
  /** Layer2 and vip addresses and the node elected for each (for status and events). */
  owners: Map<string, string | undefined>;
}

const SPEAKER_CONDITION = 'Speaker.';

/** A node's report that it cannot serve an Eip (its condition Speaker.<node> is False). */
export interface SpeakerFailure { node: string; reason?: string; message?: string }

/** The nodes whose Speaker.<node> condition on an Eip status is False, sorted by node. */
export function speakerFailures(conditions: unknown): SpeakerFailure[] {
  const list = Array.isArray(conditions) ? (conditions as { type?: string; status?: string; reason?: string; message?: string }[]) : [];
  return list.filter((c) => c.type?.startsWith(SPEAKER_CONDITION) && c.status === 'False')
    .map((c) => ({ node: c.type!.slice(SPEAKER_CONDITION.length), reason: c.reason, message: c.message }))
    .sort((a, b) => a.node.localeCompare(b.node));
}

export function eipView(obj: { metadata?: { name?: string }; spec?: Record<string, unknown>; status?: { conditions?: unknown } }, valid: boolean): EipView {
  const spec = obj.spec ?? {};
  const unableNodes = new Set(speakerFailures(obj.status?.conditions).map((f) => f.node));
  const protocol = spec.protocol === 'layer2' || spec.protocol === 'vip' ? spec.protocol : 'bgp';
  return {
    name: obj.metadata?.name ?? '',
    protocol,
    interface: typeof spec.interface === 'string' ? spec.interface : undefined,
    disabled: spec.disable === true,
    pool: typeof spec.address === 'string' ? parsePool(spec.address).pool : undefined,
    valid,
    unableNodes,
  };
}

export function serviceView(obj: {
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
  spec?: { type?: string; externalTrafficPolicy?: string };
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
}, endpointNodes: Set<string>): ServiceView | undefined {
  if (!servedByOpenElb(obj)) return undefined;
  const ips = (obj.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => parseIp(ip));
  if (!ips.length) return undefined;
  return { key: `${obj.metadata?.namespace ?? 'default'}/${obj.metadata?.name ?? ''}`, ips, localTraffic: obj.spec?.externalTrafficPolicy === 'Local', endpointNodes };
}

export function desiredState(self: string, eips: readonly EipView[], services: readonly ServiceView[], nodes: readonly NodeView[],
  liveSpeakers: ReadonlySet<string>): DesiredState {
  const byIp = new Map<string, { eip: EipView; services: ServiceView[] }>();
  for (const svc of services) {
    for (const ipText of svc.ips) {
      const ip = parseIp(ipText)!;
      const eip = eips.find((e) => e.valid && e.pool && poolContains(e.pool, ip));
      if (!eip) continue;
      const entry = byIp.get(ipText) ?? { eip, services: [] };
      entry.services.push(svc);
      byIp.set(ipText, entry);
    }
  }
  const ready = nodes.filter((n) => n.ready && liveSpeakers.has(n.name)).map((n) => n.name).sort();
  const out: DesiredState = { layer2: [], vip: [], bgp: [], owners: new Map() };
  for (const [ipText, { eip, services: svcs }] of byIp) {
    const family = parseIp(ipText)!.family;
    const keys = svcs.map((s) => s.key).sort();
    if ((eip.protocol === 'layer2' || eip.protocol === 'vip') && eip.interface) {
      // kube-proxy drops a Local Service's traffic on nodes without its endpoints: prefer a node
      // with endpoints of every Local Service sharing the address, else of some of them.
      const locals = svcs.filter((s) => s.localTraffic);
      const able = ready.filter((n) => !eip.unableNodes?.has(n));
      const servesAll = able.filter((n) => locals.every((s) => s.endpointNodes.has(n)));
      const servesSome = able.filter((n) => locals.some((s) => s.endpointNodes.has(n)));
      const candidates = servesAll.length ? servesAll : servesSome.length ? servesSome : able;
      const owner = electOwner(ipText, candidates);
      out.owners.set(ipText, owner);
      if (owner === self) out[eip.protocol].push({ ip: ipText, family, eip: eip.name, interface: eip.interface, services: keys });
    } else if (eip.protocol === 'bgp') {
      const serves = svcs.some((s) => !s.localTraffic || s.endpointNodes.has(self));
      if (serves) out.bgp.push({ prefix: `${ipText}/${family === 4 ? 32 : 128}`, ip: ipText, eip: eip.name, services: keys });
    }
  }
  out.layer2.sort((a, b) => a.ip.localeCompare(b.ip));
  out.vip.sort((a, b) => a.ip.localeCompare(b.ip));
  out.bgp.sort((a, b) => a.prefix.localeCompare(b.prefix));
  return out;
}
