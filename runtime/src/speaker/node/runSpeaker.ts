// Entry point of `openelb speaker`: watches the cluster, holds this node's liveness Lease and,
// on every relevant change, plans with desiredState() and applies the difference to the layer2
// announcers, the vip addresses and the BGP sessions.
//
//   const s = await runSpeaker({ kubeconfig, node: 'node1', metricsPort: 0 });
//   ...
//   await s.stop();   // releases the Lease first, so another node takes over at once
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { parseIp } from '../../../../server/src/core/address/ip';
import { LAYER2_NODE_ANNOTATION, NODE_INTERFACES_ANNOTATION, OPENELB_NAMESPACE } from '../../../../server/src/core/api/annotations';
import { describeError, loadKubeConfig } from '../../kube/client';
import { desiredState } from '../plan/desiredState';
import { interfaceNames, placeVips, vipInterfaces, vipPools, withoutVips } from '../plan/vip';
import { BgpDriver } from './bgpDriver';
import { bgpPlan, nodeAddress } from './bgpConfig';
import { EipValidity, eipViews, nodeInfo, nodeViews, serviceViews } from './clusterView';
import { readNics, routeDevice } from './hostNet';
import { chooseInterface, interfacesAnnotation, type Choice } from './interfaces';
import { KubeWrites } from './kubeWrites';
import { Layer2Driver } from './layer2Driver';
import { unpackShippedHelper } from '../layer2/helperPath';
import { liveSpeakers } from './liveness';
import { serveSpeakerMetrics } from './metrics';
import { SpeakerLease } from './speakerLease';
import { StatusPublisher } from './statusPublisher';
import { VipDriver } from './vipDriver';
import { Watches, type WatchKind } from './watches';

/** Liveness Lease timing. A crashed speaker's addresses move after at most the duration (so a
 * kill fails over in under a second), and a renewal may be late by two periods before the node
 * counts as gone; each node renews 4 times a second (tune for big clusters). */
export const DEFAULT_RENEW_MS = 250;
export const DEFAULT_LEASE_MS = 800;

