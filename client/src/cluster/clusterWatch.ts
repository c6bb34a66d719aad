// Watches the cluster with the runtime's informers (runtime/src/kube/informer.ts: list + watch,
// in the background, so nothing here ever blocks the editor) and keeps a ClusterSnapshot. After
// an error (API server down or restarted, CRDs missing) each informer starts again with
// exponential backoff, and re-lists when its resourceVersion is gone.
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { shortError, statusCode } from '../../../runtime/src/kube/errors';
import { makeInformer, type Informer, type ListPage } from '../../../runtime/src/kube/informer';
import { emptyObjects, keyOf, WATCHED, type ClusterSnapshot, type ConnectionState, type KObject, type Watched } from './clusterState';

import { GROUP, PLURALS, STORAGE_VERSION as VERSION } from '@openelb/core/api/types';

type ListFn = () => Promise<ListPage<KubernetesObject>>;

export class ClusterWatch {
  private readonly objects = emptyObjects();
  private readonly informers: Informer<KubernetesObject>[] = [];
  private readonly errors = new Map<Watched, unknown>();
  private readonly synced = new Set<Watched>();
  private stopped = false;
  private notifyTimer: NodeJS.Timeout | undefined;

  /**
   * @param onChange called (coalesced, at most every `coalesceMs`) whenever objects or the state change
   */
  constructor(
    private readonly kc: KubeConfig,
    private readonly onChange: (s: ClusterSnapshot) => void,
    private readonly coalesceMs = 50,
  ) {}

  start(): void {
    const core = this.kc.makeApiClient(CoreV1Api);
    const custom = this.kc.makeApiClient(CustomObjectsApi);
    const crd = (plural: string): ListFn => () =>
      custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural }) as Promise<ListPage<KubernetesObject>>;
    const lists: Record<Watched, [string, ListFn]> = {
      eips: [`/apis/${GROUP}/${VERSION}/${PLURALS.Eip}`, crd(PLURALS.Eip)],
      bgpconfs: [`/apis/${GROUP}/${VERSION}/${PLURALS.BgpConf}`, crd(PLURALS.BgpConf)],
      bgppeers: [`/apis/${GROUP}/${VERSION}/${PLURALS.BgpPeer}`, crd(PLURALS.BgpPeer)],
      services: ['/api/v1/services', () => core.listServiceForAllNamespaces() as Promise<ListPage<KubernetesObject>>],
      nodes: ['/api/v1/nodes', () => core.listNode() as Promise<ListPage<KubernetesObject>>],
    };
    for (const kind of WATCHED) this.watch(kind, ...lists[kind]);
    this.notify();
  }

  private watch(kind: Watched, path: string, listFn: ListFn): void {
    const informer = makeInformer(this.kc, path, listFn);
    const put = (o: KubernetesObject) => { this.objects[kind].set(keyOf(o as KObject), o as KObject); this.notify(); };
    informer.on('add', put);
    informer.on('update', put);
    // A re-list reports objects deleted while we were disconnected as deletes too.
    informer.on('delete', (o) => { this.objects[kind].delete(keyOf(o as KObject)); this.notify(); });
    informer.on('connect', () => {
      this.errors.delete(kind);
      this.synced.add(kind);
      this.notify();
    });
    informer.on('error', (err) => { this.errors.set(kind, err); this.notify(); });
    this.informers.push(informer);
    void informer.start();
  }

  /** The connection state derived from the informers' last outcomes. */
  state(): { state: ConnectionState; detail?: string } {
    const eipErr = this.errors.get('eips');
    if (eipErr !== undefined && statusCode(eipErr) === 404) return { state: 'crdsMissing', detail: 'the API server has no network.kubesphere.io/v1alpha2 Eips' };
    for (const [, err] of this.errors) {
      const status = statusCode(err);
      if (status === undefined || status >= 500) return { state: 'unreachable', detail: shortError(err) };
    }
    const other = [...this.errors.entries()].find(([k]) => k !== 'eips');
    if (other) return { state: 'unreachable', detail: `${other[0]}: ${shortError(other[1])}` };
    if (!this.synced.has('eips') || !this.synced.has('services') || !this.synced.has('nodes')) return { state: 'connecting' };
    return { state: 'connected' };
  }

  snapshot(): ClusterSnapshot {
    const { state, detail } = this.state();
    return { state, detail, context: this.kc.getCurrentContext(), objects: this.objects };
  }

  /** Coalesces bursts of events (a re-list of 1,000 objects) into one update. */
  private notify(): void {
    if (this.notifyTimer || this.stopped) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = undefined;
      if (!this.stopped) this.onChange(this.snapshot());
    }, this.coalesceMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    await Promise.all(this.informers.map((i) => i.stop()));
  }
}
