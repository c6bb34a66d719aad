// The speaker's plan (pure): from one snapshot, what each protocol driver should serve and the
// side outputs: the Node annotation to write, the Eip conditions to publish, the problems to log
// (once) and when to plan again. Every node computes the same elections from the same cluster.
import type { Pool } from '@openelb/core/address/pool';
import { bgpPlan, type BgpPlan } from '../node/bgpConfig';
import { nodeInfo, nodeViews, serviceViews } from '../node/clusterView';
import type { WantedAddress } from '../node/layer2Driver';
import type { ApiDecision } from './apiPolicy';
import { bgpRoutes } from './bgpRoutes';
import { desiredState } from './desiredState';
import { eipConditions, type EipCondition } from './eipConditions';
import { layer2Choices, placeOnInterfaces, routeLookup, withUnusable } from './interfaceChoice';
import { liveSet, type LiveSet } from './liveSet';
import { membershipView } from './membershipView';
import { annotationToWrite, interfacesValue } from './nodeAnnotation';
import type { SpeakerSnapshot } from './snapshot';
import { vipInterfaces, vipPools, type VipPlacement } from './vip';

/** Addresses to answer ARP/NDP for, each on its interface. */
export type Layer2Want = readonly WantedAddress[];
/** Host addresses to hold; leftovers inside `pools` are removed. */
export interface VipWant { readonly placements: readonly VipPlacement[]; readonly pools: readonly Pool[] }
/** Sessions from BgpConf/BgpPeers, and the host routes (prefix → next hop) to originate. */
export interface BgpWant { readonly sessions: BgpPlan; readonly routes: ReadonlyMap<string, string> }

export interface SpeakerPlan {
  /** What the plan did about the API server's reachability (apiPolicy.ts). */
  readonly api: ApiDecision;
  /** The live speakers elected among, sorted. */
  readonly live: readonly string[];
  readonly layer2: Layer2Want;
  readonly vip: VipWant;
  readonly bgp: BgpWant;
  /** The Node interfaces annotation to write, if it must be. */
  readonly annotation?: string;
  readonly conditions: readonly EipCondition[];
  /** For the log; the loop writes each one once. */
  readonly problems: readonly string[];
}

/** The live set: gossip membership when it runs, else the Lease sightings. With gossip the API
 * server's reachability does not decide liveness (gossip does; the Leases only in doubt). */
export function liveOf(s: Pick<SpeakerSnapshot, 'node' | 'now' | 'sightings' | 'membership'>): LiveSet {
  if (!s.membership) return liveSet(s.node, s.sightings, s.now);
  const v = membershipView(s.node, s.membership, s.now);
  return { live: v.live, api: { reachable: true, selfLive: v.live.has(s.node) } };
}

export function planSpeaker(s: SpeakerSnapshot): SpeakerPlan {
  const lv = liveOf(s);
  const want = desiredState(s.node, s.eips, serviceViews(s.services, s.slices), nodeViews(s.nodes), lv.live);
  const layer2 = withUnusable(layer2Choices(s), s.drivers.layer2.unusable);
  const vip = withUnusable(vipInterfaces(s.eips, s.nics, routeLookup(s)), s.drivers.vip.unusable);
  const info = nodeInfo(s.self, s.node);
  const sessions = bgpPlan(info, s.bgpConfs, s.bgpPeers);
  const routes = bgpRoutes(want.bgp, info);
  const hostAddresses = Object.values(s.drivers).flatMap((d) => d.hostAddresses);
  return {
    api: lv.api,
    live: [...lv.live].sort(),
    layer2: placeOnInterfaces(want.layer2, layer2),
    vip: { placements: placeOnInterfaces(want.vip, vip), pools: vipPools(s.eips) },
    bgp: { sessions, routes: routes.routes },
    annotation: annotationToWrite(s.self, interfacesValue(s.nics, hostAddresses), s.annotationSent),
    conditions: eipConditions(s.node, new Map([...layer2, ...vip]), s.eipObjects),
    problems: [...sessions.problems, ...routes.problems],
  };
}
