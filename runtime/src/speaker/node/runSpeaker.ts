// Entry point of `openelb speaker`: wires the watches, this node's liveness Lease, the three
// protocol drivers and the status writes to the loop (speakerLoop.ts), which on every relevant
// change observes, plans (plan/speakerPlan.ts, pure) and applies the difference.
//
//   const s = await runSpeaker({ kubeconfig, node: 'node1', metricsPort: 0 });
//   ...
//   await s.stop();   // releases the Lease first, so another node takes over at once
import type { AddressInfo } from 'node:net';
import { OPENELB_NAMESPACE } from '@openelb/core/api/annotations';
import { loadKubeConfig } from '../../kube/kubeconfig';
import { unpackShippedHelper } from '../layer2/helperPath';
import { DEFAULT_GOSSIP_PORT } from '../membership/gossipNode';
import { BgpDriver } from './bgpDriver';
import { GossipLink, readGossipKey } from './gossipLink';
import { KubeWrites } from './kubeWrites';
import { Layer2Driver } from './layer2Driver';
import { DECLARED_DEAD_ANNOTATION, GOSSIP_ANNOTATION } from './liveness';
import { MembershipLink } from './membershipLink';
import { serveSpeakerMetrics, type SpeakerMetricsSource } from './metrics';
import { internalIps } from './clusterView';
import { ClusterObserver } from './observer';
import { bgpProtocol, layer2Protocol, vipProtocol } from './protocolDriver';
import { SpeakerLease } from './speakerLease';
import { SpeakerLoop } from './speakerLoop';
import { StatusPublisher } from './statusPublisher';
import { VipDriver } from './vipDriver';
import { Watches, type WatchKind } from './watches';

/** Liveness Lease timing. A crashed speaker's addresses move once the others have watched its
 * Lease stay unchanged for the duration, by their own clocks (plus one round trip: at the deadline
 * each renews its own Lease to see that its watch still delivers), so a kill fails over in under a
 * second; a renewal may be late by two periods before the node counts as gone; each node renews 4
 * times a second (tune for big clusters). While no Lease changes at all (the API server
 * unreachable) nobody counts as gone. */
export const DEFAULT_RENEW_MS = 250;
export const DEFAULT_LEASE_MS = 800;
/** With gossip on, the Lease is the fallback only (plan/membershipView.ts): renewed like a node
 * Lease, 0.1 writes/s per node, and nobody watches it unless in doubt. */
export const GOSSIP_RENEW_MS = 10_000;
export const GOSSIP_LEASE_MS = 30_000;

export interface SpeakerOptions {
  /** A kubeconfig path (or colon-separated list); the default chain, then in-cluster, when absent. */
  kubeconfig?: string;
  /** A context of that kubeconfig (default its current context). */
  context?: string;
  /** This node's name (the Node object); required. */
  node: string;
  /** Namespace of the speaker Leases (default openelb-system). */
  namespace?: string;
  metricsPort?: number;
  metricsHost?: string;
  /** UDP port of gossip membership (default 7947); on only when the key Secret can be read. */
  gossipPort?: number;
  /** Lease renewal period and duration without gossip (defaults above). */
  leaseRenewMs?: number;
  leaseDurationMs?: number;
  helperPath?: string;
  log?: (msg: string) => void;
}

export interface SpeakerHandle {
  metricsPort?: number;
  /** Resolves when the plan in progress (if any) and a fresh one have been applied. */
  replan(): Promise<void>;
  stop(): Promise<void>;
}

/** BgpPeer / BgpConf status is published this often. */
const BGP_STATUS_MS = 1000;

