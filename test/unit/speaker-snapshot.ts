// Snapshots for the speaker's plan tests (no I/O): three Ready nodes n1..n3 seen renewing,
// each with eth0 192.168.0.0/24 + fd00:1::/64 and eth1 10.1.0.0/16, InternalIPs 10.0.0.N and
// fd00::N; objects are built as the watches would show them.
import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import { EipValidity, eipViews, type EipObj } from '../../runtime/src/speaker/node/clusterView';
import { nicsFrom, type Nic } from '../../runtime/src/speaker/node/interfaces';
import { LEASE_DURATION_MS_ANNOTATION, type LeaseLike } from '../../runtime/src/speaker/node/liveness';
import { emptySightings, recordHeartbeats, type Heartbeat, type Sightings } from '../../runtime/src/speaker/plan/liveSet';
import type { DriverState, SpeakerSnapshot } from '../../runtime/src/speaker/plan/snapshot';

export const NODES = ['n1', 'n2', 'n3'];
export const NOW = 1_700_000_000_000;
export const LEASE_MS = 800;
export const NO_TROUBLE: DriverState = { unusable: new Map(), hostAddresses: [] };

const index = (name: string) => NODES.indexOf(name) + 1;

export function node(name: string, o: { ready?: boolean; ips?: string[]; labels?: Record<string, string>; annotations?: Record<string, string> } = {}): V1Node {
  const ips = o.ips ?? [`10.0.0.${index(name)}`, `fd00::${index(name)}`];
  return {
    metadata: { name, labels: o.labels ?? {}, annotations: o.annotations },
    status: {
      addresses: ips.map((address) => ({ type: 'InternalIP', address })),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  } as V1Node;
}

export function eip(name: string, spec: Record<string, unknown>, conditions: object[] = []): EipObj {
  return { apiVersion: 'network.kubesphere.io/v1alpha2', kind: 'Eip', metadata: { name, resourceVersion: '1', uid: `uid-${name}` }, spec, status: { conditions } };
}

/** Speaker.<node>=False, as a node that cannot serve the Eip writes it. */
export const unable = (n: string, reason = 'Layer2OpenFailed') => ({ type: `Speaker.${n}`, status: 'False', reason, message: 'cannot' });

export function service(name: string, ip: string, policy: 'Cluster' | 'Local' = 'Cluster'): V1Service {
  return {
    metadata: { name, namespace: 'ns', annotations: { 'lb.kubesphere.io/v1alpha1': 'openelb' } },
    spec: { type: 'LoadBalancer', externalTrafficPolicy: policy },
    status: { loadBalancer: { ingress: [{ ip }] } },
  };
}

/** An EndpointSlice of ns/<svc> with one endpoint per node (ready unless listed in `notReady`). */
export function slice(svc: string, nodes: string[], notReady: string[] = []): V1EndpointSlice {
  return {
    addressType: 'IPv4',
    metadata: { name: `${svc}-x`, namespace: 'ns', labels: { 'kubernetes.io/service-name': svc } },
    endpoints: [...nodes, ...notReady].map((n, i) => ({ addresses: [`10.244.0.${i + 1}`], nodeName: n, conditions: { ready: !notReady.includes(n) } })),
  };
}

/** A speaker Lease as written by its node at `renewTime` (ms since epoch, by ITS clock). */
export function lease(n: string, renewTime = NOW - 100): LeaseLike {
  return {
    metadata: { name: `openelb-speaker-${n}`, annotations: { [LEASE_DURATION_MS_ANNOTATION]: String(LEASE_MS) } },
    spec: { holderIdentity: n, renewTime: new Date(renewTime), leaseDurationSeconds: 1 },
  };
}

/** A heartbeat of node `n`, its renewal number `k`. */
export const beat = (n: string, k = 0): Heartbeat => ({ node: n, stamp: `${n}#${k}`, durationMs: LEASE_MS });

/**
 * What a node has seen by NOW: every node of `live` and `lapsed` renewing since NOW - 2 s,
 * those of `lapsed` silent since NOW - 1.3 s while the others renewed (so they lapsed).
 */
export function sightingsOf(live: readonly string[] = NODES, lapsed: readonly string[] = []): Sightings {
  let s = recordHeartbeats(emptySightings(LEASE_MS), [...live, ...lapsed].map((n) => beat(n)), NOW - 2000);
  for (let t = NOW - 1900, k = 1; t <= NOW - 100; t += 200, k++) {
    s = recordHeartbeats(s, [...live.map((n) => beat(n, k)), ...lapsed.map((n) => beat(n, Math.min(k, 4)))], t);
  }
  return s;
}

export function hostNics(n: string): Nic[] {
  const i = index(n);
  return nicsFrom({
    eth0: [{ address: `192.168.0.${i + 4}`, cidr: `192.168.0.${i + 4}/24`, mac: `02:00:00:00:00:0${i}`, internal: false },
      { address: `fd00:1::${i + 4}`, cidr: `fd00:1::${i + 4}/64`, mac: `02:00:00:00:00:0${i}`, internal: false }],
    eth1: [{ address: `10.1.0.${i + 4}`, cidr: `10.1.0.${i + 4}/16`, mac: `02:00:00:00:01:0${i}`, internal: false }],
  });
}

export interface SnapshotParts {
  nodes?: V1Node[];
  eips?: EipObj[];
  services?: V1Service[];
  slices?: V1EndpointSlice[];
  /** Default: sightingsOf() (every node live, heartbeats seen up to NOW - 100). */
  sightings?: Sightings;
  bgpConfs?: SpeakerSnapshot['bgpConfs'];
  bgpPeers?: SpeakerSnapshot['bgpPeers'];
  nics?: Nic[];
  routes?: Record<string, string | undefined>;
  drivers?: Partial<SpeakerSnapshot['drivers']>;
  annotationSent?: string;
  now?: number;
}

/** What node `self` would see at NOW (every part overridable). */
export function snapshot(self: string, p: SnapshotParts = {}): SpeakerSnapshot {
  const nodes = p.nodes ?? NODES.map((n) => node(n));
  const eipObjects = p.eips ?? [];
  return {
    node: self,
    now: p.now ?? NOW,
    self: nodes.find((n) => n.metadata?.name === self),
    nodes,
    eipObjects,
    eips: eipViews(eipObjects, new EipValidity()),
    services: p.services ?? [],
    slices: p.slices ?? [],
    sightings: p.sightings ?? sightingsOf(),
    bgpConfs: p.bgpConfs ?? [],
    bgpPeers: p.bgpPeers ?? [],
    nics: p.nics ?? hostNics(self),
    routes: new Map(Object.entries(p.routes ?? {})),
    drivers: { layer2: NO_TROUBLE, vip: NO_TROUBLE, bgp: NO_TROUBLE, ...p.drivers },
    annotationSent: p.annotationSent,
  };
}
