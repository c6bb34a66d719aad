// The controller's reads and writes against the API server. Every write sends the object's
// resourceVersion and, on a conflict, re-reads the object and applies the change again.
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Service } from '@kubernetes/client-node';
import { EIP_POOL_ANNOTATION, SERVICE_FINALIZER, type EipObject } from '../allocator';
import { isNotFound, retryOnConflict } from '../kube/client';
import { METADATA_ONLY, restCall } from '../kube/rest';
import { FIELD_MANAGER } from '../ops/names';

import { GROUP, PLURALS, STORAGE_VERSION } from '../../../server/src/core/api/types';

export { GROUP };
export const EIP_VERSION = STORAGE_VERSION;
export const EIP_PLURAL = PLURALS.Eip;

export class KubeIo {
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;

  constructor(private readonly kc: KubeConfig) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  listEips(): Promise<{ items: EipObject[]; metadata?: { resourceVersion?: string } }> {
    return this.custom.listClusterCustomObject({ group: GROUP, version: EIP_VERSION, plural: EIP_PLURAL }) as Promise<{ items: EipObject[] }>;
  }

  getEip(name: string): Promise<EipObject> {
    return this.custom.getClusterCustomObject({ group: GROUP, version: EIP_VERSION, plural: EIP_PLURAL, name }) as Promise<EipObject>;
  }

  /**
   * Writes an Eip's status (the object's resourceVersion is the precondition); returns the object
   * as stored. This is the controller's commit, and the API server's work grows with status.used.
   */
  replaceEipStatus(obj: EipObject): Promise<EipObject> {
    const path = `/apis/${GROUP}/${EIP_VERSION}/${EIP_PLURAL}/${encodeURIComponent(obj.metadata?.name ?? '')}/status`;
    return this.put(path, obj);
  }

  /**
   * PUT of a whole object (its resourceVersion is the precondition), as plain JSON (../kube/rest):
   * the typed clients' model walk was a good part of the controller's CPU. The request carries
   * nothing the server would throw away: no managedFields (an update without them keeps the
   * stored ones, and a status write ignores them anyway), and the answer is the metadata alone,
   * not the whole object encoded once more. Returns the object as stored: ours with the
   * server's metadata (new resourceVersion, generation, managedFields, labels, finalizers), or
   * the server's whole object when it cannot answer with metadata only.
   */
  private async put<T extends { metadata?: object }>(path: string, obj: T): Promise<T> {
    const body = { ...obj, metadata: { ...obj.metadata, managedFields: undefined } };
    // fieldManager: plain requests carry no User-Agent to name the manager after.
    const got = await restCall(this.kc, 'PUT', path, { body, query: { fieldManager: FIELD_MANAGER }, accept: METADATA_ONLY }) as T & { kind?: string };
    if (got.kind !== 'PartialObjectMetadata') return got;
    // The whole metadata is the server's: a field it did not keep (e.g. labels sent through a
    // status write on a server that ignores them there) must not survive from our copy.
    return { ...obj, metadata: got.metadata };
  }

  /**
   * Removes a finalizer from an Eip (a merge patch made conditional by the resourceVersion it
   * read, retried on conflict); a gone Eip, or one without it, is fine.
   */
  async removeEipFinalizer(name: string, finalizer: string): Promise<void> {
    const path = `/apis/${GROUP}/${EIP_VERSION}/${EIP_PLURAL}/${encodeURIComponent(name)}`;
    try {
      await retryOnConflict(async () => {
        const md = (await this.getEip(name)).metadata ?? {};
        if (!md.finalizers?.includes(finalizer)) return;
        await restCall(this.kc, 'PATCH', path, {
          body: { metadata: { finalizers: md.finalizers.filter((f) => f !== finalizer), resourceVersion: md.resourceVersion } },
          contentType: 'application/merge-patch+json', query: { fieldManager: FIELD_MANAGER }, accept: METADATA_ONLY,
        });
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  getService(namespace: string, name: string): Promise<V1Service> {
    return this.core.readNamespacedService({ namespace, name });
  }

  /** Sets (or, with eip undefined, removes) the OpenELB finalizer and pool label. */
  setServiceMarks(svc: V1Service, eip: string | undefined): Promise<V1Service | undefined> {
    return this.updateService(svc, 'main', (s) => withMarks(s, eip));
  }

  /** Sets status.loadBalancer.ingress to the given addresses (none clears it). */
  setServiceIngress(svc: V1Service, ips: string[]): Promise<V1Service | undefined> {
    return this.updateService(svc, 'status', (s) => withIngress(s, ips));
  }

  /**
   * Shows an address in ONE write of the status subresource: the ingress plus the finalizer
   * and pool label. The Service status strategy keeps metadata changes (unlike Pods', which
   * reset them; checked on Kubernetes 1.34), so the finalizer lands together with the address.
   * The caller must check the returned object, should a server drop the metadata.
   */
  setServiceAddress(svc: V1Service, eip: string, ips: string[]): Promise<V1Service | undefined> {
    return this.updateService(svc, 'status', (s) => {
      const marked = withMarks(s, eip);
      return withIngress(marked ?? s, ips) ?? marked;
    });
  }

  /**
   * Read-modify-write of a Service (its main resource or its status): `change` returns the new
   * object, or undefined when nothing needs writing. Undefined when the Service is gone.
   */
  private async updateService(svc: V1Service, part: 'main' | 'status', change: (s: V1Service) => V1Service | undefined): Promise<V1Service | undefined> {
    const namespace = svc.metadata?.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    let current: V1Service | undefined = svc;
    try {
      return await retryOnConflict(async () => {
        const s = current ?? await this.getService(namespace, name);
        current = undefined;
        const body = change(s);
        if (!body) return s;
        const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(name)}`;
        return this.put(part === 'main' ? path : `${path}/status`, body);
      });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
}

/** True when the Service carries the finalizer and names `eip` in the pool label. */
export function hasMarks(s: V1Service, eip: string): boolean {
  return !!s.metadata?.finalizers?.includes(SERVICE_FINALIZER) && s.metadata?.labels?.[EIP_POOL_ANNOTATION] === eip;
}

/** The Service with the finalizer and pool label set (or removed), or undefined when they already are. */
function withMarks(s: V1Service, eip: string | undefined): V1Service | undefined {
  const md = s.metadata ?? {};
  const finalizers = (md.finalizers ?? []).filter((f) => f !== SERVICE_FINALIZER);
  const labels = { ...md.labels };
  if (eip !== undefined) {
    finalizers.push(SERVICE_FINALIZER);
    labels[EIP_POOL_ANNOTATION] = eip;
  } else {
    delete labels[EIP_POOL_ANNOTATION];
  }
  const same = JSON.stringify(finalizers.slice().sort()) === JSON.stringify((md.finalizers ?? []).slice().sort())
    && md.labels?.[EIP_POOL_ANNOTATION] === labels[EIP_POOL_ANNOTATION];
  return same ? undefined : { ...s, metadata: { ...md, finalizers, labels } };
}

/** The Service with status.loadBalancer.ingress set to `ips`, or undefined when it already is. */
function withIngress(s: V1Service, ips: string[]): V1Service | undefined {
  const now = (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');
  if (JSON.stringify(now) === JSON.stringify(ips)) return undefined;
  return { ...s, status: { ...s.status, loadBalancer: { ...s.status?.loadBalancer, ingress: ips.map((ip) => ({ ip })) } } };
}
