// `openelb lint --cluster`: what the cluster holds, as the language service's cluster facts. The
// record of who holds an address is each Eip's status.used (what `openelb status` reads), so the
// impact summary names the Services the controller recorded, shared addresses included.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Facts } from '@openelb/core/model/facts';
import { parsePoolCached } from '@openelb/core/address/pool';
import { loadKubeConfig } from '../../../runtime/src/kube/kubeconfig';
import { readStatus, type ClusterStatus } from '../../../runtime/src/ops/status';

export type ClusterFacts = NonNullable<Facts['cluster']>;

/** The cluster facts of a status read (pure). */
export function factsFromStatus(s: ClusterStatus, context?: string): ClusterFacts {
  return {
    context,
    eips: s.pools.map((p) => ({ name: p.name, address: p.address, disable: p.disabled, isDefault: false, source: 'cluster' as const, pool: parsePoolCached(p.address).pool })),
    nodes: [],
    services: s.pools.flatMap((p) => p.allocated.flatMap((a) => a.services.map((key) => {
      const slash = key.indexOf('/');
      return { namespace: key.slice(0, slash), name: key.slice(slash + 1), ip: a.ip, eip: p.name };
    }))),
  };
}

/** Lists the cluster's Eips (with status.used) and Services through the kubeconfig given. */
export async function readClusterFacts(source: { kubeconfig?: string; context?: string }): Promise<ClusterFacts> {
  const kc: KubeConfig = loadKubeConfig(source);
  return factsFromStatus(await readStatus(kc), kc.getCurrentContext() || undefined);
}
