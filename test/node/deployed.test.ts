// The runtime as users deploy it: `openelb deploy` on a real two-node cluster (kubelets,
// containerd, kube-proxy; nodeCluster.ts), the controller and speaker running as pods under
// their own ServiceAccounts, seen from the LAN (ARP, HTTP, BGP) and from their own logs.
// The steps run in order on one cluster; the last checks that no runtime pod was ever refused
// by RBAC (HTTP 403) and that the machine is left as found.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { restCall } from '../../runtime/src/kube/rest';
import { DEFAULT_IMAGE } from '../../runtime/src/ops/names';
import { poll } from '../harness/support/poll';
import { BGP_RANGE_V4, HOSTS, L2_RANGE_V4, L2_RANGE_V6, type Role } from '../harness/nodes/layout';
import { startNodeCluster, type NodeCluster } from '../harness/nodes/nodeCluster';
import { ArpProber, ndiscFromClient, PodLogs, roleOfMac } from '../harness/nodes/observe';
import {
  applyBackend, applyEip, applyService, currentOwner, deletePod, firstHttp, handover, holdersOf, nodeName, openelb, otherNode, range, runtimeSnapshot,
  patchRuntimeConfigMap, serviceAddress, speakerConditions, speakerPodOn, waitArpFrom, waitRuntimeReady, waitSpeakerRestarted, waitSpeakersBack, killSpeaker, type Killed,
} from '../harness/nodes/steps';
import { addSecondLan, arpReplyOnSecondLan, gobgpRib, startGobgp } from '../harness/nodes/extraNetworks';
import { electOwner } from '../../runtime/src/speaker/plan/election';
import { apiServerStopped, arpDuring, withdrawalsLogged } from '../harness/nodes/apiOutage';
import { TAMPERED_MARK, tamperedBundleRefused } from './tamperedRuntime';

const VIP = '172.31.70.200';
const VIP6 = 'fd00:70::200';
const VIP_RANGE = '172.31.70.220-172.31.70.229';
const log = (m: string) => console.log(`# ${m}`);

