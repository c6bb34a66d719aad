// The controller's I/O (io.ts) on a real API server: informers for the watches, plain-JSON
// requests (../kube/rest) for the hot writes, typed clients for the rest.
import {
  CoordinationV1Api, CoreV1Api, CustomObjectsApi,
  type CoreV1Event, type KubeConfig, type KubernetesListObject, type KubernetesObject, type V1Lease, type V1Service,
} from '@kubernetes/client-node';
import type { EipObject } from '../allocator';
import { describeError } from '../kube/client';
import { makeInformer, type InformerOptions } from '../kube/informer';
import { METADATA_ONLY, restCall } from '../kube/rest';
import { FIELD_MANAGER } from '../ops/names';
import { GROUP, PLURALS, STORAGE_VERSION } from '@openelb/core/api/types';
import type { ConfigMapObject, ControllerIo, Watched } from './io';

export { GROUP };
export const EIP_VERSION = STORAGE_VERSION;
export const EIP_PLURAL = PLURALS.Eip;
const EIPS_PATH = `/apis/${GROUP}/${EIP_VERSION}/${EIP_PLURAL}`;

/** A failed watch is started again after 0.25 s, doubling up to 2 s (../kube/informer). */
const WATCH_RETRY: InformerOptions = { backoff: { baseMs: 250, maxMs: 2000 } };

export class RestControllerIo implements ControllerIo {
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly leases: CoordinationV1Api;

