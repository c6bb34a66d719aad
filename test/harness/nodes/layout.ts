// The node tier's fixed layout: one bridge, the control plane, two kubelet nodes, a client, an
// ARP prober and a BGP router, each in a network namespace of its own (names carry a per-run
// prefix). Every address is inside these namespaces; none has a default route.
//
//   <p>br  bridge br0 (v-<role> here, eth0 in each namespace below)
//   <p>api 172.31.70.10  etcd, kube-apiserver, kube-controller-manager, kube-scheduler
//   <p>n1  172.31.70.11  node1: containerd, kubelet, kube-proxy; pods 172.31.72.0/24, fd00:72::/64
//   <p>n2  172.31.70.12  node2: the same; pods 172.31.73.0/24, fd00:72:0:1::/64
//   <p>cl  172.31.70.9   client (HTTP, arping, ndisc6)
//   <p>pb  172.31.70.8   ARP prober
//   <p>rt  172.31.70.7   BGP router (GoBGP)
//   Services 172.31.96.0/24 (kubernetes = 172.31.96.1) and fd00:96::/112: iptables rules in the
//   node namespaces only. Each host also has fd00:70::<last byte in hex>/64 on eth0 (dual-stack).

export const STEM = 'oelbn';
export const SUBNET_V4 = '172.31.70';
export const SUBNET_V6 = 'fd00:70:';
export const SERVICE_CIDR = '172.31.96.0/24';
export const SERVICE_CIDR_V6 = 'fd00:96::/112';
export const KUBERNETES_SERVICE_IP = '172.31.96.1';
export const CLUSTER_DNS = '172.31.96.10';
export const POD_CIDR = '172.31.72.0/23';
export const POD_CIDR_V6 = 'fd00:72::/63';
export const API_PORT = 6443;

export type Role = 'api' | 'n1' | 'n2' | 'cl' | 'pb' | 'rt';

export interface HostSpec {
  role: Role;
  v4: string;
  v6: string;
  /** Fixed, so an ARP reply names the host that sent it. */
  mac: string;
}

const host = (role: Role, last: number): HostSpec => ({
  role, v4: `${SUBNET_V4}.${last}`, v6: `${SUBNET_V6}:${last.toString(16)}`, mac: `02:0e:1b:00:00:${last.toString(16).padStart(2, '0')}`,
});

export const HOSTS: Record<Role, HostSpec> = {
  api: host('api', 10), n1: host('n1', 11), n2: host('n2', 12), cl: host('cl', 9), pb: host('pb', 8), rt: host('rt', 7),
};

export interface NodeSpec {
  role: 'n1' | 'n2';
  name: string;
  podSubnet: string;
  podGateway: string;
  podSubnetV6: string;
  podGatewayV6: string;
}

export const NODES: NodeSpec[] = [
  {
    role: 'n1', name: 'node1', podSubnet: '172.31.72.0/24', podGateway: '172.31.72.1',
    podSubnetV6: 'fd00:72::/64', podGatewayV6: 'fd00:72::1',
  },
  {
    role: 'n2', name: 'node2', podSubnet: '172.31.73.0/24', podGateway: '172.31.73.1',
    podSubnetV6: 'fd00:72:0:1::/64', podGatewayV6: 'fd00:72:0:1::1',
  },
];

/** Layer2 Eip ranges used by the tests: on the bridge's subnet, served on eth0. */
export const L2_RANGE_V4 = `${SUBNET_V4}.200-${SUBNET_V4}.219`;
export const L2_RANGE_V6 = `${SUBNET_V6}:200-${SUBNET_V6}:21f`;
export const BGP_RANGE_V4 = '172.31.80.0/28';

/** Namespace name of a role in a run. */
export const nsName = (prefix: string, role: Role | 'br'): string => `${prefix}${role}`;

/** A fresh run prefix: the stem, this process's pid (for the stale sweep), and a random letter pair. */
export function newPrefix(): string {
  const tag = Math.random().toString(36).replace(/[^a-z]/g, '').slice(0, 2).padEnd(2, 'a');
  return `${STEM}${process.pid}${tag}`;
}
