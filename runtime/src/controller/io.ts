// Everything the controller reads and writes on the API server, as one small interface: the
// real one is restIo.ts (our REST client and informers), the unit tests' is an in-memory fake
// (test/unit/controllerFake.ts), so the controller's hardest logic (commit conflicts, the echo
// of our own writes, the journal/mirror order, a restart mid-batch) runs without a cluster.
//
// Rules every implementation keeps, as the API server does:
//  - a write carrying metadata.resourceVersion fails with 409 Conflict unless it is the stored
//    one; a create of an existing name fails with 409; a missing object is 404 (errors carry the
//    HTTP status as `code`, see ../kube/client's isConflict / isNotFound);
//  - a write resolves to the object as stored, with its new resourceVersion;
//  - a watch delivers each object's versions in the order they were written, our own writes
//    included (their echo may come before or after the write's answer).
// resourceVersions are opaque: compare them for equality only.
import type { CoreV1Event, V1Lease, V1Namespace, V1Service } from '@kubernetes/client-node';
import type { EipObject } from '../allocator';

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
}

export interface ConfigMapObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  data?: Record<string, string>;
}

/** An informer: a cache of one kind kept current by list + watch. */
export interface Watched<T> {
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): readonly T[];
  on(verb: 'add' | 'update' | 'delete', handler: (obj: T) => void): void;
  /**
   * The watch starts over from a fresh list (its first, or after its version expired): the
   * events that follow bring each object to its current version and may skip versions between.
   */
  on(verb: 'relist', handler: () => void): void;
  /** Resolves once the first list is in the cache. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ControllerIo {
  services(): Watched<V1Service>;
  eips(): Watched<EipObject>;
  namespaces(): Watched<V1Namespace>;

  listEips(): Promise<EipObject[]>;
  getEip(name: string): Promise<EipObject>;
  /** PUT of the status subresource: only status changes. */
  replaceEipStatus(eip: EipObject): Promise<EipObject>;
  /** Sets the Eip's finalizers, if its resourceVersion is still `resourceVersion`. */
  setEipFinalizers(name: string, finalizers: string[], resourceVersion: string | undefined): Promise<void>;

  getService(namespace: string, name: string): Promise<V1Service>;
  /** PUT of the Service (metadata and spec; status is kept). */
  replaceService(svc: V1Service): Promise<V1Service>;
  /** PUT of the status subresource (status, and finalizers and labels: Service status keeps metadata). */
  replaceServiceStatus(svc: V1Service): Promise<V1Service>;

  getConfigMap(namespace: string, name: string): Promise<ConfigMapObject>;
  /** Creates the ConfigMap (no resourceVersion) or replaces it (its resourceVersion the precondition). */
  writeConfigMap(cm: ConfigMapObject): Promise<ConfigMapObject>;

  createEvent(namespace: string, event: CoreV1Event): Promise<void>;

  getLease(namespace: string, name: string): Promise<V1Lease>;
  createLease(lease: V1Lease): Promise<V1Lease>;
  replaceLease(lease: V1Lease): Promise<V1Lease>;
}