export async function runSpeaker(o: SpeakerOptions): Promise<SpeakerHandle> {
  if (!o.node) throw new Error('the node name is required (--node or $NODE_NAME)');
  const node = o.node;
  const log = o.log ?? ((m: string) => process.stderr.write(`${new Date().toISOString()} openelb-speaker[${node}]: ${m}\n`));
  const kc = loadKubeConfig({ kubeconfig: o.kubeconfig, context: o.context });
  const namespace = o.namespace ?? OPENELB_NAMESPACE;
  const publisher = new StatusPublisher(new KubeWrites(kc, node), node, log);
  const helper = prepareHelper(o.helperPath, log);
  // Events before the loop exists need no plan: loop.start() plans with what the watches hold.
  const early: { loop?: SpeakerLoop } = {};
  const changed = (kind?: WatchKind) => early.loop?.changed(kind);
  const l2 = new Layer2Driver(log, changed, helper.path, helper.problem);
  const vip = new VipDriver(log, changed, helper.path, helper.problem);
  const bgp = new BgpDriver(log);
  const gossipPort = o.gossipPort ?? DEFAULT_GOSSIP_PORT;
  const { key, problem } = await readGossipKey(kc, namespace);
  if (!key) log(`gossip membership off: ${problem}; judging liveness by the speaker Leases alone (renewed every ${o.leaseRenewMs ?? DEFAULT_RENEW_MS} ms)`);
  const watches = new Watches(kc, namespace, changed, log, !key);
  const durationMs = key ? GOSSIP_LEASE_MS : o.leaseDurationMs ?? DEFAULT_LEASE_MS;
  let membership: MembershipLink | undefined;
  const lease = new SpeakerLease(kc, {
    namespace, node, renewMs: key ? GOSSIP_RENEW_MS : o.leaseRenewMs ?? DEFAULT_RENEW_MS, durationMs, log, onChange: changed,
    annotations: (): Record<string, string> => (membership
      ? { [GOSSIP_ANNOTATION]: membership.inDoubt ? 'doubt' : 'healthy', [DECLARED_DEAD_ANNOTATION]: membership.link.declarations() } : {}),
  });
  await watches.start();
  if (key) {
    const link = await GossipLink.start(key, { namespace, node, port: gossipPort, log, onChange: () => changed('gossip') }, bindAddressOf(watches, node));
    link.setView(watches.pods.list(), watches.nodes.list());
    await link.settle();
    membership = new MembershipLink(node, link, watches, lease, durationMs, log, changed);
  }
  const loop = new SpeakerLoop({
    source: new ClusterObserver(node, watches, durationMs, helper.path, membership),
    drivers: { layer2: layer2Protocol(l2), vip: vipProtocol(vip), bgp: bgpProtocol(bgp) },
    outputs: publisher, log,
    // A clean stop: every member hears `left` (one round trip), then the Lease goes as before.
    lease: { release: async () => { membership?.stop(); await membership?.link.leave(); await lease.release(); }, renewNow: () => lease.renewNow() },
  });

  early.loop = loop;
  await lease.start();
  await loop.start();
  const bgpStatus = publishBgpStatus(bgp, publisher);
  let stopping: Promise<void> | undefined;
  const server = o.metricsPort === undefined ? undefined
    // Healthy while it runs: an API outage is no reason to restart a speaker that keeps serving.
    : await serveSpeakerMetrics(metricsOf(node, l2, bgp, () => !stopping, membership), o.metricsPort, o.metricsHost);

  return {
    metricsPort: server ? (server.address() as AddressInfo).port : undefined,
    replan: () => loop.replan(),
    stop() {
      stopping ??= (async () => {
        clearInterval(bgpStatus);
        await loop.stop();
        await watches.stop();
        membership?.link.close();
        await publisher.bgp([], undefined).catch(() => undefined);
        await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      })();
      return stopping;
    },
  };
}

/** BgpPeer / BgpConf status, every BGP_STATUS_MS: session states change without any plan. */
function publishBgpStatus(bgp: BgpDriver, publisher: StatusPublisher): NodeJS.Timeout {
  return setInterval(() => {
    const g = bgp.config;
    void publisher.bgp(bgp.status(), g ? { as: g.localAs, routerId: g.routerId } : undefined);
  }, BGP_STATUS_MS);
}

/** Gossip binds the family of this node's InternalIP (IPv6-only clusters talk over IPv6). */
function bindAddressOf(watches: Watches, node: string): string {
  const ips = internalIps(watches.nodes.get(node));
  return ips.length > 0 && ips.every((ip) => ip.includes(':')) ? '::' : '0.0.0.0';
}

function metricsOf(node: string, l2: Layer2Driver, bgp: BgpDriver, healthy: () => boolean, m?: MembershipLink): SpeakerMetricsSource {
  return {
    gossip: m && (() => ({ ...m.link.stats(), healthy: m.link.healthy(), doubt: m.inDoubt })),
    node,
    layer2: () => l2.counters(),
    layer2Announced: () => l2.announcedAddresses().size,
    bgpPeers: () => bgp.status(),
    bgpRoutes: () => bgp.routesAnnounced().size,
    healthy,
  };
}

/** The helper to run: the given path, else in a pod the shipped one unpacked; or why there is none. */
function prepareHelper(given: string | undefined, log: (m: string) => void): { path?: string; problem?: string } {
  if (given) return { path: given };
  try {
    const path = unpackShippedHelper();
    if (path) log(`layer2: packet helper unpacked to ${path}`);
    return { path };
  } catch (e) {
    log(`layer2: ${(e as Error).message}`);
    return { problem: (e as Error).message };
  }
}
