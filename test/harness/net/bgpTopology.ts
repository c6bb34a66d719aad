// The BGP tests' view of the shared namespace topology (topology.ts): hosts router, node1,
// node2, node3 and client on one bridge, each with an IPv4 and an IPv6 address. This thin
// adapter gives the BGP helpers string host names and argv-style exec.
import { execFileSync } from 'node:child_process';
import { HOSTS, HostName, Topology as Shared, requireNetTools } from './topology';

/** The host routes the BGP tests announce (addresses that exist only inside the test namespaces). */
export const VIP4 = '172.31.254.100/32';
export const VIP6 = 'fd00:254::100/128';

export interface Topology {
  prefix: string;
  ns(host: string): string;
  addr4(host: string): string;
  addr6(host: string): string;
  /** Runs a command in a host's namespace and returns stdout (throws with stderr on failure). */
  exec(host: string, argv: string[]): string;
  destroy(): void;
}

export function sh(argv: string[], input?: string): string {
  try {
    return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], timeout: 30000 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${argv.join(' ')} failed: ${err.stderr?.trim() || err.message}`);
  }
}

/** Fails with a clear message unless we are root and every tool is on PATH. */
export function requireRootAndTools(tools: string[]): void {
  try {
    requireNetTools(tools);
  } catch (e) {
    throw new Error(`${(e as Error).message}; BGP peers come from: apt-get install -y --no-install-recommends gobgpd bird2 frr`);
  }
}

function host(name: string): HostName {
  if (!(name in HOSTS)) throw new Error(`unknown topology host "${name}" (known: ${Object.keys(HOSTS).join(', ')})`);
  return name as HostName;
}

export function createTopology(): Topology {
  requireRootAndTools(['ip']);
  const t = Shared.create();
  return {
    prefix: t.prefix,
    ns: (h) => t.hosts[host(h)].ns,
    addr4: (h) => HOSTS[host(h)].v4,
    addr6: (h) => HOSTS[host(h)].v6,
    exec: (h, argv) => t.exec(host(h), argv[0], argv.slice(1)),
    destroy: () => t.teardown(),
  };
}
