// A real two-node Kubernetes cluster in network namespaces (layout.ts): etcd, kube-apiserver,
// kube-controller-manager and kube-scheduler in one namespace, containerd + kubelet + kube-proxy
// in each node's. Pods really run: `openelb deploy` against it gives the controller and speaker
// pods users get. The test process reaches the API server through a relay on 127.0.0.1.
//
//   const c = await startNodeCluster();   // about 15-25 s once the binaries and images are cached
//   ... c.kc (admin KubeConfig), c.exec('cl', ['curl', ...]) ...
//   await c.stop();                        // leaves the machine as found
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { restCall } from '../../../runtime/src/kube/rest';
import { makePki, writeKubeconfig, type Pki } from './certs';
import { certGet, startApiServer, startControllerManager, startEtcd, startScheduler, waitReady, type ControlPlaneSpec } from './controlPlane';
import type { DaemonRecord } from './daemons';
import { startContainerd, startKubelet, type NodeStartSpec } from './kubeNode';
import { installKubeProxy } from './kubeProxy';
import { API_PORT, HOSTS, KUBERNETES_SERVICE_IP, newPrefix, NODES, nsName, type Role } from './layout';
import { buildNetwork, nsExec } from './network';
import { newRunState, readSysctls, saveRunState, staleRuns, withSysctlLock, writeSysctls, type RunState } from './runState';
import { teardownRun, leftovers } from './teardown';
import { startNsRelay, type NsRelay } from '../support/nsRelay';
import { nodeImages, requireNodeTier } from './requirements';
import { poll } from '../support/poll';

export interface NodeCluster {
  prefix: string;
  state: RunState;
  pki: Pki;
  /** Admin kubeconfig for this process (through the 127.0.0.1 relay) and its loaded form. */
  kubeconfig: string;
  kc: KubeConfig;
  /** Admin kubeconfig for tools run inside the namespaces (https://172.31.70.10:6443). */
  kubeconfigInNs: string;
  /** Seconds from start to each milestone (for the bench). */
  timings: Record<string, number>;
  ns(role: Role): string;
  exec(role: Role, argv: string[], timeoutMs?: number): string;
  stop(): Promise<string[]>;
}

export interface StartNodeClusterOptions {
  log?: (m: string) => void;
}

/** Tears down runs whose test process was killed before its own teardown. */
export async function sweepStaleRuns(log: (m: string) => void = () => {}): Promise<void> {
  for (const s of staleRuns()) {
    log(`removing what a killed run (${s.prefix}) left`);
    await teardownRun(s, log);
  }
}

/** On SIGINT/SIGTERM/SIGHUP the run is torn down (through `stop`, so only once) before the process exits. */
function tearDownOnSignals(stop: () => Promise<unknown>): () => void {
  const handler = (): void => { void stop().finally(() => process.exit(130)); };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, handler);
  return () => { for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(sig, handler); };
}

async function waitNodesReady(kc: KubeConfig, ms: number): Promise<void> {
  await poll('both nodes Ready and untainted', async () => {
    const list = await restCall(kc, 'GET', '/api/v1/nodes') as { items: { metadata: { name: string }; spec?: { taints?: unknown[] }; status?: { conditions?: { type: string; status: string }[] } }[] };
    const ready = list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && !(n.spec?.taints?.length));
    return ready.length === NODES.length;
  }, { timeoutMs: ms, everyMs: 200 });
}

/** Waits until a DaemonSet has a Ready pod on every node it schedules to. */
export async function waitDaemonSetReady(kc: KubeConfig, namespace: string, name: string, ms: number): Promise<void> {
  await poll(`DaemonSet ${namespace}/${name} Ready on every node`, async () => {
    const ds = await restCall(kc, 'GET', `/apis/apps/v1/namespaces/${namespace}/daemonsets/${name}`) as
      { metadata: { generation: number }; status?: { desiredNumberScheduled?: number; numberReady?: number; updatedNumberScheduled?: number; observedGeneration?: number } };
    const st = ds.status ?? {};
    return st.observedGeneration === ds.metadata.generation && (st.desiredNumberScheduled ?? 0) === NODES.length &&
      st.numberReady === NODES.length && st.updatedNumberScheduled === NODES.length;
  }, { timeoutMs: ms, everyMs: 200 });
}

async function waitDefaultServiceAccount(kc: KubeConfig, ms: number): Promise<void> {
  await poll('the default ServiceAccount and kube-root-ca.crt', async () => {
    await restCall(kc, 'GET', '/api/v1/namespaces/default/serviceaccounts/default');
    await restCall(kc, 'GET', '/api/v1/namespaces/default/configmaps/kube-root-ca.crt');
    return true;
  }, { timeoutMs: ms, everyMs: 200 });
}

