// The node's network interfaces and which one serves a layer2 Eip (pure; the I/O that feeds it,
// os.networkInterfaces() and the helper's `route get`, lives in hostNet.ts).
//
// As in OpenELB, an Eip's `interface` is a name ("eth0") or "can_reach:IP" (the interface of
// the route to IP), and the interface is usable only when one of its subnets holds the whole
// Eip range. When it is not usable and the Node carries layer2.openelb.kubesphere.io/v1alpha1
// (one of its addresses), the NIC owning that address is used instead.
import { parseIp, type Family } from '@openelb/core/address/ip';
import { firstIp, lastIp, parseSubnet, subnetContainsPool, type Pool } from '@openelb/core/address/pool';

export interface NicAddress { address: string; family: Family; value: bigint; prefix: number }
export interface Nic { name: string; mac: string; addresses: NicAddress[] }

/** The shape of os.networkInterfaces(). */
export type OsInterfaces = NodeJS.Dict<{ address: string; cidr: string | null; mac: string; internal: boolean }[]>;

/** Interfaces other than loopback, with their addresses and prefix lengths. */
export function nicsFrom(os: OsInterfaces): Nic[] {
  const out: Nic[] = [];
  for (const [name, infos] of Object.entries(os)) {
    if (!infos?.length || name === 'lo' || infos.every((i) => i.internal)) continue;
    const addresses: NicAddress[] = [];
    for (const i of infos) {
      // os.networkInterfaces() gives "fe80::1%eth0" for link-local addresses: drop the zone.
      const address = i.address.replace(/%.*$/, '');
      const subnet = i.cidr ? parseSubnet(`${address}/${i.cidr.split('/')[1]}`) : undefined;
      if (subnet) addresses.push({ address, ...subnet });
    }
    out.push({ name, mac: infos[0].mac, addresses });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The value of the Node annotation openelb.kubesphere.io/interfaces (stable order). */
export function interfacesAnnotation(nics: readonly Nic[]): string {
  return JSON.stringify(nics.map((n) => ({ name: n.name, mac: n.mac, addresses: n.addresses.map((a) => `${a.address}/${a.prefix}`) })));
}

/** An interface to use, or why there is none (`reason`: the condition reason, kubeWrites.ts). */
export type Choice = { ifname: string; note?: string } | { error: string; reason?: string };

/** The address after "can_reach:" (what resolveInterface looks the route up for), else undefined. */
export function canReachTarget(spec: string): string | undefined {
  return spec.startsWith('can_reach:') ? spec.slice('can_reach:'.length).trim() : undefined;
}

/** Resolves an Eip `interface` string to an interface name. */
export function resolveInterface(spec: string, nics: readonly Nic[], routeDevice: (ip: string) => string | undefined): Choice {
  const target = canReachTarget(spec);
  if (target === undefined) {
    return nics.some((n) => n.name === spec) ? { ifname: spec } : { error: `interface ${spec} does not exist on this node` };
  }
  const ip = parseIp(target);
  if (!ip) return { error: `invalid can_reach address "${target}"` };
  let dev = routeDevice(target);
  if (!dev) {
    // No route lookup available: the interface with a subnet holding the address.
    dev = nics.find((n) => n.addresses.some((a) => subnetContainsPool(a, { family: ip.family, first: ip.value, last: ip.value, form: 'ip' })))?.name;
  }
  if (!dev) return { error: `no route to ${target}` };
  if (dev === 'lo') return { error: `the route to ${target} uses lo, which cannot announce addresses` };
  return nics.some((n) => n.name === dev) ? { ifname: dev } : { error: `the route to ${target} uses ${dev}, which is not usable` };
}

/** An error when none of the interface's subnets holds the whole range (OpenELB's check). */
export function poolProblem(nic: Nic | undefined, ifname: string, pool: Pool): string | undefined {
  if (nic?.addresses.some((a) => subnetContainsPool(a, pool))) return undefined;
  return `${ifname}'s addresses and the Eip range ${firstIp(pool)}-${lastIp(pool)} are not in the same network segment`;
}

/** The interface this node announces the Eip's addresses on, or why it cannot. */
export function chooseInterface(spec: string, pool: Pool, nics: readonly Nic[], routeDevice: (ip: string) => string | undefined, layer2Address?: string): Choice {
  const first = resolveInterface(spec, nics, routeDevice);
  const problem = 'error' in first ? first.error : poolProblem(nics.find((n) => n.name === first.ifname), first.ifname, pool);
  if (!problem) return first;
  const want = layer2Address ? parseIp(layer2Address.trim()) : undefined;
  if (want) {
    const nic = nics.find((n) => n.addresses.some((a) => a.family === want.family && a.value === want.value));
    if (nic && !poolProblem(nic, nic.name, pool)) {
      return { ifname: nic.name, note: `${problem}; using ${nic.name}, which owns the node's layer2 address ${layer2Address}` };
    }
  }
  return { error: problem };
}
