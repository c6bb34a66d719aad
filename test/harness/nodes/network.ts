// The namespaces and links of a node-tier run (layout.ts): one bridge namespace, a veth from it
// to each host namespace, fixed MACs, IPv4 and IPv6 on eth0, and only the routes the cluster
// needs. No namespace gets a default route, so nothing can leave the machine.
import { execFileSync } from 'node:child_process';
import { HOSTS, NODES, nsName, SERVICE_CIDR, SERVICE_CIDR_V6, type Role } from './layout';

export function ip(args: string[]): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`ip ${args.join(' ')}: ${(e as { stderr?: string }).stderr?.trim() ?? String(e)}`);
  }
}

/** Runs a short command in a namespace (network only, like the daemons) and returns stdout. */
export function nsExec(ns: string, argv: string[], timeoutMs = 20_000): string {
  try {
    return execFileSync('nsenter', [`--net=/run/netns/${ns}`, '--', ...argv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${argv.join(' ')} (in ${ns}): ${err.stderr?.trim() || err.stdout?.trim() || err.message}`);
  }
}

/**
 * Creates every namespace of the run; `created` is called with each one right after it exists,
 * so the teardown knows it even if a later step fails.
 */
export function buildNetwork(prefix: string, created: (ns: string) => void): void {
  const br = nsName(prefix, 'br');
  ip(['netns', 'add', br]);
  created(br);
  ip(['-n', br, 'link', 'add', 'br0', 'type', 'bridge']);
  ip(['-n', br, 'link', 'set', 'br0', 'up']);
  for (const role of Object.keys(HOSTS) as Role[]) {
    const ns = nsName(prefix, role);
    ip(['netns', 'add', ns]);
    created(ns);
    const h = HOSTS[role];
    ip(['link', 'add', `v-${role}`, 'netns', br, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    ip(['-n', br, 'link', 'set', `v-${role}`, 'master', 'br0', 'up']);
    nsExec(ns, ['sysctl', '-qw', 'net.ipv6.conf.eth0.accept_dad=0']);
    ip(['-n', ns, 'link', 'set', 'eth0', 'address', h.mac]);
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
    ip(['-n', ns, 'addr', 'add', `${h.v4}/24`, 'dev', 'eth0']);
    ip(['-n', ns, 'addr', 'add', `${h.v6}/64`, 'dev', 'eth0', 'nodad']);
  }
  addRoutes(prefix);
}

function addRoutes(prefix: string): void {
  for (const role of Object.keys(HOSTS) as Role[]) {
    const ns = nsName(prefix, role);
    for (const node of NODES) {
      // Pod subnets: the API server answers pods directly, and kube-proxy may DNAT a packet that
      // reached one node to a pod on the other.
      if (node.role !== role) {
        ip(['-n', ns, 'route', 'add', node.podSubnet, 'via', HOSTS[node.role].v4]);
        ip(['-n', ns, '-6', 'route', 'add', node.podSubnetV6, 'via', HOSTS[node.role].v6]);
      }
    }
    // A hostNetwork pod (the speaker) connects to the kubernetes Service's ClusterIP; without a
    // route connect() fails with ENETUNREACH before kube-proxy's DNAT is reached.
    if (role === 'n1' || role === 'n2') {
      ip(['-n', ns, 'route', 'add', SERVICE_CIDR, 'dev', 'eth0']);
      ip(['-n', ns, '-6', 'route', 'add', SERVICE_CIDR_V6, 'dev', 'eth0']);
      // A node routes its IPv6 pods' packets. The CNI bridge plugin (isGateway) turns forwarding on
      // at the first pod, IPv4 and IPv6 alike; set here, IPv6 does not depend on that.
      nsExec(ns, ['sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1']);
    }
  }
}
