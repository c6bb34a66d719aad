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
import { BgpDriver } from './bgpDriver';
import { KubeWrites } from './kubeWrites';
import { Layer2Driver } from './layer2Driver';
import { serveSpeakerMetrics, type SpeakerMetricsSource } from './metrics';
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
  /** Lease renewal period and duration (defaults above). */
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
  // Events may come before the first plan (the watches' first lists): they plan at once.
  const changed = (kind?: WatchKind) => loop.changed(kind);
  const l2 = new Layer2Driver(log, changed, helper.path, helper.problem);
  const vip = new VipDriver(log, changed, helper.path, helper.problem);
  const bgp = new BgpDriver(log);
  const watches = new Watches(kc, namespace, changed, log);
  const durationMs = o.leaseDurationMs ?? DEFAULT_LEASE_MS;
  const lease = new SpeakerLease(kc, { namespace, node, renewMs: o.leaseRenewMs ?? DEFAULT_RENEW_MS, durationMs, log, onChange: changed });
  const loop = new SpeakerLoop({
    source: new ClusterObserver(node, watches, durationMs, helper.path),
    drivers: { layer2: layer2Protocol(l2), vip: vipProtocol(vip), bgp: bgpProtocol(bgp) },
    outputs: publisher, lease, log,
  });

  await watches.start();
  await lease.start();
  await loop.start();
  const bgpStatus = publishBgpStatus(bgp, publisher);
  let stopping: Promise<void> | undefined;
  const server = o.metricsPort === undefined ? undefined
    // Healthy while it runs: an API outage is no reason to restart a speaker that keeps serving.
    : await serveSpeakerMetrics(metricsOf(node, l2, bgp, () => !stopping), o.metricsPort, o.metricsHost);

  return {
    metricsPort: server ? (server.address() as AddressInfo).port : undefined,
    replan: () => loop.replan(),
    stop() {
      stopping ??= (async () => {
        clearInterval(bgpStatus);
        await loop.stop();
        await watches.stop();
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

function metricsOf(node: string, l2: Layer2Driver, bgp: BgpDriver, healthy: () => boolean): SpeakerMetricsSource {
  return {
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