  constructor(private readonly kc: KubeConfig, private readonly log: (msg: string) => void) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.leases = kc.makeApiClient(CoordinationV1Api);
  }

  services(): Watched<V1Service> {
    return this.informer('/api/v1/services', () => this.core.listServiceForAllNamespaces());
  }

  eips(): Watched<EipObject> {
    return this.informer(EIPS_PATH, () => this.listEipPage() as Promise<KubernetesListObject<EipObject & KubernetesObject>>);
  }

  namespaces() {
    return this.informer('/api/v1/namespaces', () => this.core.listNamespace());
  }

  async listEips(): Promise<EipObject[]> {
    return (await this.listEipPage()).items;
  }

  private listEipPage(): Promise<{ items: EipObject[]; metadata?: { resourceVersion?: string } }> {
    return this.custom.listClusterCustomObject({ group: GROUP, version: EIP_VERSION, plural: EIP_PLURAL }) as Promise<{ items: EipObject[] }>;
  }

  getEip(name: string): Promise<EipObject> {
    return this.custom.getClusterCustomObject({ group: GROUP, version: EIP_VERSION, plural: EIP_PLURAL, name }) as Promise<EipObject>;
  }

  /** The API server's work for this write grows with status.used (see ARCHITECTURE's journal). */
  replaceEipStatus(eip: EipObject): Promise<EipObject> {
    return this.put(`${EIPS_PATH}/${encodeURIComponent(eip.metadata?.name ?? '')}/status`, eip);
  }

  async setEipFinalizers(name: string, finalizers: string[], resourceVersion: string | undefined): Promise<void> {
    await restCall(this.kc, 'PATCH', `${EIPS_PATH}/${encodeURIComponent(name)}`, {
      body: { metadata: { finalizers, resourceVersion } },
      contentType: 'application/merge-patch+json', query: { fieldManager: FIELD_MANAGER }, accept: METADATA_ONLY,
    });
  }

  getService(namespace: string, name: string): Promise<V1Service> {
    return this.core.readNamespacedService({ namespace, name });
  }

  replaceService(svc: V1Service): Promise<V1Service> {
    return this.put(servicePath(svc), svc);
  }

  replaceServiceStatus(svc: V1Service): Promise<V1Service> {
    return this.put(`${servicePath(svc)}/status`, svc);
  }

  getConfigMap(namespace: string, name: string): Promise<ConfigMapObject> {
    return restCall(this.kc, 'GET', `${configMapsPath(namespace)}/${encodeURIComponent(name)}`) as Promise<ConfigMapObject>;
  }

  writeConfigMap(cm: ConfigMapObject): Promise<ConfigMapObject> {
    const base = configMapsPath(cm.metadata.namespace ?? '');
    if (cm.metadata.resourceVersion) return this.put(`${base}/${encodeURIComponent(cm.metadata.name ?? '')}`, cm);
    return this.send('POST', base, cm);
  }

  async createEvent(namespace: string, event: CoreV1Event): Promise<void> {
    await this.core.createNamespacedEvent({ namespace, body: event });
  }

  getLease(namespace: string, name: string): Promise<V1Lease> {
    return this.leases.readNamespacedLease({ name, namespace });
  }

  createLease(lease: V1Lease): Promise<V1Lease> {
    return this.leases.createNamespacedLease({ namespace: lease.metadata?.namespace ?? '', body: lease });
  }

  replaceLease(lease: V1Lease): Promise<V1Lease> {
    return this.leases.replaceNamespacedLease({ name: lease.metadata?.name ?? '', namespace: lease.metadata?.namespace ?? '', body: lease });
  }

  /**
   * PUT of a whole object (its resourceVersion is the precondition), as plain JSON (../kube/rest):
   * the typed clients' model walk was a good part of the controller's CPU.
   */
  private put<T extends { metadata?: object }>(path: string, obj: T): Promise<T> {
    return this.send('PUT', path, obj);
  }

  /**
   * The request carries nothing the server would throw away: no managedFields (an update
   * without them keeps the stored ones, and a status write ignores them anyway), and the answer
   * is the metadata alone, not the whole object encoded once more. Returns the object as stored:
   * ours with the server's metadata (new resourceVersion, generation, managedFields, labels,
   * finalizers), or the server's whole object when it cannot answer with metadata only.
   */
  private async send<T extends { metadata?: object }>(method: 'PUT' | 'POST', path: string, obj: T): Promise<T> {
    const body = { ...obj, metadata: { ...obj.metadata, managedFields: undefined } };
    // fieldManager: plain requests carry no User-Agent to name the manager after.
    const got = await restCall(this.kc, method, path, { body, query: { fieldManager: FIELD_MANAGER }, accept: METADATA_ONLY }) as T & { kind?: string };
    if (got.kind !== 'PartialObjectMetadata') return got;
    // The whole metadata is the server's: a field it did not keep (e.g. labels sent through a
    // status write on a server that ignores them there) must not survive from our copy.
    return { ...obj, metadata: got.metadata };
  }

  /**
   * The shared informer (../kube/informer), which restarts itself with backoff after errors. Its
   * list is made only for a relist, so that is where 'relist' is told.
   */
  private informer<T extends KubernetesObject>(path: string, list: () => Promise<KubernetesListObject<T>>): Watched<T> {
    const relisted: (() => void)[] = [];
    const inf = makeInformer<T>(this.kc, path, async () => {
      const page = await list();
      for (const h of relisted) h();
      return page;
    }, WATCH_RETRY);
    let stopped = false;
    inf.on('error', (err, retryInMs) => {
      if (!stopped) this.log(`watch error: ${describeError(err)}; restarting the watch in ${(retryInMs / 1000).toFixed(1)} s`);
    });
    return {
      get: (name, namespace) => inf.get(name, namespace),
      list: (namespace) => inf.list(namespace),
      on: (verb: 'add' | 'update' | 'delete' | 'relist', handler: ((obj: T) => void) | (() => void)) => {
        if (verb === 'relist') relisted.push(handler as () => void);
        else inf.on(verb, handler as (obj: T) => void);
      },
      start: () => { stopped = false; return inf.start(); },
      stop: () => { stopped = true; return inf.stop(); },
    };
  }
}

function servicePath(svc: V1Service): string {
  return `/api/v1/namespaces/${encodeURIComponent(svc.metadata?.namespace ?? '')}/services/${encodeURIComponent(svc.metadata?.name ?? '')}`;
}

function configMapsPath(namespace: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;
}
