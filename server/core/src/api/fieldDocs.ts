// Our own documentation of the fields users write, keyed by "Kind path" (both versions share it).
// Shown in hover and completion, and merged into the CRDs we deploy.

export const FIELD_DOCS: Record<string, string> = {
  'Eip spec': 'The address pool and how OpenELB announces the addresses taken from it.',
  'Eip spec.address':
    'The addresses of this pool: one IP (`192.168.0.10`), an inclusive range (`192.168.0.10-192.168.0.20`) or a CIDR (`192.168.0.0/28`, `2001:db8::/120`). IPv6 needs v1alpha2. Cannot be changed after creation.',
  'Eip spec.protocol':
    'How allocated addresses are made reachable: `bgp` (default; routes announced to BgpPeers), `layer2` (a node answers ARP/NDP for them) or `vip` (keepalived VRRP).',
  'Eip spec.interface':
    'The node NIC that answers for `layer2` and `vip` pools: an interface name such as `eth0`, or `can_reach:IP` to pick, on each node, the interface whose routes reach IP.',
  'Eip spec.disable': 'When true, no new address is allocated from this pool; addresses already in use stay.',
  'Eip spec.usingKnownIPs':
    'When true, addresses of the pool that are already in use on the network may still be allocated (OpenELB does not probe them).',
  'Eip spec.priority':
    'Among pools bound to the same namespace, the one with the lowest priority value is tried first.',
  'Eip spec.namespaces': 'Services in these namespaces get their address from this pool unless they name another.',
  'Eip spec.namespaceSelector':
    'Services in namespaces whose labels match all these key/value pairs get their address from this pool unless they name another.',
  'Eip status': 'Written by the controller; anything written here by hand is ignored or overwritten.',
  'Eip status.poolSize': 'How many addresses the pool holds.',
  'Eip status.usage': 'How many addresses are allocated.',
  'Eip status.used': 'Allocated addresses and the Services using them.',
  'Eip status.occupied': 'True when every address is allocated.',
  'Eip status.firstIP': 'The first address of the pool.',
  'Eip status.lastIP': 'The last address of the pool.',
  'Eip status.v4': 'True for an IPv4 pool.',
  'Eip status.ready': 'True once the controller has accepted the pool.',

  'BgpConf spec': 'The local BGP speaker of every node. OpenELB reads only the BgpConf named `default`.',
  'BgpConf spec.as': 'Local autonomous system number, 1 to 4294967295 (4-octet AS numbers are supported).',
  'BgpConf spec.routerId': 'BGP router ID, an IPv4 address. When empty, each node uses its own InternalIP.',
  'BgpConf spec.routerID': 'v1alpha1 spelling of the BGP router ID (v1alpha2 calls it `routerId`).',
  'BgpConf spec.port': 'v1alpha1: port the BGP speaker listens on (v1alpha2 calls it `listenPort`).',
  'BgpConf spec.listenPort': 'TCP port the speaker listens on for BGP sessions (179 is standard; OpenELB examples use 17900); -1 means do not listen for incoming sessions.',
  'BgpConf spec.listenAddresses': 'Addresses the speaker listens on; all addresses when empty.',
  'BgpConf spec.asPerRack': 'AS number per rack, keyed by the value of the node label `openelb.kubesphere.io/rack`; a node of a listed rack uses that AS instead of `as`, which may then be left out.',
  'BgpConf spec.families': 'Address families to enable, as numeric AFI/SAFI codes.',
  'BgpConf spec.useMultiplePaths': 'Install several paths to one prefix (multipath).',
  'BgpConf spec.gracefulRestart': 'Graceful restart (RFC 4724) settings of the local speaker.',
  'BgpConf spec.policy': 'Name of a ConfigMap holding a routing policy.',

  'BgpPeer spec': 'A BGP neighbour that the speakers on selected nodes peer with.',
  'BgpPeer spec.conf': 'Neighbour settings (v1alpha1 calls this block `config`).',
  'BgpPeer spec.config': 'v1alpha1 neighbour settings (v1alpha2 calls this block `conf`).',
  'BgpPeer spec.conf.neighborAddress': 'The neighbour router\'s IP address.',
  'BgpPeer spec.conf.peerAs': 'The neighbour\'s AS number, 1 to 4294967295.',
  'BgpPeer spec.conf.localAs': 'Local AS to present to this neighbour instead of the BgpConf one.',
  'BgpPeer spec.conf.authPassword': 'TCP MD5 password of the session. Never logged.',
  'BgpPeer spec.conf.removePrivateAs': 'Strip private AS numbers on export: `NONE`, `ALL` or `REPLACE` (the gobgp API names OpenELB converts into).',
  'BgpPeer spec.conf.description': 'Free text describing the neighbour.',
  'BgpPeer spec.conf.adminDown': 'Keep the session administratively down.',
  'BgpPeer spec.config.neighborAddress': 'The neighbour router\'s IPv4 address.',
  'BgpPeer spec.config.peerAs': 'The neighbour\'s AS number.',
  'BgpPeer spec.transport': 'TCP transport settings of the session.',
  'BgpPeer spec.transport.passiveMode': 'Wait for the neighbour to connect instead of connecting to it.',
  'BgpPeer spec.transport.remotePort': 'TCP port of the neighbour (default 179).',
  'BgpPeer spec.ebgpMultihop': 'Allow an eBGP neighbour that is not directly connected.',
  'BgpPeer spec.ebgpMultihop.multihopTtl': 'IP TTL of the session\'s packets when multihop is enabled.',
  'BgpPeer spec.timers': 'Session timers, written as numbers in quotes (seconds), e.g. `"90"`.',
  'BgpPeer spec.timers.config.holdTime': 'Hold time in seconds, as a quoted number, e.g. `"90"` (0, or 3 and more).',
  'BgpPeer spec.timers.config.keepaliveInterval': 'Keepalive interval in seconds, as a quoted number, e.g. `"30"`.',
  'BgpPeer spec.timers.config.connectRetry': 'Seconds between connection attempts, as a quoted number.',
  'BgpPeer spec.timers.config.minimumAdvertisementInterval': 'Minimum seconds between UPDATEs, as a quoted number.',
  'BgpPeer spec.afiSafis': 'Address families exchanged with this neighbour.',
  'BgpPeer spec.afiSafis.config.family.afi': 'Address family: `AFI_IP` (IPv4) or `AFI_IP6` (IPv6), among others.',
  'BgpPeer spec.afiSafis.config.family.safi': 'Subsequent address family, usually `SAFI_UNICAST`.',
  'BgpPeer spec.nodeSelector': 'Only nodes whose labels match peer with this neighbour; all nodes when empty.',
  'BgpPeer spec.usingPortForward': 'v1alpha1: forward the BGP port through the host.',
  'BgpPeer spec.addPaths': 'v1alpha1 add-paths settings (v1alpha2 sets them per address family in `afiSafis`).',
};

