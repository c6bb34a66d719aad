// The control plane the speaker tests in network namespaces share: a real API server in its own
// namespace (clusterInNetns.ts), the allocation controller, API clients, a wait for the speakers'
// Leases, and one teardown for all of it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../../runtime/src/kube/client';
import { runController, type ControllerHandle } from '../../../runtime/src/controller/runController';
import { startNetCluster, type NetCluster, type SpeakerProc } from './clusterInNetns';
import { until } from './speakerHelpers';

export interface NetSystem {
  dir: string;
  cluster: NetCluster;
  kc: KubeConfig;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  controller: ControllerHandle;
  /** The controller's log lines. */
  logs: string[];
  /** Kills the speakers, stops the controller and the cluster, then `cleanup` (the topology). */
  stop(speakers: Iterable<SpeakerProc>, cleanup: () => void): Promise<void>;
}

export async function startNetSystem(prefix: string, name: string): Promise<NetSystem> {
  const dir = mkdtempSync(join(tmpdir(), `openelb-${name}-`));
  const cluster = await startNetCluster(prefix, dir);
  const kc = loadKubeConfig(cluster.kubeconfigLocal);
  const logs: string[] = [];
  const controller = await runController({ kubeconfig: cluster.kubeconfigLocal, identity: 'ctl', leaseDurationSeconds: 4, retryPeriodMs: 300, log: (m) => logs.push(m) });
  return {
    dir, cluster, kc, logs, controller,
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    async stop(speakers, cleanup) {
      for (const s of speakers) await s.kill('SIGKILL');
      await controller.stop();
      await cluster.stop();
      cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until every named node's speaker holds its Lease. */
export async function waitSpeakerLeases(sys: NetSystem, nodes: readonly string[], context?: () => string): Promise<void> {
  const coord = sys.kc.makeApiClient(CoordinationV1Api);
  await until(`speaker Leases of ${nodes.join(', ')}`, async () => {
    const l = await coord.listNamespacedLease({ namespace: 'openelb-system' });
    return nodes.every((n) => l.items.some((x) => x.metadata?.name === `openelb-speaker-${n}`)) || undefined;
  }, 60_000, context);
}
