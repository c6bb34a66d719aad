// The speaker's informers (I/O): Eips, Services, EndpointSlices, Nodes, BgpConfs, BgpPeers and
// the Leases in the speaker namespace. Every add/update/delete calls onChange(kind); a watch
// that fails is started again after a pause.
import {
  CoordinationV1Api, CoreV1Api, CustomObjectsApi, DiscoveryV1Api, makeInformer,
  type Informer, type KubeConfig, type KubernetesObject, type ObjectCache,
  type V1EndpointSlice, type V1Lease, type V1Node, type V1Service,
} from '@kubernetes/client-node';
import { describeError } from '../../kube/client';
import type { BgpConfObject, BgpPeerObject } from './bgpConfig';
import type { EipObj } from './clusterView';
import { GROUP, VERSION } from './kubeWrites';

type Cache<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;
export type WatchKind = 'eips' | 'services' | 'endpointslices' | 'nodes' | 'bgpconfs' | 'bgppeers' | 'leases';

export class Watches {
  readonly eips: Cache<EipObj & KubernetesObject>;
  readonly services: Cache<V1Service>;
  readonly slices: Cache<V1EndpointSlice>;
  readonly nodes: Cache<V1Node>;
  readonly confs: Cache<BgpConfObject & KubernetesObject>;
  readonly peers: Cache<BgpPeerObject & KubernetesObject>;
  readonly leases: Cache<V1Lease>;
  private stopped = false;
  private readonly informers: Cache<KubernetesObject>[];

  constructor(kc: KubeConfig, namespace: string, onChange: (kind: WatchKind) => void, log: (m: string) => void) {
    const core = kc.makeApiClient(CoreV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const disc = kc.makeApiClient(DiscoveryV1Api);
    const coord = kc.makeApiClient(CoordinationV1Api);
    const crd = (plural: string) => makeInformer(kc, `/apis/${GROUP}/${VERSION}/${plural}`,
      () => custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural }) as never);
    this.eips = crd('eips');
    this.confs = crd('bgpconfs');
    this.peers = crd('bgppeers');
    this.services = makeInformer(kc, '/api/v1/services', () => core.listServiceForAllNamespaces());
    this.slices = makeInformer(kc, '/apis/discovery.k8s.io/v1/endpointslices', () => disc.listEndpointSliceForAllNamespaces());
    this.nodes = makeInformer(kc, '/api/v1/nodes', () => core.listNode());
    this.leases = makeInformer(kc, `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`,
      () => coord.listNamespacedLease({ namespace }));
    const all: [WatchKind, Cache<KubernetesObject>][] = [
      ['eips', this.eips], ['services', this.services], ['endpointslices', this.slices], ['nodes', this.nodes],
      ['bgpconfs', this.confs], ['bgppeers', this.peers], ['leases', this.leases],
    ];
    for (const [kind, inf] of all) {
      for (const verb of ['add', 'update', 'delete'] as const) inf.on(verb, () => onChange(kind));
      inf.on('error', (err: unknown) => {
        if (this.stopped) return;
        log(`watch ${kind}: ${describeError(err)}; restarting it`);
        setTimeout(() => { if (!this.stopped) void inf.start().catch(() => undefined); }, 1000);
      });
    }
    this.informers = all.map(([, i]) => i);
  }

  /** Starts every informer and waits for their first lists. */
  async start(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.start()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.informers.map((i) => i.stop().catch(() => undefined)));
  }
}
