// This node's BGP configuration from the cluster objects (pure): the BgpConf named "default"
// gives the AS, router id (default: the node's IPv4 InternalIP) and listen port; every BgpPeer
// whose nodeSelector matches the node's labels becomes a peer. As upstream: a node labelled with
// a rack that `asPerRack` lists takes that AS (and its own address as router id); listenPort -1
// means no incoming sessions, so passive peers cannot be served. Each BgpPeer is checked on
// its own: one that cannot be served is listed in `rejected` (with why, for its status and an
// Event) and never affects the others.
import { parseIp } from '@openelb/core/address/ip';
import { RACK_LABEL } from '@openelb/core/api/annotations';
import { holdTimeAllowed, timerSeconds } from '@openelb/core/api/timers';
import type { PeerConfig } from '../bgp/peerSession';
import { selectorMatches, type LabelSelector } from './selector';

export const BGP_CONF_NAME = 'default';

export interface BgpConfObject {
  metadata?: { name?: string };
  spec?: { as?: number; asPerRack?: Record<string, number>; routerId?: string; listenPort?: number };
}

export interface BgpPeerObject {
  metadata?: { name?: string; uid?: string };
  spec?: {
    conf?: { peerAs?: number; neighborAddress?: string; authPassword?: string };
    transport?: { remotePort?: number; passiveMode?: boolean };
    timers?: { config?: { holdTime?: string; keepaliveInterval?: string; connectRetry?: string } };
    ebgpMultihop?: { enabled?: boolean; multihopTtl?: number };
    nodeSelector?: LabelSelector;
  };
}

export interface NodeInfo {
  name: string;
  labels: Record<string, string>;
  /** InternalIP addresses (IPv4 and/or IPv6). */
  internalIps: string[];
}

export interface PeerPlan {
  /** BgpPeer object name (where its status goes). */
  name: string;
  /** Its uid, so Events about it show in `kubectl describe`. */
  uid?: string;
  config: PeerConfig;
}

/** A BgpPeer selected for this node that cannot be served, and why (never contains secrets). */
export interface RejectedPeer { name: string; uid?: string; reason: string }

export interface BgpPlan {
  /** Undefined when there is no usable BgpConf: BGP is off on this node. */
  global?: { localAs: number; routerId: string; listenPort: number };
  peers: PeerPlan[];
  /** Selected BgpPeers left out, each for its own reason. */
  rejected: RejectedPeer[];
  /** Why something was left out, for the log (never contains secrets). */
  problems: string[];
}

/** Each timer set on the BgpPeer in seconds, or the first one that is not valid. */
function peerTimers(t: { holdTime?: string; keepaliveInterval?: string; connectRetry?: string } | undefined):
  { holdTime?: number; keepalive?: number; connectRetryTime?: number } | { bad: string } {
  const out: Record<string, number | undefined> = {};
  for (const [field, key] of [['holdTime', 'holdTime'], ['keepaliveInterval', 'keepalive'], ['connectRetry', 'connectRetryTime']] as const) {
    const text = t?.[field];
    if (text === undefined || text === '') continue;
    const secs = timerSeconds(String(text));
    if (secs === undefined || (field === 'holdTime' && !holdTimeAllowed(secs))) return { bad: `timers.config.${field} "${text}"` };
    out[key] = secs;
  }
  return out;
}

export function nodeAddress(node: NodeInfo, family: 4 | 6): string | undefined {
  return node.internalIps.find((a) => parseIp(a)?.family === family);
}

