// Watches the cluster with client-node informers (list + watch, in the background: nothing here
// ever blocks the editor) and keeps a ClusterSnapshot. After an error (API server down or
// restarted, CRDs missing) each informer starts again with exponential backoff.
import {
  CoreV1Api, CustomObjectsApi, makeInformer,
  type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject,
} from '@kubernetes/client-node';
import { Backoff } from './backoff';
import { emptyObjects, keyOf, WATCHED, type ClusterSnapshot, type ConnectionState, type KObject, type Watched } from './clusterState';

import { GROUP, PLURALS, STORAGE_VERSION as VERSION } from '../../../server/src/core/api/types';

type ListFn = () => Promise<KubernetesListObject<KubernetesObject>>;

/** The HTTP status of a client-node error, if it has one. */
function httpStatus(e: unknown): number | undefined {
  const x = e as { code?: unknown; statusCode?: unknown } | undefined;
  if (typeof x?.code === 'number') return x.code;
  if (typeof x?.statusCode === 'number') return x.statusCode;
  return undefined;
}

/** A short message for an error, without request details (which could carry tokens). */
function shortError(e: unknown): string {
  const status = httpStatus(e);
  const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
  return status ? `HTTP ${status}` : msg.slice(0, 200);
}

export class ClusterWatch {
  private readonly objects = emptyObjects();
  private readonly informers: Informer<KubernetesObject>[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
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
      custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural }) as Promise<KubernetesListObject<KubernetesObject>>;
    const lists: Record<Watched, [string, ListFn]> = {
      eips: [`/apis/${GROUP}/${VERSION}/${PLURALS.Eip}`, crd(PLURALS.Eip)],
      bgpconfs: [`/apis/${GROUP}/${VERSION}/${PLURALS.BgpConf}`, crd(PLURALS.BgpConf)],
      bgppeers: [`/apis/${GROUP}/${VERSION}/${PLURALS.BgpPeer}`, crd(PLURALS.BgpPeer)],
      services: ['/api/v1/services', () => core.listServiceForAllNamespaces() as Promise<KubernetesListObject<KubernetesObject>>],
      nodes: ['/api/v1/nodes', () => core.listNode() as Promise<KubernetesListObject<KubernetesObject>>],
    };
    for (const kind of WATCHED) this.watch(kind, ...lists[kind]);
    this.notify();
  }

  private watch(kind: Watched, path: string, listFn: ListFn): void {
    const backoff = new Backoff();
    const informer = makeInformer(this.kc, path, async () => {
      const list = await listFn();
      // A successful list: this kind is healthy again.
      this.errors.delete(kind);
      this.synced.add(kind);
      backoff.reset();
      // Replace the cache with the list (the informer reports adds/updates, not vanished objects
      // that were deleted while we were disconnected, before the deletes below).
      this.objects[kind].clear();
      for (const o of list.items) this.objects[kind].set(keyOf(o as KObject), o as KObject);
      this.notify();
      return list;
    });
    const put = (o: KubernetesObject) => { this.objects[kind].set(keyOf(o as KObject), o as KObject); this.notify(); };
    informer.on('add', put);
    informer.on('update', put);
    informer.on('delete', (o) => { this.objects[kind].delete(keyOf(o as KObject)); this.notify(); });
    informer.on('error', (err) => {
      this.errors.set(kind, err);
      this.notify();
      if (this.stopped) return;
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (!this.stopped) informer.start().catch((e) => { this.errors.set(kind, e); this.notify(); });
      }, backoff.next());
      this.timers.add(t);
    });
    this.informers.push(informer);
    informer.start().catch((e) => { this.errors.set(kind, e); this.notify(); });
  }

  /** The connection state derived from the informers' last outcomes. */
  state(): { state: ConnectionState; detail?: string } {
    const eipErr = this.errors.get('eips');
    if (eipErr !== undefined && httpStatus(eipErr) === 404) return { state: 'crdsMissing', detail: 'the API server has no network.kubesphere.io/v1alpha2 Eips' };
    for (const [, err] of this.errors) {
      const status = httpStatus(err);
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
    for (const t of this.timers) clearTimeout(t);
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    await Promise.all(this.informers.map((i) => i.stop().catch(() => undefined)));
  }
}