describe('node tier: the runtime deployed by `openelb deploy` on real kubelet nodes', { concurrency: false }, () => {
  let c: NodeCluster;
  let logs: PodLogs;
  /**
   * One step of the tier, bounded: a step that fails, or is still running 10 s before its time
   * is up (the runner then cancels it and goes on), prints a snapshot of the runtime first.
   */
  let lastNote = '';
  /** What a step is waiting for now, shown if it overruns. */
  const note = (what: string) => { lastNote = `${new Date().toISOString()} ${what}`; };
  const step = (name: string, fn: () => Promise<void>, timeoutMs = 180_000) => test(name, { timeout: timeoutMs }, async () => {
    lastNote = '';
    const show = async (why: string) => log(`${why}; last note: ${lastNote || 'none'}; runtime now:\n${await runtimeSnapshot(c, logs.text())}`.replace(/\n/g, '\n# '));
    const late = setTimeout(() => void show(`step still running after ${(timeoutMs - 10_000) / 1000} s`), timeoutMs - 10_000);
    try { await fn(); } catch (e) { await show(`step failed: ${(e as Error).message}`); throw e; } finally { clearTimeout(late); }
  });
  let prober: ArpProber;
  let leftovers: string[] | undefined;

  before(async () => {
    c = await startNodeCluster({ log });
    logs = new PodLogs(c.kc, 'openelb-system', 'app.kubernetes.io/name=openelb').start();
  });

  after(async () => {
    prober?.stop();
    logs?.stop();
    leftovers = await c?.stop();
    assert.deepEqual(leftovers, [], 'the node tier must leave nothing behind');
  });

  step('deploy: controller and speaker pods Ready, under their own ServiceAccounts, on the default image', async () => {
    // --vip: the vip step needs the speaker's CAP_NET_ADMIN (redeploys keep it).
    const r = await openelb(c, ['deploy', '--vip']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /packet helper shipped for: amd64/);
    await waitRuntimeReady(c);
    const pods = await restCall(c.kc, 'GET', '/api/v1/namespaces/openelb-system/pods') as
      { items: { spec: { serviceAccountName: string; containers: { image: string }[] }; metadata: { labels: Record<string, string> } }[] };
    const byComponent = (k: string) => pods.items.filter((p) => p.metadata.labels['app.kubernetes.io/component'] === k);
    assert.equal(byComponent('controller').length, 1);
    assert.equal(byComponent('speaker').length, 2);
    for (const p of pods.items) {
      assert.equal(p.spec.serviceAccountName, `openelb-${p.metadata.labels['app.kubernetes.io/component']}`);
      assert.equal(p.spec.containers[0].image, DEFAULT_IMAGE);
    }
    // Gossip membership (issue #14): the key Secret exists, both speakers read it and gossip.
    assert.match(r.stdout, /speakers gossip on UDP 7947: open it between all nodes, both ways/);
    const secret = await restCall(c.kc, 'GET', '/api/v1/namespaces/openelb-system/secrets/openelb-speaker-gossip') as { data?: Record<string, string> };
    assert.equal(Buffer.from(secret.data?.key ?? '', 'base64').length, 32);
    await poll('both speakers gossip, out of doubt', async () =>
      logs.grep(/gossip membership on UDP 7947/).length >= 2 && logs.grep(/membership: gossip decides liveness/).length >= 2, { timeoutMs: 30_000, everyMs: 200 });
    assert.deepEqual(logs.grep(/gossip membership off/), []);
  });

  step('layer2: the Service gets an address, the owner node answers ARP, kube-proxy carries HTTP to a backend pod', async () => {
    await applyBackend(c);
    await applyEip(c, 'l2', { address: L2_RANGE_V4, protocol: 'layer2', interface: 'eth0' });
    prober = await ArpProber.start(c, VIP);
    const t0 = Date.now();
    await applyService(c, 'web', { 'eip.openelb.kubesphere.io/v1alpha2': 'l2', 'protocol.openelb.kubesphere.io/v1alpha1': 'layer2' });
    assert.equal(await serviceAddress(c, 'web'), VIP);
    await waitArpFrom(prober, t0, `ARP replies for ${VIP}`);
    const owner = roleOfMac(prober.replies[0].mac);
    assert.ok(owner === 'n1' || owner === 'n2', `ARP answered by ${prober.replies[0].mac}, not a node`);
    // One node answers, not both.
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual([...new Set(prober.replies.map((x) => roleOfMac(x.mac)))], [owner]);
    const { body } = await firstHttp(c, VIP);
    assert.match(body, /^hello from web-/);
  });

  step('layer2 IPv6: the Service gets an address from an IPv6 Eip, the owner node answers NDP, kube-proxy carries HTTP', async () => {
    // Every backend pod running (on a slow machine one may still be starting), each with its addresses.
    const pods = await poll('both backend pods with addresses', async () => {
      const l = await restCall(c.kc, 'GET', '/api/v1/namespaces/default/pods', { query: { labelSelector: 'app=web' } }) as
        { items: { metadata: { deletionTimestamp?: string }; status?: { podIPs?: { ip: string }[] } }[] };
      const live = l.items.filter((p) => !p.metadata.deletionTimestamp);
      return live.length === 2 && live.every((p) => p.status?.podIPs?.length) ? live : undefined;
    }, { timeoutMs: 120_000, everyMs: 200 });
    // Dual-stack pods: the CNI bridge gave each an IPv6 address too (the Service's endpoints).
    for (const p of pods) {
      assert.ok(p.status?.podIPs?.some((x) => x.ip.includes(':')), `a backend pod without an IPv6 address: ${JSON.stringify(p.status?.podIPs)}`);
    }
    await applyEip(c, 'l2v6', { address: L2_RANGE_V6, protocol: 'layer2', interface: 'eth0' });
    await applyService(c, 'web6', { 'eip.openelb.kubesphere.io/v1alpha2': 'l2v6', 'protocol.openelb.kubesphere.io/v1alpha1': 'layer2' }, 'web', 'IPv6');
    const ip = await serviceAddress(c, 'web6');
    const t0 = Date.now();
    assert.equal(ip, VIP6);
    let asked = 0;
    const first = await poll(`a Neighbor Advertisement for ${ip}`, () => { asked++; return ndiscFromClient(c, ip, 200, false)[0]; },
      { timeoutMs: 30_000, everyMs: 20 });
    log(`NDP: first advertisement ${Date.now() - t0} ms after the Service showed ${ip}, to solicitation ${asked}, from ${first}`);
    const owner = roleOfMac(first);
    assert.ok(owner === 'n1' || owner === 'n2', `NDP answered by ${first}, not a node`);
    // One node answers, not both: every advertisement to three more solicitations carries the owner's MAC.
    const macs = [0, 1, 2].flatMap(() => ndiscFromClient(c, ip, 500));
    assert.ok(macs.length >= 3, `only ${macs.length} advertisements to 3 solicitations`);
    assert.deepEqual([...new Set(macs)], [HOSTS[owner].mac]);
    const { body } = await firstHttp(c, ip);
    assert.match(body, /^hello from web-/);
  });

  step('API server frozen (SIGSTOP) for 30 s: the owner keeps answering ARP, HTTP works, nothing is withdrawn; then all converges', async () => {
    const owner = currentOwner(prober);
    note('kube-apiserver stopped; probing ARP and HTTP');
    const o = await apiServerStopped(c, prober, VIP, 30_000);
    log(`API outage: ${o.arpReplies} ARP replies from ${o.answering.join(', ')}; HTTP failed ${o.httpFailures.length} of ${o.httpTries}`);
    assert.deepEqual(o.arpGaps.map(([a, b]) => `${b - a} ms silent from ${new Date(a).toISOString()}`), [], 'ARP silences during the outage');
    assert.deepEqual(o.answering, [owner], 'only the owner answered, throughout');
    assert.deepEqual(o.httpFailures, [], 'HTTP probes failed (twice in a row)');
    note('after SIGCONT: pods Ready, Services and Eip status');
    await waitRuntimeReady(c);
    assert.equal(await serviceAddress(c, 'web'), VIP);
    assert.equal(await serviceAddress(c, 'web6'), VIP6);
    const l2 = await restCall(c.kc, 'GET', '/apis/network.kubesphere.io/v1alpha2/eips/l2') as { status?: { used?: Record<string, string> } };
    assert.ok(l2.status?.used?.[VIP], `Eip l2 status.used lost ${VIP}: ${JSON.stringify(l2.status)}`);
    // The same owner after the API server is back, and no speaker withdrew anything in between.
    const back = Date.now();
    await waitArpFrom(prober, back, `${nodeName(owner)} answering after the outage`, HOSTS[owner].mac);
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(arpDuring(prober, back, Date.now()).answering, [owner]);
    assert.deepEqual(withdrawalsLogged(logs, o.from, Date.now()), []);
  }, 150_000);

  step('failover: the owner speaker killed (SIGKILL) -> the other node answers', async () => {
    // The kubelet restarts a container at once after its first crash, often within the 0.8 s a
    // Lease takes to lapse, and then the same node simply answers again (no failover is needed,
    // and none happens). A first kill puts the container into the kubelet's restart backoff
    // (10 s), so the kill measured below shows the failover itself.
    const first = currentOwner(prober);
    await waitSpeakerRestarted(c, first, killSpeaker(c, first));
    await waitArpFrom(prober, Date.now(), `${nodeName(first)} answering again after its restart`, HOSTS[first].mac);
    note(`${nodeName(first)}'s speaker restarted once; killing the owner again, now in restart backoff`);
    let killed: Killed = { id: '', at: 0 };
    let victim: Role = 'n1';
    const h = await handover(prober, (owner) => {
      victim = owner;
      killed = killSpeaker(c, owner);
    });
    log(`kill: ${nodeName(h.from)} -> ${nodeName(h.to)} answered after ${h.sinceAction} ms (silence ${h.silence} ms)`);
    assert.ok(await firstHttp(c, VIP, 30_000));
    await waitSpeakerRestarted(c, victim, killed);
    // Running is not serving: the next step starts once the restarted speaker answers for the
    // address the election gives back to it, not while it is still starting.
    await waitArpFrom(prober, killed.at, `${nodeName(victim)} answering again after its restart`, HOSTS[victim].mac);
  });

  step('failover: the owner speaker pod deleted cleanly -> the other node answers, the Lease is deleted', async () => {
    let deleted = '';
    const h = await handover(prober, async (owner) => {
      deleted = (await speakerPodOn(c, owner)).metadata.name;
      await deletePod(c, 'openelb-system', deleted);
    });
    log(`delete: ${nodeName(h.from)} -> ${nodeName(h.to)} answered after ${h.sinceAction} ms (silence ${h.silence} ms)`);
    // The DaemonSet's status may still count the terminating pod: wait for its replacement.
    await poll(`a new speaker pod on ${nodeName(h.from)}, ready`, async () => {
      const p = await speakerPodOn(c, h.from).catch(() => undefined);
      return !!p && p.metadata.name !== deleted && !!p.status?.containerStatuses?.[0]?.ready;
    }, { timeoutMs: 120_000, everyMs: 200 });
    await waitSpeakersBack(c);
    assert.deepEqual(logs.grep(/cannot delete Lease|could not release/), []);
  });

  step('a node whose interface is missing reports Speaker.<node>=False and the other node answers even the addresses it would win', async () => {
    addSecondLan(c);
    await applyEip(c, 'l2b', { address: '172.31.71.200-172.31.71.209', protocol: 'layer2', interface: 'eth1' });
    // An address the election gives node1 when both nodes can serve: only node1 leaving it makes node2 answer.
    const ip = range('172.31.71.', 200, 209).find((a) => electOwner(a, ['node1', 'node2']) === 'node1')!;
    await applyService(c, 'web-b', { 'eip.openelb.kubesphere.io/v1alpha2': 'l2b', 'eip.openelb.kubesphere.io/v1alpha1': ip });
    assert.equal(await serviceAddress(c, 'web-b'), ip);
    const conds = await speakerConditions(c, 'l2b', (cs) => cs['Speaker.node1']?.status === 'False' && cs['Speaker.node2']?.status === 'True');
    assert.equal(conds['Speaker.node1'].reason, 'ConfigSpeakerFailed');
    await poll(`node2 answering ARP for ${ip} on eth1`, () => arpReplyOnSecondLan(c, ip), { timeoutMs: 20_000, everyMs: 200 });
    const status = await openelb(c, ['status']);
    assert.match(status.stdout + status.stderr, /WARNING: Eip l2b: node node1 cannot announce it/);
  });

  step('a speaker that cannot run its packet helper reports Layer2OpenFailed and leaves the election', async () => {
    const owner = currentOwner(prober);
    const other = otherNode(owner);
    // The runtime ConfigMap without the amd64 helper: what a broken bundle gives the next pod that starts.
    note('PATCH the runtime ConfigMap without the amd64 helper');
    await patchRuntimeConfigMap(c, [{ op: 'remove', path: '/binaryData/openelb-packet-helper-amd64.br' }], note);
    const t0 = Date.now();
    note(`delete the speaker pod on ${nodeName(owner)}`);
    await deletePod(c, 'openelb-system', (await speakerPodOn(c, owner)).metadata.name);
    note('wait for the speakers to be back');
    await waitSpeakersBack(c);
    note('wait for Layer2OpenFailed');
    const conds = await speakerConditions(c, 'l2', (cs) => cs[`Speaker.${nodeName(owner)}`]?.status === 'False');
    assert.equal(conds[`Speaker.${nodeName(owner)}`].reason, 'Layer2OpenFailed');
    // Its speaker runs and renews its Lease, yet only the other node answers.
    const since = Date.now();
    await new Promise((r) => setTimeout(r, 2000));
    const answering = new Set(prober.replies.filter((r) => r.t >= since).map((r) => roleOfMac(r.mac)));
    assert.deepEqual([...answering], [other]);
    assert.ok(prober.first(t0, HOSTS[other].mac));
    // Deploying again restores the helper; the owner's next pod serves again.
    note('openelb deploy (restores the helper)');
    assert.equal((await openelb(c, ['deploy'])).status, 0);
    note(`delete the speaker pod on ${nodeName(owner)} again`);
    await deletePod(c, 'openelb-system', (await speakerPodOn(c, owner)).metadata.name);
    note('wait for the speakers to be back, then Speaker True');
    await waitSpeakersBack(c);
    await speakerConditions(c, 'l2', (cs) => cs[`Speaker.${nodeName(owner)}`]?.status === 'True');
    note('wait for the owner to answer ARP again');
    await waitArpFrom(prober, Date.now(), `${nodeName(owner)} answering again`, HOSTS[owner].mac);
  });

  step('a tampered runtime ConfigMap: the next speaker pod refuses to start, naming the file and both digests; deploy restores it', async () => {
    const message = await tamperedBundleRefused(c, otherNode(currentOwner(prober)), note);
    assert.match(message, /refusing to start: openelb\.js\.br in ConfigMap openelb-system\/openelb-runtime has SHA-256 [0-9a-f]{64} but this pod expects [0-9a-f]{64}/);
    assert.deepEqual(logs.grep(new RegExp(TAMPERED_MARK)), [], 'the tampered bundle never ran');
  });

  step('BGP: a Service reaches GoBGP with both nodes as next hops', async () => {
    startGobgp(c, 65000, [HOSTS.n1.v4, HOSTS.n2.v4]);
    await restCall(c.kc, 'PATCH', '/apis/network.kubesphere.io/v1alpha2/bgpconfs/default', {
      body: { apiVersion: 'network.kubesphere.io/v1alpha2', kind: 'BgpConf', metadata: { name: 'default' }, spec: { as: 65001, listenPort: 17900 } },
      contentType: 'application/apply-patch+yaml', query: { fieldManager: 'node-tier', force: 'true' },
    });
    await restCall(c.kc, 'PATCH', '/apis/network.kubesphere.io/v1alpha2/bgppeers/router', {
      body: { apiVersion: 'network.kubesphere.io/v1alpha2', kind: 'BgpPeer', metadata: { name: 'router' },
        spec: { conf: { peerAs: 65000, neighborAddress: HOSTS.rt.v4 }, timers: { config: { connectRetry: '1' } } } },
      contentType: 'application/apply-patch+yaml', query: { fieldManager: 'node-tier', force: 'true' },
    });
    await applyEip(c, 'bgp', { address: BGP_RANGE_V4, protocol: 'bgp' });
    await applyService(c, 'web-bgp', { 'eip.openelb.kubesphere.io/v1alpha2': 'bgp', 'protocol.openelb.kubesphere.io/v1alpha1': 'bgp' });
    const ip = await serviceAddress(c, 'web-bgp');
    const hops = await poll(`both next hops for ${ip}/32 at GoBGP`, () => {
      const h = gobgpRib(c)[`${ip}/32`];
      return h?.length === 2 ? h : undefined;
    }, { timeoutMs: 60_000, everyMs: 200 });
    assert.deepEqual(hops, [HOSTS.n1.v4, HOSTS.n2.v4].sort());
  });

  step('vip: the elected node holds the address on eth0, kube-proxy carries HTTP, a killed speaker hands it over, nothing is left', async () => {
    await applyEip(c, 'vipp', { address: VIP_RANGE, protocol: 'vip', interface: 'eth0' });
    await applyService(c, 'web-vip', { 'eip.openelb.kubesphere.io/v1alpha2': 'vipp', 'protocol.openelb.kubesphere.io/v1alpha1': 'vip' });
    const ip = await serviceAddress(c, 'web-vip');
    const [owner] = await poll(`one node holding ${ip} on eth0`, () => { const h = holdersOf(c, ip); return h.length === 1 ? h : undefined; },
      { timeoutMs: 30_000, everyMs: 100 });
    assert.match((await firstHttp(c, ip)).body, /^hello from web-/);
    // SIGKILL the holder's speaker: the other node takes the address. The killed node keeps its
    // copy until its speaker restarts; then the election is as before, and one node holds it.
    const t0 = Date.now();
    const killed = killSpeaker(c, owner);
    await poll(`${nodeName(otherNode(owner))} holding ${ip}`, () => holdersOf(c, ip).includes(otherNode(owner)), { timeoutMs: 30_000, everyMs: 20 });
    log(`vip: ${nodeName(owner)}'s speaker killed -> ${nodeName(otherNode(owner))} holds ${ip} after ${Date.now() - t0} ms`);
    await waitSpeakerRestarted(c, owner, killed);
    await poll(`exactly one node holding ${ip} after the restart`, () => holdersOf(c, ip).length === 1, { timeoutMs: 30_000, everyMs: 100 });
    assert.ok(await firstHttp(c, ip, 30_000));
    await restCall(c.kc, 'DELETE', '/api/v1/namespaces/default/services/web-vip');
    await poll(`${ip} gone from every node`, () => holdersOf(c, ip).length === 0, { timeoutMs: 30_000, everyMs: 100 });
  });

  step('strictarp against the real kube-proxy DaemonSet: iptables mode needs no change and nothing restarts', async () => {
    const before = await restCall(c.kc, 'GET', '/apis/apps/v1/namespaces/kube-system/daemonsets/kube-proxy') as { metadata: { generation: number } };
    const check = await openelb(c, ['strictarp', '--check']);
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout + check.stderr, /iptables/);
    const apply = await openelb(c, ['strictarp']);
    assert.equal(apply.status, 0, apply.stderr);
    const afterDs = await restCall(c.kc, 'GET', '/apis/apps/v1/namespaces/kube-system/daemonsets/kube-proxy') as { metadata: { generation: number } };
    assert.equal(afterDs.metadata.generation, before.metadata.generation);
    assert.ok(await firstHttp(c, VIP, 10_000));
  });

  step('deploy with the image pinned by digest rolls the pods onto it', async () => {
    const digest = imageDigest(c, 'n1', DEFAULT_IMAGE);
    const pinned = `${DEFAULT_IMAGE}@${digest}`;
    const r = await openelb(c, ['deploy', '--image', pinned]);
    assert.equal(r.status, 0, r.stderr);
    await poll('every runtime pod on the pinned image', async () => {
      const pods = await restCall(c.kc, 'GET', '/api/v1/namespaces/openelb-system/pods') as
        { items: { metadata: { deletionTimestamp?: string }; spec: { containers: { image: string }[] }; status?: { containerStatuses?: { ready: boolean }[] } }[] };
      const live = pods.items.filter((p) => !p.metadata.deletionTimestamp);
      return live.length === 3 && live.every((p) => p.spec.containers[0].image === pinned && p.status?.containerStatuses?.[0]?.ready);
    }, { timeoutMs: 180_000, everyMs: 500 });
    await waitRuntimeReady(c);
    assert.ok(await firstHttp(c, VIP, 30_000));
  }, 300_000);

  step('undeploy refuses while Services hold addresses; --release-services frees them; no runtime pod was ever refused (403)', async () => {
    const refused = await openelb(c, ['undeploy']);
    assert.equal(refused.status, 1);
    assert.match(refused.stdout + refused.stderr, /default\/web \(172\.31\.70\.200\)/);
    const r = await openelb(c, ['undeploy', '--release-services']);
    assert.equal(r.status, 0, r.stderr);
    const pods = await restCall(c.kc, 'GET', '/api/v1/namespaces/openelb-system/pods') as { items: unknown[] };
    assert.equal(pods.items.length, 0);
    await restCall(c.kc, 'DELETE', '/api/v1/namespaces/default/services/web');
    await poll('Service web deleted (no finalizer left behind)', async () => {
      try { await restCall(c.kc, 'GET', '/api/v1/namespaces/default/services/web'); return false; } catch (e) { return (e as { code?: number }).code === 404; }
    }, { timeoutMs: 20_000, everyMs: 100 });
    const forbidden = logs.grep(/\b403\b|forbidden/i);
    assert.deepEqual(forbidden, [], `runtime pods were refused by RBAC:\n${forbidden.join('\n')}`);
    assert.ok(logs.text().length > 0, 'the runtime pods logged nothing: the log collector saw no pod');
  });
});

/** The digest containerd holds for an image (what a pull by digest would resolve to). */
function imageDigest(c: NodeCluster, role: Role, ref: string): string {
  const full = ref.includes('/') ? ref : `docker.io/library/${ref}`;
  const out = execCtr(c, role, ['images', 'ls']);
  const line = out.split('\n').find((l) => l.startsWith(`${full} `));
  const m = line && /sha256:[0-9a-f]{64}/.exec(line);
  if (!m) throw new Error(`${full} not found in containerd on ${role}:\n${out}`);
  return m[0];
}

function execCtr(c: NodeCluster, role: Role, args: string[]): string {
  return c.exec(role, ['ctr', '-a', `${c.state.runDir}/${role}/containerd.sock`, '-n', 'k8s.io', ...args]);
}
