// The speaker's snapshot: one immutable value per plan run holding everything the plan reads,
// so planSpeaker() (speakerPlan.ts) needs no I/O and no clock, and every decision it makes can
// be tested from a value. node/observer.ts gathers the Observation (watched objects, the host,
// the heartbeats seen so far); node/speakerLoop.ts adds what the drivers can do once
// they have readied the interfaces the Observation names, and what was last sent to the Node.
import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import type { BgpConfObject, BgpPeerObject } from '../node/bgpConfig';
import type { EipObj } from '../node/clusterView';
import type { Nic } from '../node/interfaces';
import type { EipView } from './desiredState';
import type { Sightings } from './liveSet';
import type { MembershipObservation } from './membershipView';

export type Protocol = 'layer2' | 'vip' | 'bgp';

export interface Observation {
  /** This node's name. */
  readonly node: string;
  /** When this was observed (our monotonic clock, ms): the plan's only clock. */
  readonly now: number;
  /** This node's Node object (labels, InternalIPs, annotations), if the watch has it. */
  readonly self?: V1Node;
  readonly nodes: readonly V1Node[];
  /** The Eips as watched: their status holds every node's Speaker.<node> condition. */
  readonly eipObjects: readonly EipObj[];
  /** The same Eips as the plan reads them, validated with the shared rules (memoised). */
  readonly eips: readonly EipView[];
  readonly services: readonly V1Service[];
  readonly slices: readonly V1EndpointSlice[];
  /** Every speaker's heartbeat as we saw it change, by our clock: the live set (liveSet.ts). */
  readonly sightings: Sightings;
  /** Gossip membership (membershipView.ts); undefined when gossip is off (no key): the live set
   * then comes from the Lease sightings alone (liveSet.ts). */
  readonly membership?: MembershipObservation;
  readonly bgpConfs: readonly BgpConfObject[];
  readonly bgpPeers: readonly BgpPeerObject[];
  /** This host's interfaces (loopback left out). */
  readonly nics: readonly Nic[];
  /** Every can_reach: address of a served layer2/vip Eip → the device of the route to it
   * (undefined: no route, or no helper to ask). */
  readonly routes: ReadonlyMap<string, string | undefined>;
}

/** An interface a driver cannot serve on, as a Choice error (with the condition reason). */
export interface Unusable { readonly error: string; readonly reason: string }

/** What a driver can do after ensure(): the plan reports and elects from it. */
export interface DriverState {
  /** Interface → why this driver cannot serve on it (the node then reports False and is not elected). */
  readonly unusable: ReadonlyMap<string, Unusable>;
  /** Addresses this driver put on the host's interfaces (kept out of the Node annotation). */
  readonly hostAddresses: readonly string[];
}

export interface SpeakerSnapshot extends Observation {
  readonly drivers: { readonly [P in Protocol]: DriverState };
  /** The interfaces annotation last sent to the Node; undefined when none or the write failed. */
  readonly annotationSent?: string;
}
