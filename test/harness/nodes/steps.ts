// What the node tier does to the cluster, as an operator would, shared by the tests and
// `npm run bench:node`: run the `openelb` CLI bundle, create pools, backends and Services, kill or
// delete speaker pods, and measure what the LAN sees.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { METADATA_ONLY, restCall } from '../../../runtime/src/kube/rest';
import { DEFAULT_IMAGE } from '../../../runtime/src/ops/names';
import { poll } from '../support/poll';
import { HOSTS, NODES, type Role } from './layout';
import type { NodeCluster } from './nodeCluster';
import { waitDaemonSetReady } from './nodeCluster';
import { ArpProber, httpFromClient, roleOfMac } from './observe';
import { interfaceAddresses } from '../net/speakerHelpers';

export { REPO } from '../repo';
import { REPO } from '../repo';
export const BUNDLE = join(REPO, 'dist', 'openelb.js');
const GROUP = '/apis/network.kubesphere.io/v1alpha2';

export interface CliResult { status: number; stdout: string; stderr: string }

/**
 * Runs the built `openelb` CLI, as a user would, with the admin kubeconfig. Asynchronously: the
 * CLI reaches the API server through this process's relay, which must keep running meanwhile.
 */
export function openelb(c: NodeCluster, args: string[], timeoutMs = 180_000): Promise<CliResult> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [BUNDLE, ...args, '--kubeconfig', c.kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (code) => res({ status: code ?? -1, stdout, stderr }));
  });
}

export async function apply(c: NodeCluster, path: string, body: object): Promise<void> {
  await restCall(c.kc, 'PATCH', path, { body, contentType: 'application/apply-patch+yaml', query: { fieldManager: 'node-tier', force: 'true' } });
}

export async function applyEip(c: NodeCluster, name: string, spec: Record<string, unknown>): Promise<void> {
  await apply(c, `${GROUP}/eips/${name}`, { apiVersion: 'network.kubesphere.io/v1alpha2', kind: 'Eip', metadata: { name }, spec });
}

/** Waits until the runtime's controller Deployment and speaker DaemonSet are Ready. */
export async function waitRuntimeReady(c: NodeCluster, ms = 180_000): Promise<void> {
  await poll('the openelb-controller Deployment available', async () => {
    const d = await restCall(c.kc, 'GET', '/apis/apps/v1/namespaces/openelb-system/deployments/openelb-controller') as
      { metadata: { generation: number }; status?: { readyReplicas?: number; updatedReplicas?: number; replicas?: number; observedGeneration?: number } };
    const s = d.status ?? {};
    return s.observedGeneration === d.metadata.generation && s.readyReplicas === 1 && s.updatedReplicas === 1 && s.replicas === 1;
  }, { timeoutMs: ms, everyMs: 200 });
  await waitDaemonSetReady(c.kc, 'openelb-system', 'openelb-speaker', ms);
}

/** A small HTTP backend on the runtime's own image, answering with its pod name. */
export async function applyBackend(c: NodeCluster, name = 'web', replicas = 2): Promise<void> {
  const labels = { app: name };
  await apply(c, `/apis/apps/v1/namespaces/default/deployments/${name}`, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default' },
    spec: {
      replicas, selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{
            name: 'http', image: DEFAULT_IMAGE,
            command: ['node', '-e', "process.on('SIGTERM',()=>process.exit(0));require('http').createServer((q,r)=>r.end('hello from '+require('os').hostname())).listen(8080)"],
            ports: [{ containerPort: 8080 }],
            readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
          }],
        },
      },
    },
  });
}

/** A LoadBalancer Service on port 80; `family` makes it single-stack of that family (default: the cluster's first, IPv4). */
export async function applyService(c: NodeCluster, name: string, annotations: Record<string, string>, backend = 'web', family?: 'IPv4' | 'IPv6'): Promise<void> {
  await apply(c, `/api/v1/namespaces/default/services/${name}`, {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', annotations: { 'lb.kubesphere.io/v1alpha1': 'openelb', ...annotations } },
    spec: {
      type: 'LoadBalancer', selector: { app: backend }, ports: [{ port: 80, targetPort: 8080 }],
      ...(family ? { ipFamilies: [family], ipFamilyPolicy: 'SingleStack' } : {}),
    },
  });
}

export async function serviceAddress(c: NodeCluster, name: string, ms = 30_000): Promise<string> {
  return poll(`an address on Service ${name}`, async () => {
    const s = await restCall(c.kc, 'GET', `/api/v1/namespaces/default/services/${name}`) as { status?: { loadBalancer?: { ingress?: { ip?: string }[] } } };
    return s.status?.loadBalancer?.ingress?.[0]?.ip;
  }, { timeoutMs: ms, everyMs: 20 });
}

/** The first HTTP answer from the client namespace, and when it came (epoch ms). */
export async function firstHttp(c: NodeCluster, address: string, ms = 60_000): Promise<{ body: string; at: number }> {
  const body = await poll(`an HTTP answer from ${address}`, () => httpFromClient(c, address), { timeoutMs: ms, everyMs: 50 });
  return { body, at: Date.now() };
}

