// Cases drawn from upstream OpenELB's code and tests (github.com/openelb/openelb, v0.5.1 and
// v0.6.0), each with upstream's verdict and where it comes from. upstream-cases.test.ts computes
// OUR verdict for each one (the editor's rules, the blocking split the runtime applies, the
// allocator and the speaker's BGP plan) and checks that it agrees with upstream's, or, for the
// cases marked `deliberate`, that it differs exactly as documented.
//
// Verdicts:
//   served      upstream admits the object(s) and serves them: we must report no error and no
//               blocking finding, and allocate exactly the addresses upstream hands out;
//   not-served  upstream admits the object but it silently does nothing (ignored, no address, no
//               session): we must name the problem (an error, or a warning where the rule is
//               documented as one) or, for conditions only the cluster knows, the allocator must
//               fail saying why;
//   refused     upstream's webhook or the CRD schema refuses the object: we must report an error.
// The texts are written for this table (what upstream does, in our words), never upstream's code.

/** Where in upstream the behaviour is decided or tested. */
export interface UpstreamSource {
  version: 'v0.5.1' | 'v0.6.0';
  /** Path in github.com/openelb/openelb (or a reference copy in /work/shared/reference). */
  file: string;
  /** Function or test name. */
  where: string;
}

export type UpstreamVerdict = 'served' | 'not-served' | 'refused';

/**
 * A Service's outcome: "<eip> <address>" (it holds that address afterwards, newly given or kept),
 * "none" (OpenELB gives it nothing, as asked: not an OpenELB Service, or being deleted) or
 * "fail" (it asks for an address and gets none).
 */
export type Outcome = string;

export interface CaseNode {
  name: string;
  ip: string;
  labels?: Record<string, string>;
  /** Interfaces with their CIDRs (our speaker's node annotation; layer2 subnet checks). */
  interfaces?: { name: string; addresses: string[] }[];
}

export interface OurExpectation {
  /** served: no error, nothing blocked or refused. flagged: every `names` entry is reported. */
  verdict: 'served' | 'flagged';
  names?: string[];
  firstIp?: string;
  services?: Record<string, Outcome>;
  /** Every failing Service's allocator message matches this (problems only the cluster knows). */
  allocatorSays?: RegExp;
}

export interface UpstreamCase {
  /** Readable; becomes the test name. */
  name: string;
  source: UpstreamSource;
  /** One or more YAML documents (Eip, BgpConf, BgpPeer, Service). */
  yaml: string;
  /** Cluster nodes (editor facts and the speaker's BGP plan). Default: one node, node1 192.168.0.1. */
  nodes?: CaseNode[];
  /** Namespace labels, for Eips bound by spec.namespaceSelector. */
  namespaceLabels?: Record<string, Record<string, string>>;
  upstream: {
    verdict: UpstreamVerdict;
    /** What upstream does and why (its error text where it has one). */
    detail: string;
    /** For a served pool: the first address upstream hands out from the first Eip of the case. */
    firstIp?: string;
    /** The outcome of each Service of the case ("namespace/name"), in document order. */
    services?: Record<string, Outcome>;
  };
  /**
   * Rule ids that must name the problem for not-served / refused: "id" for an error,
   * "id:warning" for a rule documented as a warning, "id:information" likewise.
   */
  names?: string[];
  /** For problems only the cluster knows: every failing Service's allocator message matches this. */
  allocatorSays?: RegExp;
  /** We differ on purpose: why, and what we do instead (the test checks both halves). */
  deliberate?: { why: string; ours: OurExpectation };
  /** A disagreement found and not fixed here (outside the files this table may change): who owns it. */
  open?: string;
}

// ---------------------------------------------------------------------------------------------
// YAML builders (plain text, as a user would write it).

const GROUP = 'network.kubesphere.io';

function scalar(v: string): string {
  return /^[0-9a-zA-Z._/-]+$/.test(v) && !/^(true|false|yes|no|null|~|[0-9.]+)$/i.test(v) ? v : JSON.stringify(v);
}
const addr = (v: string): string => (/[: %]/.test(v) ? JSON.stringify(v) : v);

function map(indent: string, m: Record<string, string>): string {
  return Object.entries(m).map(([k, v]) => `${indent}${k}: ${JSON.stringify(v)}\n`).join('');
}

interface EipOpts {
  version?: 'v1alpha1' | 'v1alpha2';
  protocol?: string;
  iface?: string;
  disable?: boolean;
  priority?: number;
  namespaces?: string[];
  selector?: Record<string, string>;
  /** The is-default-eip annotation, written as given (quote it yourself for a string). */
  isDefault?: string;
  used?: Record<string, string>;
  deleting?: boolean;
  /** Extra spec lines, already indented. */
  extraSpec?: string;
}

export function eip(name: string, address: string, o: EipOpts = {}): string {
  let y = `apiVersion: ${GROUP}/${o.version ?? 'v1alpha2'}\nkind: Eip\nmetadata:\n  name: ${name}\n`;
  if (o.deleting) y += '  deletionTimestamp: "2024-01-01T00:00:00Z"\n  finalizers:\n  - finalizer.ipam.kubesphere.io/v1alpha1\n';
  if (o.isDefault !== undefined) y += `  annotations:\n    eip.openelb.kubesphere.io/is-default-eip: ${o.isDefault}\n`;
  y += `spec:\n  address: ${addr(address)}\n`;
  if (o.protocol) y += `  protocol: ${o.protocol}\n`;
  if (o.iface) y += `  interface: ${scalar(o.iface)}\n`;
  if (o.disable !== undefined) y += `  disable: ${o.disable}\n`;
  if (o.priority !== undefined) y += `  priority: ${o.priority}\n`;
  if (o.namespaces) y += `  namespaces:\n${o.namespaces.map((n) => `  - ${n}\n`).join('')}`;
  if (o.selector) y += Object.keys(o.selector).length ? `  namespaceSelector:\n${map('    ', o.selector)}` : '  namespaceSelector: {}\n';
  if (o.extraSpec) y += o.extraSpec;
  if (o.used) y += `status:\n  used:\n${map('    ', o.used)}`;
  return y;
}

interface SvcOpts {
  /** eip.openelb.kubesphere.io/v1alpha2: the Eip to allocate from. */
  pool?: string;
  /** eip.openelb.kubesphere.io/v1alpha1: the address wanted. */
  ip?: string;
  lbIp?: string;
  type?: string;
  /** lb.kubesphere.io/v1alpha1; null leaves it out. Default "openelb". */
  lb?: string | null;
  protocol?: string;
  /** The address already in status.loadBalancer.ingress. */
  ingress?: string;
  /** The label upstream's controller puts on a Service it served (eip.openelb.kubesphere.io/v1alpha2). */
  servedLabel?: string;
  deleting?: boolean;
  families?: string[];
  /** spec.ports[0].port (default 80). */
  port?: number;
  /** eip.openelb.kubesphere.io/allow-shared-ip (ours; upstream has no such annotation). */
  shareKey?: string;
}

export function svc(key: string, o: SvcOpts = {}): string {
  const [ns, name] = key.split('/');
  let y = `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n`;
  if (o.deleting) y += '  deletionTimestamp: "2024-01-01T00:00:00Z"\n  finalizers:\n  - finalizer.lb.kubesphere.io/v1alpha1\n';
  if (o.servedLabel) y += `  labels:\n    eip.openelb.kubesphere.io/v1alpha2: ${o.servedLabel}\n`;
  const ann: Record<string, string> = {};
  if (o.lb !== null) ann['lb.kubesphere.io/v1alpha1'] = o.lb ?? 'openelb';
  if (o.protocol) ann['protocol.openelb.kubesphere.io/v1alpha1'] = o.protocol;
  if (o.pool) ann['eip.openelb.kubesphere.io/v1alpha2'] = o.pool;
  if (o.ip) ann['eip.openelb.kubesphere.io/v1alpha1'] = o.ip;
  if (o.shareKey) ann['eip.openelb.kubesphere.io/allow-shared-ip'] = o.shareKey;
  if (Object.keys(ann).length) y += `  annotations:\n${map('    ', ann)}`;
  y += `spec:\n  type: ${o.type ?? 'LoadBalancer'}\n`;
  if (o.families) y += `  ipFamilies:\n${o.families.map((f) => `  - ${f}\n`).join('')}`;
  if (o.lbIp) y += `  loadBalancerIP: ${addr(o.lbIp)}\n`;
  y += `  ports:\n  - port: ${o.port ?? 80}\n    targetPort: 80\n`;
  if (o.ingress) y += `status:\n  loadBalancer:\n    ingress:\n    - ip: ${addr(o.ingress)}\n`;
  return y;
}