export async function startNodeCluster(opts: StartNodeClusterOptions = {}): Promise<NodeCluster> {
  const log = opts.log ?? (() => {});
  const bin = requireNodeTier();
  const images = nodeImages();
  await sweepStaleRuns(log);
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const mark = (k: string) => { timings[k] = (Date.now() - t0) / 1000; log(`${k}: ${timings[k]} s`); };
  const prefix = newPrefix();
  const state = newRunState(prefix);
  const record = (d: DaemonRecord) => { state.daemons.push(d); saveRunState(state); };
  let relay: NsRelay | undefined;
  let stopping: Promise<string[]> | undefined;
  let removeHandlers = () => {};
  // Idempotent: a signal handler and the caller may both ask.
  const stop = (): Promise<string[]> => stopping ??= (async () => {
    await relay?.close();
    await teardownRun(state, log);
    removeHandlers();
    return leftovers(state);
  })();
  removeHandlers = tearDownOnSignals(stop);
  try {
    buildNetwork(prefix, (ns) => { state.namespaces.push(ns); saveRunState(state); });
    const dir = state.runDir;
    const pkiDir = join(dir, 'pki');
    mkdirSync(pkiDir, { recursive: true });
    const pki = makePki(pkiDir, { apiAddress: HOSTS.api.v4, kubernetesServiceIp: KUBERNETES_SERVICE_IP, nodes: NODES.map((n) => ({ name: n.name, ip: HOSTS[n.role].v4 })) });
    const inNs = `https://${HOSTS.api.v4}:${API_PORT}`;
    const kcfg = (user: string, file: string) => writeKubeconfig(pki, user, inNs, join(dir, file));
    const cp: ControlPlaneSpec = {
      ns: nsName(prefix, 'api'), bin, dir, pki, record,
      kcmKubeconfig: kcfg('controller-manager', 'controller-manager.kubeconfig'), schedulerKubeconfig: kcfg('scheduler', 'scheduler.kubeconfig'),
    };
    mark('network and certificates');
    startEtcd(cp);
    const api = startApiServer(cp);
    const nodeSpecs: NodeStartSpec[] = NODES.map((node) => ({
      ns: nsName(prefix, node.role), prefix, runDir: dir, bin, pki, node, record, images,
      kubeletKubeconfig: kcfg(`kubelet-${node.name}`, `kubelet-${node.name}.kubeconfig`)
    }));
    for (const s of nodeSpecs) {
      state.sockets.push(join(dir, s.node.role, 'containerd.sock'));
      state.cgroups.push(`${prefix}${s.node.role}`);
      state.cniNetworks.push(`${prefix}${s.node.role}`);
    }
    saveRunState(state);
    const runtimes = Promise.all(nodeSpecs.map((s) => startContainerd(s)));
    relay = await startNsRelay(cp.ns, join(dir, 'api.sock'), HOSTS.api.v4, API_PORT);
    const kubeconfig = writeKubeconfig(pki, 'admin', `https://127.0.0.1:${relay.port}`, join(dir, 'admin.kubeconfig'));
    const kubeconfigInNs = kcfg('admin', 'admin-in-ns.kubeconfig');
    await waitReady(api, 'kube-apiserver', async () => {
      const [status, body] = await certGet(`https://127.0.0.1:${relay!.port}/readyz`, pki, 'admin');
      return status === 200 && body.trim() === 'ok';
    }, 120_000);
    mark('API server ready');
    startControllerManager(cp);
    startScheduler(cp);
    await runtimes;
    mark('containerd and images');
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    // The kubelets set global kernel settings at start; they must not stay changed on a shared machine.
    await withSysctlLock(async () => {
      state.sysctls = readSysctls();
      saveRunState(state);
      for (const s of nodeSpecs) startKubelet(s);
      await installKubeProxy(kc);
      await waitNodesReady(kc, 90_000);
      writeSysctls(state.sysctls);
    });
    mark('nodes Ready');
    await waitDefaultServiceAccount(kc, 60_000);
    await waitDaemonSetReady(kc, 'kube-system', 'kube-proxy', 90_000);
    mark('cluster usable');
    return {
      prefix, state, pki, kubeconfig, kc, kubeconfigInNs, timings,
      ns: (role) => nsName(prefix, role),
      exec: (role, argv, timeoutMs) => nsExec(nsName(prefix, role), argv, timeoutMs),
      stop,
    };
  } catch (e) {
    log(`node cluster failed to start: ${(e as Error).message}; tearing down`);
    await stop();
    throw e;
  }
}