export async function waitArpFrom(p: ArpProber, sinceMs: number, what: string, mac?: string, ms = 30_000): Promise<number> {
  const r = await poll(what, () => p.first(sinceMs, mac), { timeoutMs: ms, everyMs: 10 });
  return r.t;
}

/** The node role whose MAC answered most recently. */
export function currentOwner(p: ArpProber): Role {
  const last = p.replies[p.replies.length - 1];
  const role = last && roleOfMac(last.mac);
  if (role !== 'n1' && role !== 'n2') throw new Error(`no node answers ARP (last reply: ${JSON.stringify(last)})`);
  return role;
}

export const otherNode = (r: Role): 'n1' | 'n2' => (r === 'n1' ? 'n2' : 'n1');
export const nodeName = (r: Role): string => NODES.find((n) => n.role === r)!.name;

interface PodItem { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string }; status?: { containerStatuses?: { restartCount: number; ready: boolean; containerID?: string; state?: { running?: { startedAt?: string } } }[] } }

export async function speakerPodOn(c: NodeCluster, role: Role): Promise<PodItem> {
  const list = await restCall(c.kc, 'GET', '/api/v1/namespaces/openelb-system/pods',
    { query: { labelSelector: 'app.kubernetes.io/component=speaker' } }) as { items: PodItem[] };
  const pod = list.items.find((p) => p.spec.nodeName === nodeName(role) && !p.metadata.deletionTimestamp);
  if (!pod) throw new Error(`no speaker pod on ${nodeName(role)}`);
  return pod;
}

/** The pid of the speaker process running in a node's network namespace (its container's main process). */
export function speakerPid(c: NodeCluster, role: Role): number {
  const ino = statSync(`/run/netns/${c.ns(role)}`).ino;
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      if (statSync(`/proc/${p}/ns/net`).ino !== ino) continue;
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (cmd[0] === 'node' && cmd.includes('speaker') && cmd.some((a) => a.endsWith('/openelb.js'))) return Number(p);
    } catch { /* gone */ }
  }
  throw new Error(`no speaker process in ${c.ns(role)}`);
}

export interface Handover {
  from: Role;
  to: Role;
  /** From the kill or delete request to the new owner's first ARP reply (ms). */
  sinceAction: number;
  /** Between the old owner's last reply and the new owner's first (ms): what a client sees as silence. */
  silence: number;
}

/** Measures the handover after `act` (a kill or a delete) of the current owner's speaker. */
export async function handover(p: ArpProber, act: (owner: Role) => Promise<void> | void): Promise<Handover> {
  const from = currentOwner(p);
  const to = otherNode(from);
  const t0 = Date.now();
  await act(from);
  const first = await waitArpFrom(p, t0, `ARP replies from ${nodeName(to)} after ${nodeName(from)}'s speaker went`, HOSTS[to].mac)
    .catch((e: Error) => { throw new Error(`${e.message}\n${nodeName(from)}'s speaker went at ${new Date(t0).toISOString()}; ARP answers since 1 s before: ${arpRuns(p, t0 - 1000)}`); });
  const lastOld = p.last(first, HOSTS[from].mac)?.t ?? t0;
  return { from, to, sinceAction: first - t0, silence: first - lastOld };
}

/** The ARP replies since `sinceMs` as runs of one sender: "n1 14:24:46.100-14:24:47.050 (38)", ... */
function arpRuns(p: ArpProber, sinceMs: number): string {
  const runs: { role: string; from: number; to: number; n: number }[] = [];
  for (const r of p.replies.filter((x) => x.t >= sinceMs)) {
    const role = String(roleOfMac(r.mac) ?? r.mac);
    const last = runs.at(-1);
    if (last?.role === role) { last.to = r.t; last.n++; } else runs.push({ role, from: r.t, to: r.t, n: 1 });
  }
  const hms = (t: number) => new Date(t).toISOString().slice(11, 23);
  return runs.map((x) => `${x.role} ${hms(x.from)}-${hms(x.to)} (${x.n})`).join(', ') || 'none';
}

/** Deletes a pod the way `kubectl delete pod` does (default grace period). */
export async function deletePod(c: NodeCluster, namespace: string, name: string): Promise<void> {
  await restCall(c.kc, 'DELETE', `/api/v1/namespaces/${namespace}/pods/${name}`);
}

/** Waits until every speaker pod runs again (after a delete, the DaemonSet's new pod). */
export async function waitSpeakersBack(c: NodeCluster): Promise<void> {
  await waitDaemonSetReady(c.kc, 'openelb-system', 'openelb-speaker', 120_000);
}

/** What a kill leaves to wait on: the killed container's id (read from its cgroup) and when. */
export interface Killed { id: string; at: number }

/** SIGKILLs the speaker process on a node. */
export function killSpeaker(c: NodeCluster, role: Role): Killed {
  const pid = speakerPid(c, role);
  const id = /[0-9a-f]{64}/.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[0];
  if (!id) throw new Error(`no container id in /proc/${pid}/cgroup of the speaker on ${nodeName(role)}`);
  const at = Date.now();
  process.kill(pid, 'SIGKILL');
  return { id, at };
}

