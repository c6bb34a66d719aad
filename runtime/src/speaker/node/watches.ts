// The speaker's informers (I/O): Eips, Services, EndpointSlices, Nodes, BgpConfs, BgpPeers and
// the Leases in the speaker namespace. Every add/update/delete calls onChange(kind). Reconnecting
// (backoff, re-list after 410 Gone, API server restarts) is the shared informer's (kube/informer).
import {
  CoordinationV1Api, CoreV1Api, CustomObjectsApi, DiscoveryV1Api,
  type KubeConfig, type KubernetesObject, type V1EndpointSlice, type V1Lease, type V1Node, type V1Service,
} from '@kubernetes/client-node';
import { describeError } from '../../kube/errors';
import { makeInformer, type Informer, type InformerOptions, type ListPage } from '../../kube/informer';
import type { BgpConfObject, BgpPeerObject } from './bgpConfig';
import type { EipObj } from './clusterView';
import { GROUP, VERSION } from './kubeWrites';

export type WatchKind = 'eips' | 'services' | 'endpointslices' | 'nodes' | 'bgpconfs' | 'bgppeers' | 'leases';

/** Retries soon: a speaker with stale objects may announce from an old plan (cap 2 s). */
const RETRY: InformerOptions = { backoff: { baseMs: 250, maxMs: 2000 } };

export class Watches {
  readonly eips: Informer<EipObj & KubernetesObject>;
  readonly services: Informer<V1Service>;
  readonly slices: Informer<V1EndpointSlice>;
  readonly nodes: Informer<V1Node>;
  readonly confs: Informer<BgpConfObject & KubernetesObject>;
  readonly peers: Informer<BgpPeerObject & KubernetesObject>;
  readonly leases: Informer<V1Lease>;
  private stopped = false;
  private readonly informers: Informer<KubernetesObject>[];

  constructor(kc: KubeConfig, namespace: string, onChange: (kind: WatchKind) => void, log: (m: string) => void) {
    const core = kc.makeApiClient(CoreV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const disc = kc.makeApiClient(DiscoveryV1Api);
    const coord = kc.makeApiClient(CoordinationV1Api);
    const informer = <T extends KubernetesObject>(path: string, list: () => Promise<unknown>) =>
      makeInformer<T>(kc, path, list as () => Promise<ListPage<T>>, RETRY);
    const crd = <T extends KubernetesObject>(plural: string) => informer<T>(`/apis/${GROUP}/${VERSION}/${plural}`,
      () => custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural }));
    this.eips = crd('eips');
    this.confs = crd('bgpconfs');
    this.peers = crd('bgppeers');
    this.services = informer('/api/v1/services', () => core.listServiceForAllNamespaces());
    this.slices = informer('/apis/discovery.k8s.io/v1/endpointslices', () => disc.listEndpointSliceForAllNamespaces());
    this.nodes = informer('/api/v1/nodes', () => core.listNode());
    this.leases = informer(`/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`,
      () => coord.listNamespacedLease({ namespace }));
    const all: [WatchKind, Informer<KubernetesObject>][] = [
      ['eips', this.eips], ['services', this.services], ['endpointslices', this.slices], ['nodes', this.nodes],
      ['bgpconfs', this.confs], ['bgppeers', this.peers], ['leases', this.leases],
    ];
    for (const [kind, inf] of all) {
      for (const verb of ['add', 'update', 'delete'] as const) inf.on(verb, () => onChange(kind));
      inf.on('error', (err, retryInMs) => {
        if (!this.stopped) log(`watch ${kind}: ${describeError(err)}; retrying in ${(retryInMs / 1000).toFixed(1)} s`);
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
    await Promise.all(this.informers.map((i) => i.stop()));
  }
}
