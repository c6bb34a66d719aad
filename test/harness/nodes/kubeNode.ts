// One Kubernetes node of the tier: containerd and the kubelet, both inside the node's
// network namespace (so hostNetwork pods, kube-proxy's and the speaker's, live on the node's eth0), each with
// its own state under the run directory, its own cgroup root and its own CNI network.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type DaemonRecord } from './daemons';
import { waitReady } from './controlPlane';
import type { Pki } from './certs';
import { CLUSTER_DNS, HOSTS, type NodeSpec } from './layout';

const run = promisify(execFile);

export interface NodeDirs {
  root: string;
  sock: string;
  cgroup: string;
}

export function nodeDirs(runDir: string, prefix: string, node: NodeSpec): NodeDirs {
  const root = join(runDir, node.role);
  return { root, sock: join(root, 'containerd.sock'), cgroup: `${prefix}${node.role}` };
}

/** The cgroup v1 hierarchies the kubelet needs its root in (not the unified v2 mount). */
export function cgroupHierarchies(): string[] {
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-');
    if (sep > 0 && f[sep + 1] === 'cgroup') out.push(f[4]);
  }
  return out;
}

/** Creates the node's cgroup root in every v1 hierarchy (cpuset needs its cpus and mems copied). */
export function makeCgroupRoot(name: string): void {
  for (const h of cgroupHierarchies()) {
    mkdirSync(join(h, name), { recursive: true });
    if (h.endsWith('/cpuset')) {
      for (const f of ['cpuset.cpus', 'cpuset.mems']) writeFileSync(join(h, name, f), readFileSync(join(h, f)));
    }
  }
}

function containerdConfig(d: NodeDirs, node: NodeSpec): string {
  return `version = 2
root = "${d.root}/containerd/root"
state = "${d.root}/containerd/state"
[grpc]
  address = "${d.sock}"
[plugins."io.containerd.internal.v1.opt"]
  path = "${d.root}/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10"
  # The kernel here drops CAP_SYS_RESOURCE: a negative oom_score_adj for the sandbox fails runc.
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  enable_unprivileged_ports = true
  enable_unprivileged_icmp = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "${d.root}/containerd/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${d.root}/cni/net.d"
    max_conf_num = 1
# node ${node.name}
`;
}

function cniConfig(d: NodeDirs, node: NodeSpec, network: string): string {
  return JSON.stringify({
    cniVersion: '1.0.0', name: network, plugins: [{
      type: 'bridge', bridge: 'cni0', isGateway: true, ipMasq: false, hairpinMode: true,
      ipam: {
        type: 'host-local', dataDir: `${d.root}/cni/ipam`,
        ranges: [[{ subnet: node.podSubnet, gateway: node.podGateway }], [{ subnet: node.podSubnetV6, gateway: node.podGatewayV6 }]],
        routes: [{ dst: '0.0.0.0/0' }, { dst: '::/0' }],
      },
    }],
  }, null, 2);
}

function kubeletConfig(d: NodeDirs, node: NodeSpec, pki: Pki): string {
  const serving = pki.cert(`kubelet-${node.name}-serving`);
  return `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${HOSTS[node.role].v4}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
authentication: {anonymous: {enabled: false}, webhook: {enabled: true}, x509: {clientCAFile: ${pki.ca}}}
authorization: {mode: Webhook}
tlsCertFile: ${serving.crt}
tlsPrivateKeyFile: ${serving.key}
cgroupDriver: cgroupfs
cgroupRoot: /${d.cgroup}
containerRuntimeEndpoint: unix://${d.sock}
failSwapOn: false
failCgroupV1: false
clusterDomain: cluster.local
clusterDNS: [${CLUSTER_DNS}]
resolvConf: /etc/resolv.conf
protectKernelDefaults: false
podLogsDir: ${d.root}/podlogs
volumePluginDir: ${d.root}/volplugins
registerNode: true
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
`;
}

export interface NodeStartSpec {
  ns: string;
  prefix: string;
  runDir: string;
  bin: string;
  pki: Pki;
  node: NodeSpec;
  kubeletKubeconfig: string;
  images: string[];
  record: (d: DaemonRecord) => void;
}

/** containerd up, the images imported into it; resolves when both are done. */
export async function startContainerd(s: NodeStartSpec): Promise<void> {
  const d = nodeDirs(s.runDir, s.prefix, s.node);
  mkdirSync(join(d.root, 'cni', 'net.d'), { recursive: true });
  writeFileSync(join(d.root, 'containerd.toml'), containerdConfig(d, s.node));
  writeFileSync(join(d.root, 'cni', 'net.d', '10-bridge.conflist'), cniConfig(d, s.node, `${s.prefix}${s.node.role}`));
  const daemon = startDaemon(`containerd-${s.node.name}`, s.ns, ['containerd', '--config', join(d.root, 'containerd.toml')], join(d.root, 'containerd.log'));
  s.record(daemon);
  await waitReady(daemon, `containerd on ${s.node.name}`, async () => {
    execFileSync('ctr', ['-a', d.sock, 'version'], { stdio: 'ignore' });
    return true;
  }, 30_000);
  // Asynchronous: the API server comes up meanwhile, and the two nodes import side by side.
  const ctr = async (args: string[]) => (await run('ctr', ['-a', d.sock, '-n', 'k8s.io', ...args], { encoding: 'utf8', timeout: 120_000 })).stdout;
  for (const image of s.images) await ctr(['images', 'import', image]);
  // A pull by digest leaves the image under `repo@sha256:...` too; without that name a pod that
  // pins the image by digest would try a registry (and fail: nothing here reaches one).
  for (const line of (await ctr(['images', 'ls'])).split('\n').slice(1)) {
    const [name, , digest] = line.split(/\s+/);
    if (name && !name.includes('@') && digest?.startsWith('sha256:')) await ctr(['images', 'tag', name, `${name.replace(/:[^:/]+$/, '')}@${digest}`]);
  }
}

export function startKubelet(s: NodeStartSpec): DaemonRecord {
  const d = nodeDirs(s.runDir, s.prefix, s.node);
  makeCgroupRoot(d.cgroup);
  writeFileSync(join(d.root, 'kubelet.yaml'), kubeletConfig(d, s.node, s.pki));
  const daemon = startDaemon(`kubelet-${s.node.name}`, s.ns, [join(s.bin, 'kubelet'), `--config=${join(d.root, 'kubelet.yaml')}`,
    `--kubeconfig=${s.kubeletKubeconfig}`, `--root-dir=${join(d.root, 'kubelet')}`, `--cert-dir=${join(d.root, 'kubelet', 'pki')}`,
    `--hostname-override=${s.node.name}`, `--node-ip=${HOSTS[s.node.role].v4},${HOSTS[s.node.role].v6}`, '--v=1'], join(d.root, 'kubelet.log'));
  s.record(daemon);
  return daemon;
}
