// The speaker's informers (I/O): Eips, Services, EndpointSlices, Nodes, BgpConfs, BgpPeers, the
// pods of the speaker namespace (who runs a speaker: the gossip members) and the Leases there.
// With gossip on, the Lease watch runs only while this node is in doubt (leasesOn/leasesOff),
// each time a fresh list, so a renewal made before doubt never looks like a new one. Every
// add/update/delete calls onChange(kind). Reconnecting (backoff, re-list after 410 Gone, API
// server restarts) is the shared informer's (kube/informer).
import {
  CoordinationV1Api, CoreV1Api, CustomObjectsApi, DiscoveryV1Api,
  type KubeConfig, type KubernetesObject, type V1EndpointSlice, type V1Lease, type V1Node, type V1Pod, type V1Service,
} from '@kubernetes/client-node';
import { describeError } from '../../kube/errors';
import { makeInformer, type Informer, type InformerOptions, type ListPage } from '../../kube/informer';
import type { BgpConfObject, BgpPeerObject } from './bgpConfig';
import type { EipObj } from './clusterView';
import { GROUP, VERSION } from './kubeWrites';

export type WatchKind = 'eips' | 'services' | 'endpointslices' | 'nodes' | 'bgpconfs' | 'bgppeers' | 'leases' | 'pods' | 'gossip';

/** Retries soon: a speaker with stale objects may announce from an old plan (cap 2 s). */
const RETRY: InformerOptions = { backoff: { baseMs: 250, maxMs: 2000 } };

export class Watches {
  readonly eips: Informer<EipObj & KubernetesObject>;
  readonly services: Informer<V1Service>;
  readonly slices: Informer<V1EndpointSlice>;
  readonly nodes: Informer<V1Node>;
  readonly confs: Informer<BgpConfObject & KubernetesObject>;
  readonly peers: Informer<BgpPeerObject & KubernetesObject>;
  readonly pods: Informer<V1Pod>;
  private leaseInformer?: Informer<V1Lease>;
  private leasesWanted = false;
  private stopped = false;
  private readonly informers: Informer<KubernetesObject>[];
  private readonly makeLeases: () => Informer<V1Lease>;

  /** `leasesAlways`: watch the Leases from start() on (gossip off); else only between leasesOn/Off. */
  constructor(kc: KubeConfig, namespace: string, private readonly onChange: (kind: WatchKind) => void, private readonly log: (m: string) => void,
    private readonly leasesAlways = true) {
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
    this.pods = informer(`/api/v1/namespaces/${namespace}/pods`, () => core.listNamespacedPod({ namespace }));
    this.makeLeases = () => this.hook('leases', informer(`/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`,
      () => coord.listNamespacedLease({ namespace })));
    const all: [WatchKind, Informer<KubernetesObject>][] = [
      ['eips', this.eips], ['services', this.services], ['endpointslices', this.slices], ['nodes', this.nodes],
      ['bgpconfs', this.confs], ['bgppeers', this.peers],
    ];
    if (!leasesAlways) all.push(['pods', this.pods]);
    for (const [kind, inf] of all) this.hook(kind, inf);
    this.informers = all.map(([, i]) => i);
  }

  private hook<T extends KubernetesObject>(kind: WatchKind, inf: Informer<T>): Informer<T> {
    for (const verb of ['add', 'update', 'delete'] as const) inf.on(verb, () => this.onChange(kind));
    inf.on('error', (err, retryInMs) => {
      if (!this.stopped) this.log(`watch ${kind}: ${describeError(err)}; retrying in ${(retryInMs / 1000).toFixed(1)} s`);
    });
    return inf;
  }

  /** The speaker Leases as last listed/watched (empty while not watched). */
  leases(): V1Lease[] { return this.leaseInformer?.list() ?? []; }

  /** The Lease watch has listed since it was last turned on. */
  get leasesListed(): boolean { return this.leaseInformer?.synced ?? false; }

  /** Starts a fresh Lease watch (a new list); resolves after its first list attempt. */
  async leasesOn(): Promise<void> {
    if (this.leasesWanted || this.stopped) return;
    this.leasesWanted = true;
    this.leaseInformer = this.makeLeases();
    await this.leaseInformer.start();
    this.onChange('leases');
  }

  /** Stops the Lease watch and forgets what it held. */
  async leasesOff(): Promise<void> {
    if (!this.leasesWanted) return;
    this.leasesWanted = false;
    const inf = this.leaseInformer;
    this.leaseInformer = undefined;
    await inf?.stop();
  }

  /** Starts every informer and waits for their first lists. */
  async start(): Promise<void> {
    await Promise.all([...this.informers.map((i) => i.start()), this.leasesAlways ? this.leasesOn() : Promise.resolve()]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.informers.map((i) => i.stop()), this.leaseInformer?.stop()]);
  }
}
