// What the speaker writes to the API server (I/O), each touching only this node's part:
// the Node's interfaces annotation, one condition per node on an Eip's status (plus an Event),
// and this node's key in BgpPeer status.nodesPeerStatus / BgpConf status.nodesConfStatus.
import {
  CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type CoreV1Event, type KubeConfig,
} from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { NODE_INTERFACES_ANNOTATION } from '@openelb/core/api/annotations';
import { GROUP, PLURALS, STORAGE_VERSION } from '@openelb/core/api/types';
import { retryOnConflict } from '../../kube/client';
import type { EipObj } from './clusterView';
import { conditionType, REASON_FAILED, REASON_OK, type Condition } from './conditions';

export { GROUP };
export const VERSION = STORAGE_VERSION;
export const COMPONENT = 'openelb-speaker';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export class KubeWrites {
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;

  constructor(kc: KubeConfig, private readonly node: string) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  async setInterfacesAnnotation(value: string): Promise<void> {
    await this.core.patchNode({ name: this.node, body: { metadata: { annotations: { [NODE_INTERFACES_ANNOTATION]: value } } } }, MERGE);
  }

  /**
   * Sets this node's condition on an Eip, leaving every other status field and condition as
   * the controller and other speakers wrote them (resourceVersion-checked, retried on conflict).
   * Returns false when the condition already said the same.
   */
  async setEipCondition(name: string, ok: boolean, message: string, reason = ok ? REASON_OK : REASON_FAILED): Promise<boolean> {
    const type = conditionType(this.node);
    return retryOnConflict(async () => {
      const obj = await this.custom.getClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURALS.Eip, name }) as EipObj;
      const status = { ...obj.status } as { conditions?: Condition[] };
      const old = status.conditions?.find((c) => c.type === type);
      const want = ok ? 'True' : 'False';
      if (old && old.status === want && old.reason === reason && old.message === message) return false;
      const cond: Condition = {
        type, status: want, reason, message: message.slice(0, 1024),
        lastTransitionTime: old && old.status === want ? old.lastTransitionTime : new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      };
      status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== type), cond];
      await this.custom.replaceClusterCustomObjectStatus({ group: GROUP, version: VERSION, plural: PLURALS.Eip, name, body: { ...obj, status } });
      return true;
    });
  }

  /** An Event about a cluster-scoped object (recorded in "default", as client-go does). */
  async event(target: { kind: string; name: string; uid?: string }, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const now = new Date();
    const body: CoreV1Event = {
      metadata: { name: `${target.name}.${randomBytes(8).toString('hex')}`, namespace: 'default' },
      involvedObject: { apiVersion: `${GROUP}/${VERSION}`, kind: target.kind, name: target.name, uid: target.uid },
      reason, message: message.slice(0, 1024), type,
      source: { component: COMPONENT, host: this.node }, reportingComponent: COMPONENT, reportingInstance: this.node,
      firstTimestamp: now, lastTimestamp: now, count: 1,
    };
    await this.core.createNamespacedEvent({ namespace: 'default', body });
  }

  /** Merge-patches status.nodesPeerStatus[node] of a BgpPeer (null removes this node's entry). */
  async setPeerStatus(peer: string, status: object | null): Promise<void> {
    await this.custom.patchClusterCustomObjectStatus({
      group: GROUP, version: VERSION, plural: PLURALS.BgpPeer, name: peer, body: { status: { nodesPeerStatus: { [this.node]: status } } },
    }, MERGE);
  }

  /** Merge-patches status.nodesConfStatus[node] of a BgpConf (null removes it). */
  async setConfStatus(conf: string, status: { as: number; routerId: string } | null): Promise<void> {
    await this.custom.patchClusterCustomObjectStatus({
      group: GROUP, version: VERSION, plural: PLURALS.BgpConf, name: conf, body: { status: { nodesConfStatus: { [this.node]: status } } },
    }, MERGE);
  }
}