export function bgpConf(spec: string, name = 'default', version: 'v1alpha1' | 'v1alpha2' = 'v1alpha2'): string {
  return `apiVersion: ${GROUP}/${version}\nkind: BgpConf\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
}

export function bgpPeer(name: string, spec: string, version: 'v1alpha1' | 'v1alpha2' = 'v1alpha2'): string {
  return `apiVersion: ${GROUP}/${version}\nkind: BgpPeer\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
}

const docs = (...d: string[]): string => d.join('---\n');

const TYPES_TEST = 'api/v1alpha2/types_test.go';
const EIP_TYPES = 'api/v1alpha2/eip_types.go';
const IPAM = 'pkg/controllers/ipam/ipam.go';
const IPAM_TEST = 'pkg/controllers/ipam/ipam_test.go';
const IPRANGE_TEST = 'pkg/util/iprange/parse_test.go';
const CRD_EIPS = 'config/crd/bases/network.kubesphere.io_eips.yaml (reference copy: openelb-crds/v0.6.0/eips.yaml)';
const SAMPLES = 'config/samples (reference copy: openelb-v0.5.1-samples)';
const SPEAKER_UTILS = 'pkg/speaker/utils.go';
const BGPCONF_CTRL = 'pkg/speaker/bgp/bgpconf_controller.go';
const BGP_SUITE = 'pkg/speaker/bgp/suite_test.go';
const PEERS = 'pkg/speaker/bgp/bgp/peers.go';

const v6 = (file: string, where: string): UpstreamSource => ({ version: 'v0.6.0', file, where });
const v5 = (file: string, where: string): UpstreamSource => ({ version: 'v0.5.1', file, where });

const NS_LABELLED = { default: { label: 'test' } };

// ---------------------------------------------------------------------------------------------

