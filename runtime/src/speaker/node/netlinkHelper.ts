// The rtnetlink subcommands of openelb-packet-helper (runtime/native/netlink.c): host addresses
// on an interface, and the interface of a route. The speaker's image (node:24-bookworm-slim)
// has no `ip` binary and Node.js cannot open netlink sockets, hence the helper.
import { execFile } from 'node:child_process';
import { parseSubnet } from '@openelb/core/address/pool';
import { formatIp } from '@openelb/core/address/ip';
import { findPacketHelper } from '../layer2/helperPath';

/** The helper's exit statuses (netlink.c). */
export const NETLINK_STATUS = { refused: 1, usage: 2, noInterface: 3, noRoute: 4 } as const;

/** A failed subcommand: the helper's exit status and what it wrote on stderr. */
export class NetlinkError extends Error {
  constructor(message: string, readonly status: number | undefined) { super(message); }
}

export interface ListedAddress { ip: string; prefix: number }

/** `addr list` output ("ADDR/PREFIX" lines) as addresses in canonical form; junk lines skipped. */
export function parseAddressList(out: string): ListedAddress[] {
  return out.split('\n').flatMap((line) => {
    const s = parseSubnet(line.trim());
    return s ? [{ ip: formatIp(s.family, s.value), prefix: s.prefix }] : [];
  });
}

const TIMEOUT_MS = 10_000;

export class NetlinkHelper {
  /** `path`: the helper binary; found like the layer2 helper when not given. */
  constructor(private readonly path?: string) {}

  /** Every address on `ifname`. */
  async list(ifname: string): Promise<ListedAddress[]> {
    return parseAddressList(await this.run(['addr', 'list', ifname]));
  }

  /** Adds host addresses (/32, /128); present ones are fine. */
  async add(ifname: string, ips: readonly string[]): Promise<void> {
    if (ips.length) await this.run(['addr', 'add', ifname, ...ips]);
  }

  /** Removes host addresses; absent ones are fine. */
  async remove(ifname: string, ips: readonly string[]): Promise<void> {
    if (ips.length) await this.run(['addr', 'del', ifname, ...ips]);
  }

  /** Throws unless `ifname` exists and the kernel lets us change its addresses (CAP_NET_ADMIN). */
  async check(ifname: string): Promise<void> {
    await this.run(['addr', 'check', ifname]);
  }

  private run(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      let path: string;
      try { path = this.path ?? findPacketHelper(); } catch (e) { reject(new NetlinkError((e as Error).message, undefined)); return; }
      execFile(path, args, { encoding: 'utf8', timeout: TIMEOUT_MS }, (err, stdout, stderr) => {
        if (!err) { resolve(stdout); return; }
        const status = typeof err.code === 'number' ? err.code : undefined;
        const why = stderr.trim().replace(/^openelb-packet-helper: /gm, '') || err.message;
        reject(new NetlinkError(why, status));
      });
    });
  }
}
