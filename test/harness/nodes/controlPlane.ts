// etcd, kube-apiserver, kube-controller-manager and kube-scheduler inside the run's api
// namespace. The API server advertises its bridge address (the `kubernetes` Service's endpoint,
// which pods reach through 172.31.96.1) and routes webhook and aggregated-API calls to local
// endpoints (--enable-aggregator-routing), so none of its calls can leave the machine.
import { join } from 'node:path';
import { httpsGet } from '../support/httpsGet';
import { readFileSync } from 'node:fs';
import { startDaemon, isAlive, logTail, type DaemonRecord } from './daemons';
import type { Pki } from './certs';
import { API_PORT, HOSTS, SERVICE_CIDR, SERVICE_CIDR_V6 } from './layout';

export interface ControlPlaneSpec {
  ns: string;
  bin: string;
  dir: string;
  pki: Pki;
  /** Kubeconfigs of the controller-manager and the scheduler (in-namespace server address). */
  kcmKubeconfig: string;
  schedulerKubeconfig: string;
  record: (d: DaemonRecord) => void;
}

/** GET a path with a client cert; resolves to [status, body] (never throws on HTTP errors). */
export function certGet(url: string, pki: Pki, user: string): Promise<[number, string]> {
  const { crt, key } = pki.cert(user);
  return httpsGet(url, { ca: readFileSync(pki.ca), cert: readFileSync(crt), key: readFileSync(key) });
}

/** Waits until `check` passes; fails early, with the log's tail, if the daemon died. */
export async function waitReady(d: DaemonRecord, what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!isAlive(d)) throw new Error(`${what} exited; the end of ${d.log}:\n${logTail(d)}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${ms} ms; the end of ${d.log}:\n${logTail(d)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function startEtcd(s: ControlPlaneSpec): DaemonRecord {
  const d = startDaemon('etcd', s.ns, [join(s.bin, 'etcd'), '--name', 'node-tier', '--data-dir', join(s.dir, 'etcd'),
    '--listen-client-urls', 'http://127.0.0.1:2379', '--advertise-client-urls', 'http://127.0.0.1:2379',
    '--listen-peer-urls', 'http://127.0.0.1:2380', '--initial-advertise-peer-urls', 'http://127.0.0.1:2380',
    '--initial-cluster', 'node-tier=http://127.0.0.1:2380', '--unsafe-no-fsync', '--log-level', 'warn'], join(s.dir, 'etcd.log'));
  s.record(d);
  return d;
}

export function startApiServer(s: ControlPlaneSpec): DaemonRecord {
  const c = (n: string) => s.pki.cert(n);
  const d = startDaemon('kube-apiserver', s.ns, [join(s.bin, 'kube-apiserver'), '--etcd-servers=http://127.0.0.1:2379',
    `--bind-address=${HOSTS.api.v4}`, `--advertise-address=${HOSTS.api.v4}`, `--secure-port=${API_PORT}`,
    `--tls-cert-file=${c('apiserver').crt}`, `--tls-private-key-file=${c('apiserver').key}`, `--client-ca-file=${s.pki.ca}`,
    `--kubelet-client-certificate=${c('apiserver-kubelet-client').crt}`, `--kubelet-client-key=${c('apiserver-kubelet-client').key}`,
    `--kubelet-certificate-authority=${s.pki.ca}`, '--kubelet-preferred-address-types=InternalIP',
    '--authorization-mode=Node,RBAC', '--enable-admission-plugins=NodeRestriction',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${join(s.pki.dir, 'sa.pub')}`, `--service-account-signing-key-file=${join(s.pki.dir, 'sa.key')}`,
    `--service-cluster-ip-range=${SERVICE_CIDR},${SERVICE_CIDR_V6}`, '--allow-privileged=true', '--enable-priority-and-fairness=false',
    '--enable-aggregator-routing=true', '--v=1'], join(s.dir, 'apiserver.log'));
  s.record(d);
  return d;
}

export function startControllerManager(s: ControlPlaneSpec): DaemonRecord {
  const d = startDaemon('kube-controller-manager', s.ns, [join(s.bin, 'kube-controller-manager'), `--kubeconfig=${s.kcmKubeconfig}`,
    '--bind-address=127.0.0.1', '--leader-elect=false', `--root-ca-file=${s.pki.ca}`,
    `--service-account-private-key-file=${join(s.pki.dir, 'sa.key')}`, '--use-service-account-credentials=true',
    `--service-cluster-ip-range=${SERVICE_CIDR},${SERVICE_CIDR_V6}`,
    // Node-tier tests kill pods on purpose; evictions of pods on a node that looks unhealthy
    // would only blur what they measure.
    '--node-monitor-grace-period=40s'], join(s.dir, 'controller-manager.log'));
  s.record(d);
  return d;
}

export function startScheduler(s: ControlPlaneSpec): DaemonRecord {
  const d = startDaemon('kube-scheduler', s.ns, [join(s.bin, 'kube-scheduler'), `--kubeconfig=${s.schedulerKubeconfig}`,
    '--bind-address=127.0.0.1', '--leader-elect=false'], join(s.dir, 'scheduler.log'));
  s.record(d);
  return d;
}