export interface SpeakerOptions {
  kubeconfig?: string;
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

/** Full re-plan at least this often (interfaces may change without any API event). */
const RESYNC_MS = 10_000;

export async function runSpeaker(o: SpeakerOptions): Promise<SpeakerHandle> {
  if (!o.node) throw new Error('the node name is required (--node or $NODE_NAME)');
  const node = o.node;
  const log = o.log ?? ((m: string) => process.stderr.write(`${new Date().toISOString()} openelb-speaker[${node}]: ${m}\n`));
  const kc = loadKubeConfig(o.kubeconfig);
  const namespace = o.namespace ?? OPENELB_NAMESPACE;
  const writes = new KubeWrites(kc, node);
  const publisher = new StatusPublisher(writes, node, log);
  const validity = new EipValidity();
  const bgp = new BgpDriver(log);
  let stopped = false;

  // Plans run one at a time; a change during a plan asks for one more.
  let running: Promise<void> | undefined;
  let again = false;
  const schedule = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) { again = true; return running; }
    running = (async () => {
      do {
        again = false;
        try { await plan(); } catch (e) { log(`plan failed: ${describeError(e)}`); }
      } while (again && !stopped);
    })().finally(() => { running = undefined; });
    return running;
  };

  const helper = prepareHelper(o.helperPath, log);
  const l2 = new Layer2Driver(log, () => void schedule(), helper.path, helper.problem);
  const vip = new VipDriver(log, () => void schedule(), helper.path, helper.problem);
  let lastLive = '';
  const onChange = (kind: WatchKind): void => {
    // Lease renewals are frequent: re-plan only when the set of live speakers changed.
    if (kind === 'leases' && liveKey() === lastLive) return;
    void schedule();
  };
  const watches = new Watches(kc, namespace, onChange, log);
  const lease = new SpeakerLease(kc, {
    namespace, node, renewMs: o.leaseRenewMs ?? DEFAULT_RENEW_MS, durationMs: o.leaseDurationMs ?? DEFAULT_LEASE_MS, log, onChange: () => void schedule(),
  });
  const liveness = () => {
    const lv = liveSpeakers(watches.leases.list(), Date.now());
    // Our own liveness is what we know of our renewals, not what the watch shows.
    if (lease.healthy()) lv.live.add(node); else lv.live.delete(node);
    return lv;
  };
  const liveKey = () => [...liveness().live].sort().join(',');

  const routeCache = new Map<string, [string | undefined, number]>();
  const cachedRoute = (ip: string): string | undefined => {
    const hit = routeCache.get(ip);
    if (hit && hit[1] > Date.now()) return hit[0];
    const dev = routeDevice(ip, helper.path);
    routeCache.set(ip, [dev, Date.now() + 5000]);
    return dev;
  };
  let annotationWritten: string | undefined;
  let expiryTimer: NodeJS.Timeout | undefined;
  const problemsLogged = new Set<string>();

  async function plan(): Promise<void> {
    const nics = readNics();
    const self = watches.nodes.get(node);
    // Without the vip addresses this node holds: they move at every failover.
    const annotation = interfacesAnnotation(withoutVips(nics, vip.holdings().keys()));
    if (self && self.metadata?.annotations?.[NODE_INTERFACES_ANNOTATION] !== annotation && annotationWritten !== annotation) {
      annotationWritten = annotation;
      writes.setInterfacesAnnotation(annotation).catch((e: unknown) => { annotationWritten = undefined; log(`cannot annotate Node ${node}: ${describeError(e)}`); });
    }
    const lv = liveness();
    lastLive = [...lv.live].sort().join(',');
    if (expiryTimer) clearTimeout(expiryTimer);
    if (lv.nextExpiry !== undefined) expiryTimer = setTimeout(() => void schedule(), Math.max(0, lv.nextExpiry - Date.now()) + 20);

    const eipObjects = watches.eips.list();
    const views = eipViews(eipObjects, validity);
    const want = desiredState(node, views, serviceViews(watches.services.list(), watches.slices.list()), nodeViews(watches.nodes.list()), lv.live);

    // Layer2: the interface of every usable layer2 Eip (opened ahead, for a fast takeover).
    const layer2Address = self?.metadata?.annotations?.[LAYER2_NODE_ANNOTATION];
    const choices = new Map<string, Choice>();
    for (const v of views) {
      if (v.protocol !== 'layer2' || !v.valid || !v.interface || !v.pool) continue;
      choices.set(v.name, chooseInterface(v.interface, v.pool, nics, cachedRoute, layer2Address));
    }
    const ifnames = new Set([...choices.values()].flatMap((c) => ('ifname' in c ? [c.ifname] : [])));
    await l2.ensure(ifnames);
    if (stopped) return;
    // An interface whose helper did not open counts as unusable: reported False, not elected.
    const usable = l2.usable(choices);
    const wanted = want.layer2.flatMap((a) => {
      const c = usable.get(a.eip);
      return c && 'ifname' in c ? [{ ip: a.ip, ifname: c.ifname }] : [];
    });
    const l2Change = l2.apply(wanted);
    for (const ip of l2Change.announced) log(`layer2: announcing ${ip} on ${l2.announcedAddresses().get(ip)}`);
    for (const ip of l2Change.withdrawn) log(`layer2: withdrew ${ip}`);

    // Vip: the elected node holds each address on the Eip's interface (netlink via the helper).
    const vipChoices = vipInterfaces(views, nics, cachedRoute);
    await vip.ensure(interfaceNames(vipChoices));
    if (stopped) return;
    const vipChange = await vip.apply(placeVips(want.vip, vip.usable(vipChoices)), vipPools(views));
    for (const p of vipChange.add) log(`vip: holding ${p.ip} on ${p.ifname}`);
    for (const p of vipChange.remove) log(`vip: released ${p.ip} from ${p.ifname}`);

    // BGP: sessions from BgpConf/BgpPeers, host routes with this node's address as next hop.
    const info = nodeInfo(self, node);
    const bp = bgpPlan(info, watches.confs.list(), watches.peers.list());
    for (const p of bp.problems) if (!problemsLogged.has(p)) { problemsLogged.add(p); log(p); }
    await bgp.configure(bp);
    const routes = new Map<string, string>();
    for (const r of want.bgp) {
      const nh = nodeAddress(info, parseIp(r.ip)!.family);
      if (nh) routes.set(r.prefix, nh);
      else if (!problemsLogged.has(r.prefix)) { problemsLogged.add(r.prefix); log(`bgp: no InternalIP of ${r.ip}'s family on this node; not announcing ${r.prefix}`); }
    }
    const bgpChange = bgp.apply(routes);
    for (const p of bgpChange.announced) log(`bgp: announcing ${p} via ${routes.get(p)}`);
    for (const p of bgpChange.withdrawn) log(`bgp: withdrew ${p}`);

    publisher.eips(new Map([...usable, ...vip.usable(vipChoices)]), eipObjects);
  }

  await watches.start();
  await lease.start();
  await schedule();
  const resync = setInterval(() => void schedule(), RESYNC_MS);
  const publish = setInterval(() => {
    const g = bgp.config;
    void publisher.bgp(bgp.status(), g ? { as: g.localAs, routerId: g.routerId } : undefined);
  }, 1000);

  let server: Server | undefined;
  if (o.metricsPort !== undefined) {
    server = await serveSpeakerMetrics({
      node,
      layer2: () => l2.counters(),
      layer2Announced: () => l2.announcedAddresses().size,
      bgpPeers: () => bgp.status(),
      bgpRoutes: () => bgp.routesAnnounced().size,
      healthy: () => !stopped && lease.healthy(),
    }, o.metricsPort, o.metricsHost);
  }

  let stopping: Promise<void> | undefined;
  return {
    metricsPort: server ? (server.address() as AddressInfo).port : undefined,
    replan: async () => { await running; await schedule(); },
    stop() {
      stopping ??= (async () => {
        stopped = true;
        clearInterval(resync);
        clearInterval(publish);
        if (expiryTimer) clearTimeout(expiryTimer);
        // Hand over first: the others see the Lease go and announce, then we fall silent.
        await lease.release();
        await running?.catch(() => undefined);
        await vip.stop();
        await watches.stop();
        await l2.stop();
        await bgp.stop();
        await publisher.bgp([], undefined).catch(() => undefined);
        await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      })();
      return stopping;
    },
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