export function bgpPlan(node: NodeInfo, confs: readonly BgpConfObject[], peers: readonly BgpPeerObject[]): BgpPlan {
  const problems: string[] = [];
  const conf = confs.find((c) => c.metadata?.name === BGP_CONF_NAME);
  const out: BgpPlan = { peers: [], rejected: [], problems };
  if (!conf) return out;
  const { localAs, rackRouterId } = localAsOf(node, conf);
  const routerId = (rackRouterId ? undefined : conf.spec?.routerId) || nodeAddress(node, 4);
  if (!localAs || !Number.isInteger(localAs) || localAs < 1) { problems.push(`BgpConf default: ${noAsReason(node, conf)}`); return out; }
  if (!routerId || parseIp(routerId)?.family !== 4) { problems.push('BgpConf default: no IPv4 routerId and the node has no IPv4 InternalIP'); return out; }
  out.global = { localAs, routerId, listenPort: conf.spec?.listenPort ?? 0 };

  const uids = new Map<string, string | undefined>();
  const reject = (name: string, reason: string) => {
    problems.push(`BgpPeer ${name}: ${reason}`);
    out.rejected.push({ name, uid: uids.get(name), reason });
  };
  for (const p of peers) {
    const name = p.metadata?.name ?? '';
    const s = p.spec ?? {};
    if (!selectorMatches(s.nodeSelector, node.labels)) continue;
    uids.set(name, p.metadata?.uid);
    const address = s.conf?.neighborAddress ?? '';
    if (!parseIp(address)) { reject(name, `conf.neighborAddress "${address}" is not an IP address`); continue; }
    if (!s.conf?.peerAs) { reject(name, 'conf.peerAs is missing'); continue; }
    if (s.transport?.passiveMode && out.global.listenPort < 0) {
      reject(name, 'passive, but BgpConf default has listenPort -1 (no incoming sessions)');
      continue;
    }
    // Do not peer with ourselves (a BgpPeer naming one of this node's addresses).
    if (node.internalIps.includes(address)) continue;
    // As upstream, a timer that is not whole seconds fails the BgpPeer (the editor says so too).
    const timers = peerTimers(s.timers?.config);
    if ('bad' in timers) { reject(name, `${timers.bad} is not a valid number of seconds; peer left out`); continue; }
    if (s.conf.authPassword) {
      reject(name, 'conf.authPassword is set, but this speaker cannot sign TCP segments with MD5 (RFC 2385: Node cannot set TCP_MD5SIG); '
        + 'remove authPassword here and on the router, or protect the link another way; peer left out');
      continue;
    }
    const config: PeerConfig = {
      neighborAddress: address,
      peerAs: s.conf.peerAs,
      remotePort: s.transport?.remotePort,
      passive: s.transport?.passiveMode ?? false,
      ...timers,
      ebgpMultihopTtl: s.ebgpMultihop?.enabled ? s.ebgpMultihop.multihopTtl : undefined,
    };
    for (const k of Object.keys(config) as (keyof PeerConfig)[]) if (config[k] === undefined) delete config[k];
    out.peers.push({ name, uid: p.metadata?.uid, config });
  }
  // Two BgpPeers naming the same neighbour: keep the first by name, report the other.
  out.peers.sort((a, b) => a.name.localeCompare(b.name));
  const seen = new Set<string>();
  out.peers = out.peers.filter((p) => {
    const key = parseIp(p.config.neighborAddress)!.value.toString() + p.config.neighborAddress.includes(':');
    if (seen.has(key)) { reject(p.name, `neighbour ${p.config.neighborAddress} is already configured by another BgpPeer`); return false; }
    seen.add(key);
    return true;
  });
  return out;
}

/** The node's AS: its rack's entry in asPerRack when it has one, else spec.as (upstream's order). */
function localAsOf(node: NodeInfo, conf: BgpConfObject): { localAs?: number; rackRouterId: boolean } {
  const rack = node.labels[RACK_LABEL];
  const perRack = conf.spec?.asPerRack;
  if (!rack || !perRack) return { localAs: conf.spec?.as, rackRouterId: false };
  const rackAs = perRack[rack];
  return rackAs && rackAs > 0 ? { localAs: rackAs, rackRouterId: true } : { localAs: conf.spec?.as, rackRouterId: false };
}

function noAsReason(node: NodeInfo, conf: BgpConfObject): string {
  if (!conf.spec?.asPerRack) return 'spec.as is missing or not an AS number';
  const rack = node.labels[RACK_LABEL];
  return rack
    ? `no AS for node ${node.name}: spec.asPerRack has no entry for its rack "${rack}" and spec.as is missing`
    : `no AS for node ${node.name}: it has no ${RACK_LABEL} label for spec.asPerRack and spec.as is missing`;
}