export const UPSTREAM_CASES: UpstreamCase[] = [
  // ---- Eip addresses: Eip.GetSize (what the webhook's ValidateCreate accepts), IPAM status ----
  {
    name: 'single address 192.168.0.1 is a pool of one',
    source: v6(TYPES_TEST, 'Test GetSize'),
    yaml: eip('eip', '192.168.0.1'),
    upstream: { verdict: 'served', detail: 'GetSize: base 192.168.0.1, size 1', firstIp: '192.168.0.1' },
  },
  {
    name: 'CIDR with host bits 192.168.0.1/24 is the whole /24 from 192.168.0.0',
    source: v6(TYPES_TEST, 'Test GetSize'),
    yaml: eip('eip', '192.168.0.1/24'),
    upstream: { verdict: 'served', detail: 'GetSize: net.ParseCIDR masks to 192.168.0.0, size 256', firstIp: '192.168.0.0' },
  },
  {
    name: 'range 192.168.0.1-192.168.0.100 holds 100 addresses',
    source: v6(TYPES_TEST, 'Test GetSize'),
    yaml: eip('eip', '192.168.0.1-192.168.0.100'),
    upstream: { verdict: 'served', detail: 'GetSize: base 192.168.0.1, size 100', firstIp: '192.168.0.1' },
  },
  {
    name: 'reversed range 192.168.0.100-192.168.0.1 is refused',
    source: v6(TYPES_TEST, 'Test GetSize'),
    yaml: eip('eip', '192.168.0.100-192.168.0.1'),
    upstream: { verdict: 'refused', detail: 'GetSize: negative size, "invalid eip address format" (ValidateCreate)' },
    names: ['eip-address-range-reversed'],
  },
  {
    name: "'xxxx' is refused",
    source: v6(TYPES_TEST, 'Test GetSize'),
    yaml: eip('eip', 'xxxx'),
    upstream: { verdict: 'refused', detail: 'GetSize: neither IP, CIDR nor range, "invalid eip address format"' },
    names: ['eip-address-syntax'],
  },
  {
    name: 'three-part range a-b-c is refused',
    source: v6(TYPES_TEST, 'Test GetSize'),
    yaml: eip('eip', '192.168.0.1-192.168.0.100-192.168.0.200'),
    upstream: { verdict: 'refused', detail: 'GetSize splits at the first "-": the end "192.168.0.100-192.168.0.200" is no IP' },
    names: ['eip-address-syntax'],
  },
  {
    name: 'sample eip-sample (one public address) is served',
    source: v5(SAMPLES, 'network_v1alpha2_eip.yaml'),
    yaml: eip('eip-sample', '139.198.121.228'),
    upstream: { verdict: 'served', detail: 'a pool of one', firstIp: '139.198.121.228' },
  },
  {
    name: 'sample eip-sample-layer2 (range, layer2 on eth0) is served',
    source: v5(SAMPLES, 'network_v1alpha2_eip_layer2.yaml'),
    yaml: eip('eip-sample-layer2', '172.22.0.188-172.22.0.200', { protocol: 'layer2', iface: 'eth0' }),
    upstream: { verdict: 'served', detail: 'layer2 announcer on eth0', firstIp: '172.22.0.188' },
  },
  {
    name: 'layer2 without interface is refused',
    source: v6(EIP_TYPES, 'Eip.ValidateCreate'),
    yaml: eip('eip', '192.168.1.0/24', { protocol: 'layer2' }),
    upstream: { verdict: 'refused', detail: '"if protocol is layer2 or vip, interface should not be empty"' },
    names: ['eip-interface-required'],
  },
  {
    name: 'vip without interface is refused',
    source: v6(EIP_TYPES, 'Eip.ValidateCreate'),
    yaml: eip('eip', '192.168.1.0/24', { protocol: 'vip' }),
    upstream: { verdict: 'refused', detail: '"if protocol is layer2 or vip, interface should not be empty"' },
    names: ['eip-interface-required'],
  },
  {
    name: 'vip with interface eth0 is served',
    source: v6(EIP_TYPES, 'Eip.ValidateCreate / GetProtocol'),
    yaml: eip('eip', '192.168.1.0/24', { protocol: 'vip', iface: 'eth0' }),
    upstream: { verdict: 'served', detail: 'keepalived speaker', firstIp: '192.168.1.0' },
  },
  {
    name: "protocol 'arp' is refused by the CRD enum",
    source: v6(CRD_EIPS, 'v1alpha2 spec.protocol enum bgp;layer2;vip'),
    yaml: eip('eip', '192.168.1.0/24', { protocol: 'arp', iface: 'eth0' }),
    upstream: { verdict: 'refused', detail: 'the API server rejects a value outside the enum' },
    names: ['schema-enum'],
  },
  {
    name: 'IPv6 /120 is a pool of 256 addresses',
    source: v6(EIP_TYPES, 'Eip.GetSize (CIDR: 1 << host bits)'),
    yaml: eip('eip', '2001:db8::/120'),
    upstream: { verdict: 'served', detail: 'size 256, first 2001:db8::', firstIp: '2001:db8::' },
  },
  {
    name: 'IPv6 /66 is served (2^62 addresses still fit its int64 size)',
    source: v6(EIP_TYPES, 'Eip.GetSize (CIDR: 1 << host bits)'),
    yaml: eip('eip', '2001:db8::/66'),
    upstream: { verdict: 'served', detail: '1 << 62 fits a Go int', firstIp: '2001:db8::' },
  },
  {
    name: 'IPv6 /64 is admitted with size 0 and never hands out an address',
    source: v6(EIP_TYPES, 'Eip.GetSize; pkg/controllers/ipam/controller.go updateEip (status.poolSize)'),
    yaml: eip('eip', '2001:db8::/64'),
    upstream: { verdict: 'not-served', detail: '1 << 64 is 0 in a Go int: poolSize 0, assignIPFromEip finds "no suitable ip to allocate"' },
    names: ['eip-address-too-large'],
  },
  {
    name: 'IPv6 /65 is admitted with a negative size and never hands out an address',
    source: v6(EIP_TYPES, 'Eip.GetSize; pkg/controllers/ipam/controller.go updateEip (status.poolSize)'),
    yaml: eip('eip', '2001:db8::/65'),
    upstream: { verdict: 'not-served', detail: '1 << 63 overflows to the smallest int64: the allocation loop never runs' },
    names: ['eip-address-too-large'],
  },
  {
    name: 'IPv6 range of 2^64+1 addresses: upstream truncates it to ONE address',
    source: v6(EIP_TYPES, 'Eip.GetSize (range: big.Int.Int64 of last-first)'),
    yaml: eip('eip', '2001:db8::-2001:db8:0:1::'),
    upstream: { verdict: 'served', detail: 'last-first is 2^64; Int64() keeps the low 64 bits, 0, so the pool is 2001:db8:: alone', firstIp: '2001:db8::' },
    deliberate: {
      why: 'the size upstream computes is an int64 truncation, not the range written: we refuse every pool it cannot count (eip-address-too-large) rather than serve one address of a range that claims 2^64+1',
      ours: { verdict: 'flagged', names: ['eip-address-too-large'], firstIp: 'fail' },
    },
  },
  {
    name: 'range from IPv4 to IPv6 is refused',
    source: v6(EIP_TYPES, 'Eip.GetSize (range)'),
    yaml: eip('eip', '10.0.0.1-2001:db8::1'),
    upstream: { verdict: 'refused', detail: 'the difference truncated to int64 is negative: "invalid eip address format"' },
    names: ['eip-address-mixed-family'],
  },
  {
    name: 'prefix /33 on IPv4 is refused',
    source: v6(EIP_TYPES, 'Eip.GetSize'),
    yaml: eip('eip', '10.0.0.0/33'),
    upstream: { verdict: 'refused', detail: 'net.ParseCIDR fails and it is no range: "invalid eip address format"' },
    names: ['eip-address-prefix'],
  },
  {
    name: 'subnet-mask form 192.0.2.0/255.255.255.0 is refused by the webhook (only the speaker parses masks)',
    source: v6(IPRANGE_TEST, 'TestParseRange "v4 Mask: /24" vs Eip.GetSize'),
    yaml: eip('eip', '192.0.2.0/255.255.255.0'),
    upstream: { verdict: 'refused', detail: 'iprange.ParseRange accepts masks, but ValidateCreate uses GetSize, which does not' },
    names: ['eip-address-prefix'],
  },
  {
    name: "incomplete address '192.0.2.' is refused",
    source: v6(IPRANGE_TEST, 'TestParseRange "v4 IP: invalid address"'),
    yaml: eip('eip', '192.0.2.'),
    upstream: { verdict: 'refused', detail: 'no IP, CIDR or range' },
    names: ['eip-address-syntax'],
  },
  {
    name: '/31 is a pool of two',
    source: v6(IPRANGE_TEST, 'TestParseRange "v4 CIDR: /31"'),
    yaml: eip('eip', '192.0.2.0/31'),
    upstream: { verdict: 'served', detail: '192.0.2.0 and 192.0.2.1', firstIp: '192.0.2.0' },
  },
  {
    name: 'upper-case IPv6 2001:DB8::/120 is served',
    source: v6('pkg/util/iprange/parse.go', 'ParseRange (lower-cases) and Eip.GetSize (net.ParseCIDR)'),
    yaml: eip('eip', '2001:DB8::/120'),
    upstream: { verdict: 'served', detail: 'hex digits are case-insensitive', firstIp: '2001:db8::' },
  },
  {
    name: "leading-zero octet '192.168.0.010' is refused",
    source: v6(EIP_TYPES, 'Eip.GetSize (net.ParseIP, Go 1.21: leading zeros rejected)'),
    yaml: eip('eip', '192.168.0.010'),
    upstream: { verdict: 'refused', detail: 'net.ParseIP rejects leading zeros since Go 1.17; v0.6.0 builds with Go 1.21' },
    names: ['eip-address-syntax'],
  },
  {
    name: "IPv6 with a zone 'fe80::1%eth0' is refused",
    source: v6(EIP_TYPES, 'Eip.GetSize (net.ParseIP has no zones)'),
    yaml: eip('eip', 'fe80::1%eth0'),
    upstream: { verdict: 'refused', detail: 'net.ParseIP returns nil for a zoned address' },
    names: ['eip-address-syntax'],
  },
  {
    name: "range with spaces '192.168.0.1 - 192.168.0.3' is refused",
    source: v6(EIP_TYPES, 'Eip.GetSize (range ends parsed as written)'),
    yaml: eip('eip', '192.168.0.1 - 192.168.0.3'),
    upstream: { verdict: 'refused', detail: '"192.168.0.1 " is no IP' },
    names: ['eip-address-syntax'],
  },
  {
    name: 'IPv4-mapped ::ffff:10.0.0.5 is served as the IPv4 address 10.0.0.5',
    source: v6('pkg/util/net/ip.go', 'ParseIP / IPToBigInt (4-byte form of mapped addresses)'),
    yaml: eip('eip', '::ffff:10.0.0.5'),
    upstream: { verdict: 'served', detail: 'status.firstIP prints 10.0.0.5; Services get 10.0.0.5', firstIp: '10.0.0.5' },
  },
  {
    name: 'IPv4-mapped range ::ffff:10.0.0.1-::ffff:10.0.0.9 is served as IPv4',
    source: v6('pkg/util/net/ip.go', 'ParseIP (To4) in Eip.GetSize'),
    yaml: eip('eip', '::ffff:10.0.0.1-::ffff:10.0.0.9'),
    upstream: { verdict: 'served', detail: 'both ends parse to 4-byte addresses: 9 IPv4 addresses', firstIp: '10.0.0.1' },
  },
  {
    name: 'IPv4-mapped CIDR ::ffff:10.0.0.0/120 is served as 10.0.0.0/24',
    source: v6(EIP_TYPES, 'Eip.GetSize (net.ParseCIDR takes a 128-bit prefix for a mapped address)'),
    yaml: eip('eip', '::ffff:10.0.0.0/120'),
    upstream: { verdict: 'served', detail: '/120 of 128 bits: 256 addresses from the mapped 10.0.0.0, handed out as 10.0.0.x', firstIp: '10.0.0.0' },
  },
  {
    name: 'v1alpha1 Eip with an IPv6 pool is refused by the CRD pattern',
    source: v6(CRD_EIPS, 'v1alpha1 spec.address pattern (IPv4 only)'),
    yaml: eip('eip', '2001:db8::/120', { version: 'v1alpha1' }),
    upstream: { verdict: 'refused', detail: 'the v1alpha1 schema pattern admits IPv4 forms only' },
    names: ['schema-pattern'],
  },
  {
    name: "v1alpha1 Eip with protocol 'vip' is refused by the v1alpha1 enum",
    source: v6(CRD_EIPS, 'v1alpha1 spec.protocol enum bgp;layer2'),
    yaml: eip('eip', '192.168.1.0/24', { version: 'v1alpha1', protocol: 'vip' }),
    upstream: { verdict: 'refused', detail: 'vip exists only in v1alpha2' },
    names: ['schema-enum'],
  },
  {
    name: "misspelt field 'priorty' is refused by kubectl's strict field validation",
    source: v6(CRD_EIPS, 'v1alpha2 spec properties (structural schema; kubectl --validate=strict is the default)'),
    yaml: eip('eip', '192.168.1.0/24', { extraSpec: '  priorty: 5\n' }),
    upstream: { verdict: 'refused', detail: 'strict decoding error: unknown field "spec.priorty" (pruned silently only with --validate=false)' },
    names: ['schema-unknown-field'],
  },
  {
    name: 'is-default-eip: true unquoted is refused (annotation values are strings)',
    source: v6(EIP_TYPES, 'Eip.IsDefault reads a string annotation; ObjectMeta.annotations is map[string]string'),
    yaml: eip('eip', '192.168.1.0/24', { isDefault: 'true' }),
    upstream: { verdict: 'refused', detail: 'the API server cannot decode a boolean into an annotation value' },
    names: ['k8s-annotation-type'],
  },

  // ---- Pairs of Eips: Eip.IsOverlap and the webhook's validateOverlap --------------------------
  {
    name: 'overlap: 192.168.0.100-200 and 192.168.0.1-99 are apart',
    source: v6(TYPES_TEST, 'Test IsOverlap'),
    yaml: docs(eip('a-existing', '192.168.0.100-192.168.0.200'), eip('b-new', '192.168.0.1-192.168.0.99')),
    upstream: { verdict: 'served', detail: 'IsOverlap false: both admitted', firstIp: '192.168.0.100' },
  },
  {
    name: 'overlap: 192.168.0.100-200 and 192.168.0.201-250 are apart',
    source: v6(TYPES_TEST, 'Test IsOverlap'),
    yaml: docs(eip('a-existing', '192.168.0.100-192.168.0.200'), eip('b-new', '192.168.0.201-192.168.0.250')),
    upstream: { verdict: 'served', detail: 'IsOverlap false: both admitted', firstIp: '192.168.0.100' },
  },
  {
    name: 'overlap: 192.168.0.100-200 and 192.168.0.1-100 share .100, the second is refused',
    source: v6(TYPES_TEST, 'Test IsOverlap; Eip.validateOverlap'),
    yaml: docs(eip('a-existing', '192.168.0.100-192.168.0.200'), eip('b-new', '192.168.0.1-192.168.0.100')),
    upstream: { verdict: 'refused', detail: '"eip address overlap with a-existing"' },
    names: ['eip-overlap'],
  },
  {
    name: 'overlap: 192.168.0.100-200 and 192.168.0.200-250 share .200, the second is refused',
    source: v6(TYPES_TEST, 'Test IsOverlap; Eip.validateOverlap'),
    yaml: docs(eip('a-existing', '192.168.0.100-192.168.0.200'), eip('b-new', '192.168.0.200-192.168.0.250')),
    upstream: { verdict: 'refused', detail: '"eip address overlap with a-existing"' },
    names: ['eip-overlap'],
  },
  {
    name: 'overlap: a /24 and a range starting at its broadcast address',
    source: v6(EIP_TYPES, 'Eip.IsOverlap (CIDR vs range)'),
    yaml: docs(eip('a-existing', '192.168.1.0/24'), eip('b-new', '192.168.1.255-192.168.2.10')),
    upstream: { verdict: 'refused', detail: '"eip address overlap with a-existing"' },
    names: ['eip-overlap'],
  },
  {
    name: 'overlap: IPv4 10.0.0.0/24 and IPv6 2001:db8::/120 are apart',
    source: v6(EIP_TYPES, 'Eip.IsOverlap (compares integers)'),
    yaml: docs(eip('a-existing', '10.0.0.0/24'), eip('b-new', '2001:db8::/120')),
    upstream: { verdict: 'served', detail: 'the IPv6 integers are far above every IPv4 one', firstIp: '10.0.0.0' },
  },
  {
    name: 'overlap: IPv4 10.0.0.0/24 and IPv4-mapped ::ffff:10.0.0.5 overlap',
    source: v6(EIP_TYPES, 'Eip.IsOverlap; pkg/util/net/ip.go IPToBigInt'),
    yaml: docs(eip('a-existing', '10.0.0.0/24'), eip('b-new', '::ffff:10.0.0.5')),
    upstream: { verdict: 'refused', detail: 'the mapped address is 10.0.0.5 to upstream: "eip address overlap with a-existing"' },
    names: ['eip-overlap'],
  },
  {
    name: 'overlap: IPv4 10.0.0.0/24 and IPv4-compatible ::a00:0/120 (different families)',
    source: v6(EIP_TYPES, 'Eip.IsOverlap; pkg/util/net/ip.go IPToBigInt'),
    yaml: docs(eip('a-existing', '10.0.0.0/24'), eip('b-new', '::a00:0/120')),
    upstream: { verdict: 'refused', detail: 'IsOverlap compares bare integers: ::a00:0 and 10.0.0.0 are both 0x0a000000, "eip address overlap with a-existing"' },
    deliberate: {
      why: 'an IPv6 pool and an IPv4 pool never share an address (::a00:5 and 10.0.0.5 are different addresses on the wire); upstream compares their integers without the family. We compare within a family only, so both pools serve',
      ours: { verdict: 'served', firstIp: '10.0.0.0' },
    },
  },

  // ---- The default Eip: validateDefault (webhook, case-insensitive) and IsDefault (IPAM, exact) --
  {
    name: 'default: a second Eip marked "true" is refused',
    source: v6(EIP_TYPES, 'Eip.validateDefault'),
    yaml: docs(eip('a-existing', '192.168.1.0/24', { isDefault: '"true"' }), eip('b-new', '192.168.2.0/24', { isDefault: '"true"' })),
    upstream: { verdict: 'refused', detail: '"already exists a default EIP"' },
    names: ['eip-default-multiple'],
  },
  {
    name: 'default: "true" and "false" side by side; an unbound Service gets the default',
    source: v6(IPAM, 'getDefaultEIP / Eip.IsDefault'),
    yaml: docs(eip('def', '192.168.1.0/24', { isDefault: '"true"' }), eip('other', '192.168.2.0/24', { isDefault: '"false"' }), svc('default/testsvc')),
    upstream: { verdict: 'served', detail: 'IsDefault is exactly "true"', firstIp: '192.168.1.0', services: { 'default/testsvc': 'def 192.168.1.0' } },
  },
  {
    name: 'default: "True" alone is admitted but is not the default, so the Service gets nothing',
    source: v6(IPAM, 'getDefaultEIP / Eip.IsDefault'),
    yaml: docs(eip('def', '192.168.1.0/24', { isDefault: '"True"' }), svc('default/testsvc')),
    upstream: { verdict: 'not-served', detail: 'IsDefault compares with exactly "true": "no available default eip found"', services: { 'default/testsvc': 'fail' } },
    names: ['eip-default-value:warning'],
    allocatorSays: /no usable default Eip/,
  },
  {
    name: 'default: "True" next to an existing "true" default is refused by the webhook',
    source: v6('pkg/validate/validate.go', 'HasOpenELBDefaultEipAnnotation (lower-cases) in Eip.validateDefault'),
    yaml: docs(eip('a-existing', '192.168.1.0/24', { isDefault: '"true"' }), eip('b-new', '192.168.2.0/24', { isDefault: '"True"' })),
    upstream: { verdict: 'refused', detail: 'the webhook lower-cases the value: "already exists a default EIP"' },
    deliberate: {
      why: 'we follow the allocator (IsDefault: exactly "true"), so "True" is advice (eip-default-value: this Eip will not be the default) and the Eip serves when named; the webhook\'s case-insensitive duplicate check is not reproduced, and eip-default-multiple counts exact "true" only (pinned by upstream-agreement.test.ts)',
      ours: { verdict: 'served', names: ['eip-default-value:warning'], firstIp: '192.168.1.0' },
    },
  },

  // ---- IPAM: which Eip and which address a Service gets ---------------------------------------
  {
    name: 'IPAM: a default Eip gives an unbound Service its lowest address',
    source: v6(IPAM_TEST, 'TestManager_ConstructAllocate "default eip"'),
    yaml: docs(eip('eip', '192.168.1.0/24', { isDefault: '"true"' }), svc('default/testsvc')),
    upstream: { verdict: 'served', detail: 'getDefaultEIP, then the first free offset', services: { 'default/testsvc': 'eip 192.168.1.0' } },
  },
  {
    name: 'IPAM: the Eip annotation picks the pool (no record yet)',
    source: v6(IPAM_TEST, 'TestManager_ConstructAllocate "...openelb annotions completely, but eip has no corresponding record"'),
    yaml: docs(eip('eip', '192.168.1.0/24'), svc('default/testsvc', { pool: 'eip' })),
    upstream: { verdict: 'served', detail: 'Allocate {Eip: eip}', services: { 'default/testsvc': 'eip 192.168.1.0' } },
  },
  {
    name: 'IPAM: spec.loadBalancerIP picks the address inside the named Eip',
    source: v6(IPAM_TEST, 'TestManager_ConstructAllocate "specify service spec.loadbalanceIP, but eip has no corresponding record"'),
    yaml: docs(eip('eip', '192.168.1.0/24'), svc('default/testsvc', { pool: 'eip', lbIp: '192.168.1.50' })),
    upstream: { verdict: 'served', detail: 'Allocate {IP: 192.168.1.50}', services: { 'default/testsvc': 'eip 192.168.1.50' } },
  },
  {
    name: 'IPAM: the IP annotation wins over spec.loadBalancerIP',
    source: v6(IPAM_TEST, 'TestManager_ConstructAllocate "specify service annotation.loadbalanceIP 2"'),
    yaml: docs(eip('eip', '192.168.1.0/24'), svc('default/testsvc', { pool: 'eip', ip: '192.168.1.100', lbIp: '192.168.1.50' })),
    upstream: { verdict: 'served', detail: 'the annotation replaces spec.loadBalancerIP', services: { 'default/testsvc': 'eip 192.168.1.100' } },
  },
  {
    name: 'IPAM: a named Eip that does not exist gives no address',
    source: v6(IPAM_TEST, 'TestManager_ConstructAllocate "no eip"; TestManager_AssignIP "eip not found"'),
    yaml: svc('default/testsvc', { pool: 'eip' }),
    upstream: { verdict: 'not-served', detail: 'AssignIP: the Eip is not found', services: { 'default/testsvc': 'fail' } },
    names: ['service-unknown-eip:warning'],
    allocatorSays: /does not exist/,
  },
  {
    name: 'IPAM: a ClusterIP Service with OpenELB annotations gets nothing',
    source: v6(IPAM_TEST, 'TestManager_ConstructAllocate "clusterIP service"'),
    yaml: docs(eip('eip', '192.168.1.0/24'), svc('default/testsvc1', { pool: 'eip', type: 'ClusterIP' })),
    upstream: { verdict: 'not-served', detail: 'needRelease: not type LoadBalancer', services: { 'default/testsvc1': 'none' } },
    names: ['service-type:warning'],
  },
  {
    name: 'IPAM: a LoadBalancer Service naming an Eip but without lb.kubesphere.io/v1alpha1 gets nothing',
    source: v6(IPAM_TEST, 'TestManager_ConstructAllocate "service is not specify openelb - eip has records"'),
    yaml: docs(eip('eip', '192.168.1.0/24'), svc('default/testsvc', { pool: 'eip', lb: null })),
    upstream: { verdict: 'not-served', detail: 'needRelease: the openelb annotation is missing', services: { 'default/testsvc': 'none' } },
    names: ['service-lb-annotation:warning'],
  },
  {
    name: 'IPAM: an Eip bound by spec.namespaces serves that namespace',
    source: v6(IPAM_TEST, 'TestManager_ConstructAllocate "eip bind default namespace by spec.namespace"'),
    yaml: docs(eip('eip', '192.168.1.0/24', { namespaces: ['default'] }), svc('default/testsvc')),
    upstream: { verdict: 'served', detail: 'getDefaultEIP: namespace-bound Eips first', services: { 'default/testsvc': 'eip 192.168.1.0' } },
  },
  {
    name: 'IPAM: an Eip bound by spec.namespaceSelector serves the labelled namespace',
    source: v6(IPAM_TEST, 'TestManager_ConstructAllocate "eip bind default namespace by spec.namespaceSelector"'),
    yaml: docs(eip('eip', '192.168.1.0/24', { selector: { label: 'test' } }), svc('default/testsvc')),
    namespaceLabels: NS_LABELLED,
    upstream: { verdict: 'served', detail: 'the selector matches the namespace labels', services: { 'default/testsvc': 'eip 192.168.1.0' } },
  },
  {
    name: 'IPAM: of two bound Eips the lower priority value wins',
    source: v6(IPAM_TEST, 'TestManager_ConstructAllocate "multi-eip bind default namespace with different priority"'),
    yaml: docs(
      eip('eip-1', '192.168.1.0/24', { namespaces: ['default'], priority: 20 }),
      eip('eip-2', '192.168.2.0/24', { selector: { label: 'test' }, priority: 10 }),
      svc('default/testsvc'),
    ),
    namespaceLabels: NS_LABELLED,
    upstream: { verdict: 'served', detail: 'sorted by priority, ascending', services: { 'default/testsvc': 'eip-2 192.168.2.0' } },
  },
  {
    name: 'IPAM: a namespace-bound Eip wins over the default Eip',
    source: v6(IPAM, 'getDefaultEIP'),
    yaml: docs(eip('def', '192.168.1.0/24', { isDefault: '"true"' }), eip('team', '192.168.2.0/24', { namespaces: ['team'] }), svc('team/a'), svc('other/b')),
    upstream: { verdict: 'served', detail: 'bound Eips first, the default only when none is bound', services: { 'team/a': 'team 192.168.2.0', 'other/b': 'def 192.168.1.0' } },
  },
  {
    name: 'IPAM: a full bound Eip sorts after a bound Eip with room, whatever the priorities',
    source: v6(IPAM, 'getDefaultEIP (sort: not occupied first, then priority)'),
    yaml: docs(
      eip('full', '192.168.1.10', { namespaces: ['default'], priority: 1, used: { '192.168.1.10': 'default/old' } }),
      eip('roomy', '192.168.2.0/24', { namespaces: ['default'], priority: 5 }),
      svc('default/old', { pool: 'full', ingress: '192.168.1.10', servedLabel: 'full' }),
      svc('default/testsvc'),
    ),
    upstream: { verdict: 'served', detail: 'status.occupied sorts first', services: { 'default/old': 'full 192.168.1.10', 'default/testsvc': 'roomy 192.168.2.0' } },
  },
  {
    name: 'IPAM: a Service holding an automatically chosen address, when another Eip becomes preferred',
    source: v6(IPAM, 'ConstructRequest / info.needUpdate (with pkg/controllers/lb/controller.go Reconcile: release, then allocate)'),
    yaml: docs(
      eip('low', '192.168.1.0/24', { namespaces: ['default'], priority: 10, used: { '192.168.1.0': 'default/testsvc' } }),
      eip('high', '192.168.2.0/24', { namespaces: ['default'], priority: 1 }),
      svc('default/testsvc', { ingress: '192.168.1.0', servedLabel: 'low' }),
    ),
    upstream: { verdict: 'served', detail: 'the Eip choice is re-run at every reconcile of the Service: it now picks high, so the Service is released from low and given 192.168.2.0', services: { 'default/testsvc': 'high 192.168.2.0' } },
    deliberate: {
      why: 'a load-balancer address is what clients and DNS point at: once given, it is kept until the Service itself asks for another Eip or address; a new Eip, a changed priority or binding, or a pool filling up never renumbers running Services',
      ours: { verdict: 'served', services: { 'default/testsvc': 'low 192.168.1.0' } },
    },
  },
  {
    name: 'IPAM: a full bound Eip does not fall back to the default Eip',
    source: v6(IPAM, 'getDefaultEIP returns a bound Eip whenever one exists; assignIPFromEip'),
    yaml: docs(
      eip('def', '192.168.1.0/24', { isDefault: '"true"' }),
      eip('bound', '192.168.2.10', { namespaces: ['default'], used: { '192.168.2.10': 'default/old' } }),
      svc('default/old', { ingress: '192.168.2.10', servedLabel: 'bound' }),
      svc('default/testsvc'),
    ),
    upstream: { verdict: 'not-served', detail: '"no suitable ip to allocate" from the full bound Eip', services: { 'default/old': 'bound 192.168.2.10', 'default/testsvc': 'fail' } },
    allocatorSays: /Eip bound is full/,
  },
  {
    name: 'IPAM: a disabled named Eip gives no address',
    source: v6(IPAM_TEST, 'TestManager_AssignIP "no avliable eip 2 - eip is disabled"'),
    yaml: docs(eip('eip', '192.168.1.0/24', { disable: true }), svc('default/svc', { pool: 'eip' })),
    upstream: { verdict: 'not-served', detail: '"eip:eip is disabled"', services: { 'default/svc': 'fail' } },
    names: ['service-eip-disabled'],
    allocatorSays: /is disabled/,
  },
  {
    name: 'IPAM: a disabled default Eip is no default',
    source: v6(IPAM, 'getDefaultEIP (skips disabled Eips)'),
    yaml: docs(eip('def', '192.168.1.0/24', { isDefault: '"true"', disable: true }), svc('default/testsvc')),
    upstream: { verdict: 'not-served', detail: '"no available default eip found"', services: { 'default/testsvc': 'fail' } },
    allocatorSays: /no usable default Eip/,
  },
  {
    name: 'IPAM: a requested address without an Eip annotation finds the Eip holding it',
    source: v6(IPAM, 'getEIPBasedOnIP'),
    yaml: docs(eip('a', '192.168.1.0/24'), eip('b', '192.168.2.0/24'), svc('default/testsvc', { ip: '192.168.2.7' })),
    upstream: { verdict: 'served', detail: 'the Eip that contains the address', services: { 'default/testsvc': 'b 192.168.2.7' } },
  },
  {
    name: 'IPAM: a requested address inside a disabled Eip gives no address',
    source: v6(IPAM, 'getEIPBasedOnIP'),
    yaml: docs(eip('a', '192.168.1.0/24', { disable: true }), svc('default/testsvc', { ip: '192.168.1.7' })),
    upstream: { verdict: 'not-served', detail: '"eip:a is disabled"', services: { 'default/testsvc': 'fail' } },
    allocatorSays: /is disabled/,
  },
  {
    name: 'IPAM: a requested address outside the named Eip gives no address',
    source: v6(IPAM_TEST, 'TestManager_AssignIP "no avliable eip 3 - out of range"'),
    yaml: docs(eip('eip', '192.168.1.0/24'), svc('default/svc', { pool: 'eip', ip: '192.168.0.100' })),
    upstream: { verdict: 'not-served', detail: 'assignIPFromEip: "the specified ip ... is beyond the range of eip"', services: { 'default/svc': 'fail' } },
    names: ['service-ip-outside-eip'],
  },
  {
    name: 'IPAM: a requested address in no Eip gives no address',
    source: v6(IPAM, 'getEIPBasedOnIP'),
    yaml: docs(eip('eip', '192.168.1.0/24'), svc('default/svc', { ip: '10.9.9.9' })),
    upstream: { verdict: 'not-served', detail: '"no available eip was found containing the ip"', services: { 'default/svc': 'fail' } },
    names: ['service-ip-outside-eip:warning'],
  },
  {
    name: 'IPAM: a requested address held by another Service is shared',
    source: v6(IPAM_TEST, 'TestManager_AssignIP "Allocation records that already exist - share address"'),
    yaml: docs(eip('eip', '192.168.1.0/24', { used: { '192.168.1.100': 'default/test' } }), svc('default/test', { pool: 'eip', ip: '192.168.1.100', ingress: '192.168.1.100', servedLabel: 'eip' }), svc('default/svc', { pool: 'eip', ip: '192.168.1.100' })),
    upstream: { verdict: 'served', detail: 'assignIPFromEip appends the Service to the holder list', services: { 'default/test': 'eip 192.168.1.100', 'default/svc': 'eip 192.168.1.100' } },
    deliberate: {
      why: 'both Services use port 80/TCP on the address: kube-proxy cannot tell their traffic apart, so the second one would take part of the first one\'s connections. We share an address only between Services whose ports (port and protocol) differ; the second Service gets a Warning event and no address',
      ours: { verdict: 'flagged', services: { 'default/test': 'eip 192.168.1.100', 'default/svc': 'fail' }, allocatorSays: /both use port 80\/TCP/ },
    },
  },
  {
    name: 'IPAM: a requested address held by another Service of the namespace, on another port, is shared',
    source: v6(IPAM_TEST, 'TestManager_AssignIP "Allocation records that already exist - share address" (ports 80 and 443)'),
    yaml: docs(eip('eip', '192.168.1.0/24', { used: { '192.168.1.100': 'default/test' } }), svc('default/test', { pool: 'eip', ip: '192.168.1.100', ingress: '192.168.1.100', servedLabel: 'eip' }), svc('default/svc', { pool: 'eip', ip: '192.168.1.100', port: 443 })),
    upstream: { verdict: 'served', detail: 'assignIPFromEip appends the Service to the holder list', services: { 'default/test': 'eip 192.168.1.100', 'default/svc': 'eip 192.168.1.100' } },
  },
  {
    name: 'IPAM: a requested address held by a Service of another namespace is shared',
    source: v6(IPAM, 'assignIPFromEip (no namespace check: any Service asking for a held address joins its holders)'),
    yaml: docs(eip('eip', '192.168.1.0/24', { used: { '192.168.1.100': 'team-a/web' } }), svc('team-a/web', { pool: 'eip', ip: '192.168.1.100', ingress: '192.168.1.100', servedLabel: 'eip' }), svc('team-b/thief', { ip: '192.168.1.100', port: 443 })),
    upstream: { verdict: 'served', detail: 'the second namespace\'s Service joins the holder list without the first one\'s consent', services: { 'team-a/web': 'eip 192.168.1.100', 'team-b/thief': 'eip 192.168.1.100' } },
    deliberate: {
      why: 'any tenant could take another tenant\'s address (and with externalTrafficPolicy Local move where it is announced). Across namespaces we share only when both Services carry eip.openelb.kubesphere.io/allow-shared-ip with the same value; otherwise the requester gets a Warning event and no address',
      ours: { verdict: 'flagged', services: { 'team-a/web': 'eip 192.168.1.100', 'team-b/thief': 'fail' }, allocatorSays: /namespace team-a; Services of different namespaces share an address only when both carry/ },
    },
  },
  {
    name: 'IPAM: Services of two namespaces with the same sharing key share an address',
    source: v6(IPAM, 'assignIPFromEip (shares with any Service asking for the address)'),
    yaml: docs(eip('eip', '192.168.1.0/24', { used: { '192.168.1.100': 'team-a/web' } }), svc('team-a/web', { pool: 'eip', ip: '192.168.1.100', ingress: '192.168.1.100', servedLabel: 'eip', shareKey: 'edge' }), svc('team-b/api', { ip: '192.168.1.100', port: 443, shareKey: 'edge' })),
    upstream: { verdict: 'served', detail: 'the holder list gets both', services: { 'team-a/web': 'eip 192.168.1.100', 'team-b/api': 'eip 192.168.1.100' } },
  },
  {
    name: 'IPAM: a full pool gives no address',
    source: v6(IPAM_TEST, 'TestManager_AssignIP "no avliable eip 4 - ippool is full"'),
    yaml: docs(
      eip('eip-full', '192.168.1.100-192.168.1.101', { used: { '192.168.1.100': 'default/test0', '192.168.1.101': 'default/test1' } }),
      svc('default/test0', { pool: 'eip-full', ingress: '192.168.1.100', servedLabel: 'eip-full' }),
      svc('default/test1', { pool: 'eip-full', ingress: '192.168.1.101', servedLabel: 'eip-full' }),
      svc('default/svc', { pool: 'eip-full' }),
    ),
    upstream: { verdict: 'not-served', detail: '"no suitable ip to allocate"', services: { 'default/test0': 'eip-full 192.168.1.100', 'default/test1': 'eip-full 192.168.1.101', 'default/svc': 'fail' } },
    allocatorSays: /is full/,
  },
  {
    name: 'IPAM: a Service that holds its address keeps it',
    source: v6(IPAM_TEST, 'TestManager_ConstructAllocate "normal service update"'),
    yaml: docs(eip('eip', '192.168.1.0/24', { used: { '192.168.1.0': 'default/testsvc' } }), svc('default/testsvc', { pool: 'eip', ingress: '192.168.1.0', servedLabel: 'eip' })),
    upstream: { verdict: 'served', detail: 'needUpdate is false: no request', services: { 'default/testsvc': 'eip 192.168.1.0' } },
  },
  {
    name: 'IPAM: asking for another address of the same Eip moves the Service',
    source: v6(IPAM_TEST, 'TestManager_AssignIP "Allocation records that already exist but specify a different IP"'),
    yaml: docs(eip('eip', '192.168.1.0/24', { used: { '192.168.1.100': 'default/svc' } }), svc('default/svc', { pool: 'eip', ip: '192.168.1.110', ingress: '192.168.1.100' })),
    upstream: { verdict: 'served', detail: 'release .100, allocate .110', services: { 'default/svc': 'eip 192.168.1.110' } },
  },
  {
    name: 'IPAM: naming another Eip moves the Service to it',
    source: v6(IPAM_TEST, 'TestManager_ConstructAllocate "normal service update eip"'),
    yaml: docs(
      eip('eip', '192.168.1.0/24'),
      eip('eip1', '192.168.10.0/24', { used: { '192.168.10.0': 'default/testsvc' } }),
      svc('default/testsvc', { pool: 'eip', ingress: '192.168.10.0' }),
    ),
    upstream: { verdict: 'served', detail: 'release from eip1, allocate from eip', services: { 'default/testsvc': 'eip 192.168.1.0' } },
  },
  {
    name: 'IPAM: a Service being deleted releases its address',
    source: v6(IPAM_TEST, 'TestManager_ConstructAllocate "service is deleting - eip has records"'),
    yaml: docs(eip('eip', '192.168.1.0/24', { used: { '192.168.1.0': 'default/testsvc' } }), svc('default/testsvc', { pool: 'eip', ingress: '192.168.1.0', deleting: true })),
    upstream: { verdict: 'served', detail: 'needRelease: only a release request', services: { 'default/testsvc': 'none' } },
  },
  {
    name: "IPAM: a requested address that is no IP ('abc') and no Eip annotation gives no address",
    source: v6(IPAM, 'getEIPBasedOnIP (an unparsable address is contained in no Eip)'),
    yaml: docs(eip('eip', '192.168.1.0/24'), svc('default/svc', { ip: 'abc' })),
    upstream: { verdict: 'not-served', detail: '"no available eip was found containing the ip"', services: { 'default/svc': 'fail' } },
    names: ['service-requested-ip'],
  },
  {
    name: "IPAM: a requested address that is no IP ('abc') next to an Eip annotation",
    source: v6(IPAM, 'ConstructRequest (getEIP only without an Eip annotation) / assignIPFromEip (net.ParseIP nil: offset 0)'),
    yaml: docs(eip('eip', '192.168.1.0/24'), svc('default/svc', { pool: 'eip', ip: 'abc' })),
    upstream: { verdict: 'served', detail: 'the unparsable address is dropped and the lowest free address given (then released and given again at every reconcile, since it never equals "abc")', services: { 'default/svc': 'eip 192.168.1.0' } },
    deliberate: {
      why: 'the annotation names the one address the Service wants; handing out another one hides the typo behind a working address that is not the one DNS or firewalls expect. We report service-requested-ip and give nothing until it is fixed',
      ours: { verdict: 'flagged', names: ['service-requested-ip'], services: { 'default/svc': 'fail' }, allocatorSays: /is not an IP address/ },
    },
  },
  {
    name: 'IPAM: a named Eip being deleted gives no address',
    source: v6(IPAM_TEST, 'TestManager_AssignIP "no avliable eip 1 - eip is deleting"'),
    yaml: docs(eip('eip', '192.168.1.0/24', { deleting: true }), svc('default/svc', { pool: 'eip' })),
    upstream: { verdict: 'not-served', detail: '"eip:eip is deleting"', services: { 'default/svc': 'fail' } },
    allocatorSays: /being deleted/,
  },
  {
    name: 'IPAM: an empty namespaceSelector binds every labelled namespace',
    source: v6(IPAM, 'getDefaultEIP (metav1.SetAsLabelSelector of an empty map selects everything)'),
    yaml: docs(eip('eip', '192.168.1.0/24', { selector: {} }), svc('default/testsvc')),
    namespaceLabels: NS_LABELLED,
    upstream: { verdict: 'served', detail: 'an empty selector matches any label set', services: { 'default/testsvc': 'eip 192.168.1.0' } },
  },
  {
    name: 'IPAM: an IPv6 Eip bound to the namespace of an IPv4-only Service',
    source: v6(IPAM, 'getDefaultEIP / assignIPFromEip (spec.ipFamilies is never read)'),
    yaml: docs(eip('v6', '2001:db8::/120', { namespaces: ['default'] }), svc('default/testsvc', { families: ['IPv4'] })),
    upstream: { verdict: 'served', detail: 'the Service is given 2001:db8:: although it is single-stack IPv4', services: { 'default/testsvc': 'v6 2001:db8::' } },
    deliberate: {
      why: "an IPv6 load-balancer address on a single-stack IPv4 Service is not routed by kube-proxy: we give a Service addresses of its spec.ipFamilies only, and say so when no Eip of its family serves it",
      ours: { verdict: 'flagged', services: { 'default/testsvc': 'fail' }, allocatorSays: /no Eip serves namespace default \(IPv4\)/ },
    },
  },
  {
    name: 'sample Service mylbapp-svc with the v0.5 protocol annotation and a default Eip',
    source: v5(SAMPLES, 'workload.yaml (v0.6.0 ignores protocol.openelb.kubesphere.io/v1alpha1)'),
    yaml: docs(eip('eip-sample', '139.198.121.228', { isDefault: '"true"' }), svc('default/mylbapp-svc', { protocol: 'bgp' })),
    upstream: { verdict: 'served', detail: 'the default Eip serves it', services: { 'default/mylbapp-svc': 'eip-sample 139.198.121.228' } },
  },
  {
    name: "a Service with lb.kubesphere.io/v1alpha1: metallb is not OpenELB's",
    source: v6('pkg/validate/validate.go', 'HasOpenELBAnnotation; ipam.needRelease'),
    yaml: docs(eip('eip', '192.168.1.0/24'), svc('default/svc', { lb: 'metallb', pool: 'eip' })),
    upstream: { verdict: 'not-served', detail: 'the value must be exactly "openelb"', services: { 'default/svc': 'none' } },
    names: ['service-lb-annotation'],
  },

  // ---- layer2 / vip speaker: ParseInterface, ValidateInterface ---------------------------------
  {
    name: 'layer2 interface can_reach:192.168.0.1 is served',
    source: v6(SPEAKER_UTILS, 'ParseInterface (can_reach: route lookup)'),
    yaml: eip('eip', '192.168.0.100-192.168.0.110', { protocol: 'layer2', iface: 'can_reach:192.168.0.1' }),
    upstream: { verdict: 'served', detail: 'the interface routing to 192.168.0.1 answers', firstIp: '192.168.0.100' },
  },
  {
    name: 'layer2 interface can_reach:hahah is never announced',
    source: v6(SPEAKER_UTILS, 'ParseInterface; pkg/speaker/layer2/arp_test.go "specify can_reach, but ip invalid"'),
    yaml: eip('eip', '192.168.0.100-192.168.0.110', { protocol: 'layer2', iface: 'can_reach:hahah' }),
    upstream: { verdict: 'not-served', detail: '"invalid can_reach address hahah"' },
    names: ['eip-interface-can-reach'],
  },
  {
    name: "layer2 interface 'foo:bar' is never announced",
    source: v6(SPEAKER_UTILS, 'ParseInterface'),
    yaml: eip('eip', '192.168.0.100-192.168.0.110', { protocol: 'layer2', iface: 'foo:bar' }),
    upstream: { verdict: 'not-served', detail: '"invalid interface string, now only support can_reach"' },
    names: ['eip-interface-name'],
  },
  {
    name: 'layer2 range outside every subnet of the interface is not announced on that node',
    source: v6(SPEAKER_UTILS, 'ValidateInterface; pkg/speaker/layer2/memberlist.go ConfigureWithEIP'),
    yaml: eip('eip', '10.0.0.100-10.0.0.110', { protocol: 'layer2', iface: 'eth0' }),
    nodes: [{ name: 'node1', ip: '192.168.0.5', interfaces: [{ name: 'eth0', addresses: ['192.168.0.5/24'] }] }],
    upstream: { verdict: 'not-served', detail: '"eth0\'s ip and the eip[...] are not in the same network segment"' },
    names: ['eip-layer2-subnet:warning'],
  },
  {
    name: 'layer2 IPv6 pool on an interface with that IPv6 subnet',
    source: v6(SPEAKER_UTILS, 'ValidateInterface (IPv4 interface addresses only); layer2 newAnnouncer(netif, true): ARP only'),
    yaml: eip('eip', '2001:db8::100-2001:db8::1ff', { protocol: 'layer2', iface: 'eth0' }),
    nodes: [{ name: 'node1', ip: '192.168.0.5', interfaces: [{ name: 'eth0', addresses: ['192.168.0.5/24', '2001:db8::5/64'] }] }],
    upstream: { verdict: 'not-served', detail: 'ValidateInterface looks at IPv4 interface addresses only, and the announcer speaks ARP only: never announced' },
    deliberate: {
      why: 'our layer2 speaker answers IPv6 with NDP (runtime/src/speaker/layer2), so an IPv6 layer2 pool on an interface holding that subnet is served',
      ours: { verdict: 'served', firstIp: '2001:db8::100' },
    },
  },

  // ---- BGP: BgpConf / BgpPeer in the speaker --------------------------------------------------
  {
    name: 'sample BgpConf default (as 50001, listenPort 17900, routerId 172.22.0.10) is served',
    source: v5(SAMPLES, 'network_v1alpha2_bgpconf.yaml'),
    yaml: bgpConf('  as: 50001\n  listenPort: 17900\n  routerId: 172.22.0.10\n'),
    upstream: { verdict: 'served', detail: 'gobgp started with that global config' },
  },
  {
    name: 'BgpConf without routerId takes the node address',
    source: v6(BGP_SUITE, '"routerId is empty"; bgpconf_controller.go Reconcile'),
    yaml: bgpConf('  as: 65001\n  listenPort: 17901\n'),
    upstream: { verdict: 'served', detail: 'routerId = the node InternalIP (192.168.0.1)' },
  },
  {
    name: "BgpConf named 'bgpconf-sample' is ignored",
    source: v6(BGPCONF_CTRL, 'shouldReconcile (name must be "default")'),
    yaml: bgpConf('  as: 65001\n  routerId: 192.168.1.1\n  listenPort: 17901\n', 'bgpconf-sample'),
    upstream: { verdict: 'not-served', detail: 'the controller reconciles only the BgpConf named default' },
    names: ['bgpconf-name:warning'],
  },
  {
    name: 'BgpConf listenPort -1 serves without listening',
    source: v6(BGPCONF_CTRL, 'HandleBgpGlobalConfig; gobgp StartBgp listens only for a port > 0'),
    yaml: bgpConf('  as: 65001\n  listenPort: -1\n'),
    upstream: { verdict: 'served', detail: 'no listener; outgoing sessions only' },
  },
  {
    name: 'BgpConf listenPort 70000 never starts BGP',
    source: v6(BGPCONF_CTRL, 'HandleBgpGlobalConfig; gobgp StartBgp (the listener cannot bind port 70000)'),
    yaml: bgpConf('  as: 65001\n  listenPort: 70000\n'),
    upstream: { verdict: 'not-served', detail: 'int32 with no CRD bounds, so admitted; StartBgp fails on the listener' },
    names: ['bgp-port-range'],
  },
  {
    name: 'BgpConf routerId that is no IP never starts BGP',
    source: v6(BGPCONF_CTRL, 'HandleBgpGlobalConfig; gobgp StartBgp "invalid router-id format"'),
    yaml: bgpConf('  as: 65001\n  routerId: router-1\n'),
    upstream: { verdict: 'not-served', detail: 'StartBgp refuses the router id' },
    names: ['bgpconf-router-id'],
  },
  {
    name: 'BgpConf asPerRack without spec.as, every node in a listed rack',
    source: v6(BGPCONF_CTRL, 'Reconcile (node rack label picks the AS, router id = node IP)'),
    yaml: bgpConf('  asPerRack:\n    leaf1: 64512\n    leaf2: 64513\n  listenPort: 17900\n'),
    nodes: [
      { name: 'node1', ip: '192.168.0.1', labels: { 'openelb.kubesphere.io/rack': 'leaf1' } },
      { name: 'node2', ip: '192.168.0.2', labels: { 'openelb.kubesphere.io/rack': 'leaf2' } },
    ],
    upstream: { verdict: 'served', detail: 'node1 AS 64512, node2 AS 64513' },
  },
  {
    name: 'BgpConf asPerRack without spec.as: a node with no rack label gets AS 0',
    source: v6(BGPCONF_CTRL, 'Reconcile (no rack label: spec.as, here 0)'),
    yaml: bgpConf('  asPerRack:\n    leaf1: 64512\n'),
    nodes: [
      { name: 'node1', ip: '192.168.0.1', labels: { 'openelb.kubesphere.io/rack': 'leaf1' } },
      { name: 'node2', ip: '192.168.0.2' },
    ],
    upstream: { verdict: 'not-served', detail: 'node2 starts gobgp with AS 0: no peer accepts its OPEN' },
    names: ['bgpconf-rack-unassigned:warning'],
  },
  {
    name: 'v1alpha1 BgpConf without routerID is refused by the CRD',
    source: v6('config/crd/bases/network.kubesphere.io_bgpconfs.yaml (reference copy)', 'v1alpha1 required: as, port, routerID'),
    yaml: bgpConf('  as: 65000\n  port: 179\n', 'default', 'v1alpha1'),
    upstream: { verdict: 'refused', detail: 'required field missing' },
    names: ['schema-required'],
  },
  {
    name: 'BgpPeer 192.168.1.2 / peerAs 65001 is served',
    source: v6(BGP_SUITE, 'bgpPeer "peer1"'),
    yaml: docs(bgpConf('  as: 65001\n  routerId: 192.168.1.1\n  listenPort: 17901\n'), bgpPeer('peer1', '  conf:\n    neighborAddress: 192.168.1.2\n    peerAs: 65001\n')),
    upstream: { verdict: 'served', detail: 'iBGP session to 192.168.1.2' },
  },
  {
    name: 'BgpPeer with a nodeSelector peers from the matching node only',
    source: v6(BGP_SUITE, '"BgpPeer should have status when it match node"'),
    yaml: docs(
      bgpConf('  as: 65001\n  listenPort: 17901\n'),
      bgpPeer('peer1', '  conf:\n    neighborAddress: 192.168.1.2\n    peerAs: 65001\n  nodeSelector:\n    matchLabels:\n      kubernetes.io/hostname: node1\n'),
    ),
    nodes: [
      { name: 'node1', ip: '192.168.0.1', labels: { 'kubernetes.io/hostname': 'node1' } },
      { name: 'node2', ip: '192.168.0.2', labels: { 'kubernetes.io/hostname': 'node2' } },
    ],
    upstream: { verdict: 'served', detail: 'peerMatchNode: node1 only' },
  },
  {
    name: 'BgpPeer to an IPv6 neighbour is served',
    source: v6(PEERS, 'HandleBgpPeer (defaultFamily: IPv6 unicast for an IPv6 neighbour)'),
    yaml: docs(bgpConf('  as: 65001\n'), bgpPeer('peer6', '  conf:\n    neighborAddress: 2001:db8::2\n    peerAs: 65002\n')),
    upstream: { verdict: 'served', detail: 'AFI_IP6 / SAFI_UNICAST by default' },
  },
  {
    name: 'v1alpha1 BgpPeer to an IPv6 neighbour is refused by the CRD pattern',
    source: v6('config/crd/bases/network.kubesphere.io_bgppeers.yaml (reference copy)', 'v1alpha1 config.neighborAddress pattern (IPv4)'),
    yaml: bgpPeer('peer6', '  config:\n    neighborAddress: 2001:db8::2\n    peerAs: 65002\n', 'v1alpha1'),
    upstream: { verdict: 'refused', detail: 'the pattern admits IPv4 only' },
    names: ['schema-pattern'],
  },
  {
    name: "BgpPeer neighborAddress '192.168.1' never peers",
    source: v6(PEERS, 'HandleBgpPeer "field Spec.Conf.NeighborAddress invalid"'),
    yaml: docs(bgpConf('  as: 65001\n'), bgpPeer('peer1', '  conf:\n    neighborAddress: "192.168.1"\n    peerAs: 65001\n')),
    upstream: { verdict: 'not-served', detail: 'HandleBgpPeer returns an error on every reconcile' },
    names: ['bgppeer-neighbor-address'],
  },
  {
    name: 'BgpPeer holdTime "90" is served',
    source: v6('api/v1alpha2/bgppeer_types.go', 'ToGoBgpPeer (jsonpb reads a quoted uint64)'),
    yaml: docs(bgpConf('  as: 65001\n'), bgpPeer('peer1', '  conf:\n    neighborAddress: 192.168.1.2\n    peerAs: 65002\n  timers:\n    config:\n      holdTime: "90"\n      keepaliveInterval: "30"\n')),
    upstream: { verdict: 'served', detail: 'hold time 90 s' },
  },
  {
    name: 'BgpPeer holdTime "90s" never peers',
    source: v6('api/v1alpha2/bgppeer_types.go', 'ToGoBgpPeer (jsonpb cannot read "90s" as a number)'),
    yaml: docs(bgpConf('  as: 65001\n'), bgpPeer('peer1', '  conf:\n    neighborAddress: 192.168.1.2\n    peerAs: 65002\n  timers:\n    config:\n      holdTime: "90s"\n')),
    upstream: { verdict: 'not-served', detail: 'HandleBgpPeer fails to convert the peer' },
    names: ['bgppeer-timer'],
  },
  {
    name: "BgpPeer removePrivateAs 'ALL' is served",
    source: v6('api/v1alpha2/bgppeer_types.go', 'ToGoBgpPeer (jsonpb into gobgp api.PeerConf, enum RemovePrivateAs { NONE, ALL, REPLACE } at gobgp 496b372, the version v0.6.0 pins)'),
    yaml: docs(bgpConf('  as: 65001\n'), bgpPeer('peer1', '  conf:\n    neighborAddress: 192.168.1.2\n    peerAs: 65002\n    removePrivateAs: ALL\n')),
    upstream: { verdict: 'served', detail: 'the enum value name ALL is what gobgp\'s API reads' },
  },
  {
    name: "BgpPeer removePrivateAs 'REMOVE_ALL' never peers",
    source: v6('api/v1alpha2/bgppeer_types.go', 'ToGoBgpPeer (jsonpb: no enum value REMOVE_ALL)'),
    yaml: docs(bgpConf('  as: 65001\n'), bgpPeer('peer1', '  conf:\n    neighborAddress: 192.168.1.2\n    peerAs: 65002\n    removePrivateAs: REMOVE_ALL\n')),
    upstream: { verdict: 'not-served', detail: 'the conversion fails, so HandleBgpPeer fails on every reconcile' },
    names: ['schema-enum'],
  },
  {
    name: "BgpPeer afiSafis family safi 'SAFI_MUP' never peers",
    source: v6('api/v1alpha2/bgppeer_types.go', 'ToGoBgpPeer (gobgp 496b372 api.Family.Safi has no SAFI_MUP)'),
    yaml: docs(bgpConf('  as: 65001\n'), bgpPeer('peer1', '  conf:\n    neighborAddress: 192.168.1.2\n    peerAs: 65002\n  afiSafis:\n  - config:\n      family:\n        afi: AFI_IP\n        safi: SAFI_MUP\n      enabled: true\n')),
    upstream: { verdict: 'not-served', detail: 'SAFI_MUP came to gobgp after the version upstream pins: the conversion fails' },
    names: ['schema-enum'],
  },
  {
    name: 'two BgpPeers for one neighbour: the last reconciled silently wins',
    source: v6(PEERS, 'HandleBgpPeer (UpdatePeer replaces the neighbour; DeletePeer of either removes it)'),
    yaml: docs(
      bgpConf('  as: 65001\n'),
      bgpPeer('peer-a', '  conf:\n    neighborAddress: 192.168.1.2\n    peerAs: 65002\n'),
      bgpPeer('peer-b', '  conf:\n    neighborAddress: 192.168.1.2\n    peerAs: 65003\n'),
    ),
    upstream: { verdict: 'served', detail: 'both admitted; one session whose peer AS is whichever BgpPeer reconciled last, and deleting either BgpPeer ends it' },
    deliberate: {
      why: 'which configuration a router sees must not depend on reconcile order: we warn (bgppeer-duplicate-neighbor; upstream admits both, so not an error) and the speaker keeps the first BgpPeer by name, logging the other',
      ours: { verdict: 'flagged', names: ['bgppeer-duplicate-neighbor:warning'] },
    },
  },
];
