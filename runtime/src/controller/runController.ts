// Entry point of `openelb controller`: informers + leader election + /metrics and /healthz.
//
//   const c = await runController({ kubeconfig: '/path/kubeconfig', metricsPort: 9443 });
//   ...
//   await c.stop();
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { loadKubeConfig } from '../kube/client';
import { AllocationController } from './controller';
import { LeaderElector } from './leaderElection';
import { RestControllerIo } from './restIo';
import { serveMetrics } from './metrics';

export interface ControllerOptions {
  /** Path of a kubeconfig; the default chain ($KUBECONFIG, ~/.kube/config, in-cluster) when absent. */
  kubeconfig?: string;
  /** A context of that kubeconfig (default its current context). */
  context?: string;
  /** Port of /metrics and /healthz; 0 picks a free one; undefined serves nothing. */
  metricsPort?: number;
  metricsHost?: string;
  /** Namespace of the leader Lease (default openelb-system). */
  leaseNamespace?: string;
  /** This replica's name in the Lease (default: host name and pid). */
  identity?: string;
  leaseName?: string;
  leaseDurationSeconds?: number;
  retryPeriodMs?: number;
  log?: (msg: string) => void;
}

export interface ControllerHandle {
  /** The port /metrics listens on, when serving. */
  metricsPort?: number;
  isLeader(): boolean;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function runController(opts: ControllerOptions = {}): Promise<ControllerHandle> {
  const identity = opts.identity ?? `${hostname()}_${process.pid}`;
  const log = opts.log ?? ((m: string) => process.stderr.write(`${new Date().toISOString()} openelb-controller[${identity}]: ${m}\n`));
  const kc = loadKubeConfig({ kubeconfig: opts.kubeconfig, context: opts.context });
  const namespace = opts.leaseNamespace ?? 'openelb-system';
  const io = new RestControllerIo(kc, log);
  const ctl = new AllocationController(io, identity, namespace, log);
  await ctl.start();

  const elector = new LeaderElector(io, {
    namespace,
    name: opts.leaseName ?? 'openelb-controller',
    identity,
    leaseDurationSeconds: opts.leaseDurationSeconds,
    retryPeriodMs: opts.retryPeriodMs,
    onStartedLeading: () => ctl.startLeading(),
    onStoppedLeading: () => ctl.stopLeading(),
    log,
  });
  elector.start();

  const server = opts.metricsPort === undefined ? undefined : await serveMetrics({
    pools: () => ctl.poolMetrics(),
    counters: () => ({ ...ctl.counters }),
    isLeader: () => ctl.isLeader,
    healthy: () => ctl.healthy,
  }, opts.metricsPort, opts.metricsHost);

  let stopping: Promise<void> | undefined;
  return {
    metricsPort: server ? (server.address() as AddressInfo).port : undefined,
    isLeader: () => ctl.isLeader,
    idle: () => ctl.idle(),
    stop() {
      stopping ??= (async () => {
        // The controller finishes first, while it still leads: Service writes under way end and
        // every Eip's status.used takes in the journal. Then the Lease is given up.
        await ctl.stop();
        await elector.stop();
        await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      })();
      return stopping;
    },
  };
}