/** Enumerations OpenELB accepts for string fields the CRD leaves open (gobgp enum names). */
export const EXTRA_ENUMS: Record<string, string[]> = {
  'BgpPeer spec.conf.removePrivateAs': ['NONE', 'ALL', 'REPLACE'],
  'BgpPeer spec.afiSafis.config.family.afi': ['AFI_IP', 'AFI_IP6', 'AFI_L2VPN', 'AFI_LS', 'AFI_OPAQUE', 'AFI_UNKNOWN'],
  'BgpPeer spec.afiSafis.config.family.safi': [
    'SAFI_UNICAST', 'SAFI_MULTICAST', 'SAFI_MPLS_LABEL', 'SAFI_ENCAPSULATION', 'SAFI_VPLS', 'SAFI_EVPN', 'SAFI_LS',
    'SAFI_SR_POLICY', 'SAFI_MPLS_VPN', 'SAFI_MPLS_VPN_MULTICAST', 'SAFI_ROUTE_TARGET_CONSTRAINTS',
    'SAFI_FLOW_SPEC_UNICAST', 'SAFI_FLOW_SPEC_VPN', 'SAFI_KEY_VALUE', 'SAFI_UNKNOWN',
  ],
};

/** Field renames between the versions, v1alpha1 name → v1alpha2 name, keyed by "Kind parentPath". */
export const V1ALPHA1_RENAMES: Record<string, Record<string, string>> = {
  'BgpConf spec': { routerID: 'routerId', port: 'listenPort' },
  'BgpPeer spec': { config: 'conf' },
};

export function docKey(kind: string, path: (string | number)[]): string {
  const p = path.filter((s) => typeof s === 'string' && s !== '[]' && !/^\d+$/.test(s)).join('.');
  return p ? `${kind} ${p}` : kind;
}