/** Waits until a container that replaced the killed one runs and is ready. The pod status may
 * still describe the killed container or an earlier one for a while: the one wanted has another
 * id and started in the second of the kill or later (startedAt has whole seconds). */
export async function waitSpeakerRestarted(c: NodeCluster, role: Role, killed: Killed): Promise<void> {
  const killSecond = Math.floor(killed.at / 1000) * 1000;
  await poll(`the speaker on ${nodeName(role)} restarted`, async () => {
    const cs = (await speakerPodOn(c, role)).status?.containerStatuses?.[0];
    const started = Date.parse(cs?.state?.running?.startedAt ?? '');
    return !!cs && !!cs.containerID && !cs.containerID.endsWith(killed.id) && started >= killSecond && cs.ready;
  }, { timeoutMs: 120_000, everyMs: 200 });
}

type Conditions = Record<string, { status: string; reason: string; message?: string }>;

/** Waits until an Eip's conditions satisfy `ok`; returns them by type. */
export async function speakerConditions(c: NodeCluster, eip: string, ok: (cs: Conditions) => boolean, ms = 60_000): Promise<Conditions> {
  return poll(`conditions on Eip ${eip}`, async () => {
    const e = await restCall(c.kc, 'GET', `${GROUP}/eips/${eip}`) as { status?: { conditions?: ({ type: string } & Conditions[string])[] } };
    const cs: Conditions = Object.fromEntries((e.status?.conditions ?? []).map((x) => [x.type, x]));
    return ok(cs) ? cs : undefined;
  }, { timeoutMs: ms, everyMs: 200 });
}

/** `prefix` + each number from `first` to `last`: range('10.0.0.', 1, 3) is 10.0.0.1, .2, .3. */
export function range(prefix: string, first: number, last: number): string[] {
  return Array.from({ length: last - first + 1 }, (_, i) => `${prefix}${first + i}`);
}

/** The nodes whose eth0 holds `ip` (vip mode puts the address on the elected node's interface). */
export function holdersOf(c: NodeCluster, ip: string): ('n1' | 'n2')[] {
  return (['n1', 'n2'] as const).filter((role) => interfaceAddresses(c.ns(role)).some((a) => a.local === ip));
}

/** What the runtime looks like now, for a failing or overrunning step: pods, the speaker
 * DaemonSet, the Eips' conditions and the last runtime log lines. Never throws. */
export async function runtimeSnapshot(c: NodeCluster, logTail: string): Promise<string> {
  const out: string[] = [];
  const get = async (what: string, path: string, pick: (o: never) => unknown) => {
    try { out.push(`${what}: ${JSON.stringify(pick(await restCall(c.kc, 'GET', path, { timeoutMs: 5000 }) as never))}`); } catch (e) { out.push(`${what}: ${(e as Error).message}`); }
  };
  await get('pods', '/api/v1/namespaces/openelb-system/pods', (l: { items: { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string }; status?: { phase?: string; containerStatuses?: unknown } }[] }) =>
    l.items.map((p) => ({ name: p.metadata.name, node: p.spec.nodeName, deleting: p.metadata.deletionTimestamp, phase: p.status?.phase, containers: p.status?.containerStatuses })));
  await get('speaker DaemonSet', '/apis/apps/v1/namespaces/openelb-system/daemonsets/openelb-speaker', (d: { status?: unknown }) => d.status);
  await get('Eip conditions', `${GROUP}/eips`, (l: { items: { metadata: { name: string }; status?: { conditions?: unknown } }[] }) =>
    l.items.map((e) => ({ eip: e.metadata.name, conditions: e.status?.conditions })));
  out.push(`runtime logs (tail):\n${logTail.slice(-8000)}`);
  return out.join('\n');
}

/**
 * JSON-patches the runtime ConfigMap (about 1.2 MB). The answer is asked as metadata only, so
 * the megabyte does not come back through the relay; a request that does not answer within 20 s
 * is sent again (the patch is idempotent), and said so: twice a step stalled here for minutes.
 */
export async function patchRuntimeConfigMap(c: NodeCluster, patch: object[], note: (m: string) => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const call = restCall(c.kc, 'PATCH', '/api/v1/namespaces/openelb-system/configmaps/openelb-runtime', {
      body: patch, contentType: 'application/json-patch+json', accept: METADATA_ONLY, timeoutMs: 20_000,
    });
    const timer = new Promise<'stalled'>((r) => setTimeout(() => r('stalled'), 20_000).unref());
    const got = await Promise.race([call.then(() => 'done' as const), timer]);
    if (got === 'done') return;
    call.catch(() => {});
    if (attempt === 3) throw new Error('PATCH of the runtime ConfigMap did not answer in 3 tries of 20 s');
    note(`PATCH of the runtime ConfigMap did not answer in 20 s; sending it again (try ${attempt + 1})`);
    process.stderr.write(`# PATCH of the runtime ConfigMap did not answer in 20 s; sending it again\n`);
  }
}
