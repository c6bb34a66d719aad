// Vip side of the speaker (I/O). The node elected for an address of a vip Eip holds it on the
// Eip's interface (rtnetlink through the packet helper: /32 or /128, IPv6 nodad, no prefix
// route), so the kernel itself answers ARP/NDP and traffic for it. On takeover it also sends
// gratuitous ARP / unsolicited NA (layer2's frame builders, through a send-only packet helper)
// so neighbours move to it at once. Interfaces are checked ahead (exists, CAP_NET_ADMIN, packet
// socket), so a node that cannot serve reports it and leaves the election before winning.
import { parseIp } from '@openelb/core/address/ip';
import type { Pool } from '@openelb/core/address/pool';
import { buildGratuitousArp } from '../layer2/arp';
import { GratuitousSeries } from '../layer2/gratuitousSeries';
import { buildUnsolicitedAdvertisement } from '../layer2/ndp';
import { PacketIO } from '../layer2/packetIO';
import { parseMac } from '../layer2/wire';
import { withUnusable } from '../plan/interfaceChoice';
import type { Unusable } from '../plan/snapshot';
import { placementKey, vipChanges, type VipChanges, type VipPlacement } from '../plan/vip';
import { REASON_VIP_FAILED } from './conditions';
import type { Choice } from './interfaces';
import { NETLINK_STATUS, NetlinkError, NetlinkHelper, type ListedAddress } from './netlinkHelper';

// Written with the other reasons in conditions.ts; re-exported for the callers that know it from here.
export { REASON_VIP_FAILED };

/** A failed check or open is retried after this. */
const CHECK_RETRY_MS = 5000;
/** After a refused address change the interface stays out of the election this long, doubling
 * with each new refusal: a kernel that keeps refusing must not make addresses flap. */
const CHANGE_RETRY_MS = 30_000;
const CHANGE_RETRY_MAX_MS = 10 * 60_000;
/** The kernel's view of an interface is re-read this often: repairs lost addresses and removes
 * leftovers (the first plan after a start always reads it). */
const RELIST_MS = 10_000;

export class VipDriver {
  private readonly netlink: NetlinkHelper;
  /** Send-only packet helpers, one per interface in use. */
  private readonly ports = new Map<string, PacketIO>();
  /** Interface → why it cannot be used, and when to try again. */
  private readonly failures = new Map<string, { why: string; until: number }>();
  private readonly strikes = new Map<string, number>();
  /** The interfaces of the vip Eips (last ensure()): read for leftovers. */
  private interfaces = new Set<string>();
  /** What may be on an interface because of us (removed at stop), by placementKey. */
  private readonly held = new Map<string, VipPlacement>();
  private readonly listedAt = new Map<string, number>();
  /** Gratuitous ARP / unsolicited NA per takeover, as layer2's announcer, by placementKey. */
  private readonly gratuitous = new GratuitousSeries();
  /** Held, but a release of it was refused (by placementKey). */
  private readonly unreleased = new Set<string>();
  gratuitousSent = 0;

  /** `helperProblem`: why no helper can run on this node (every interface then fails with it). */
  constructor(private readonly log: (m: string) => void, private readonly onLost: () => void,
    private readonly helperPath?: string, private readonly helperProblem?: string) {
    this.netlink = new NetlinkHelper(helperPath);
  }

  /** Checks these interfaces and opens a send-only packet helper on each; closes the others. */
  async ensure(ifnames: Iterable<string>): Promise<void> {
    this.interfaces = new Set(ifnames);
    for (const name of this.interfaces) {
      const failed = this.failures.get(name);
      if (failed ? failed.until > Date.now() : this.ports.has(name)) continue;
      try {
        if (this.helperProblem) throw new Error(this.helperProblem);
        await this.netlink.check(name);
        if (!this.ports.has(name)) await this.open(name);
        this.failures.delete(name);
      } catch (e) {
        this.fail(name, `cannot hold vip addresses on ${name}: ${(e as Error).message}`, CHECK_RETRY_MS);
      }
    }
    for (const name of [...this.ports.keys()]) if (!this.interfaces.has(name)) await this.close(name);
    for (const name of [...this.failures.keys()]) if (!this.interfaces.has(name)) this.failures.delete(name);
  }

  /** The choices with every interface this node cannot use turned into an error (reported False). */
  usable(choices: ReadonlyMap<string, Choice>): Map<string, Choice> {
    return withUnusable(choices, this.unusable());
  }

  /** Interface → why this node cannot hold addresses on it (kept until a check succeeds). */
  unusable(): Map<string, Unusable> {
    return new Map([...this.failures].map(([name, f]) => [name, { error: f.why, reason: REASON_VIP_FAILED }]));
  }

  /** Holds exactly `wanted`; removes leftovers inside `pools` (the vip Eips' pools). */
  async apply(wanted: readonly VipPlacement[], pools: readonly Pool[]): Promise<VipChanges> {
    const changes = vipChanges(wanted, [...this.held.values()], await this.listDue(), pools);
    // Release first, then take: the same order as layer2.
    const remove = await this.change('del', changes.remove);
    const add = await this.change('add', changes.add);
    return { add: [...add, ...this.retake(wanted, add)], remove };
  }

  /** Wanted again after a release the kernel refused: still held, but the neighbours may have
   * moved to the node that owned it meanwhile, so announce it as a takeover. */
  private retake(wanted: readonly VipPlacement[], added: readonly VipPlacement[]): VipPlacement[] {
    const addedKeys = new Set(added.map(placementKey));
    const again = wanted.filter((p) => this.unreleased.has(placementKey(p)) && !addedKeys.has(placementKey(p)));
    for (const p of wanted) this.unreleased.delete(placementKey(p));
    for (const p of again) this.take(p);
    return again;
  }

  /**
   * Sends gratuitous ARP / unsolicited NA again for every address held, as at a takeover (see
   * Layer2Driver.reannounce); not for those on an interface that refused a change.
   */
  reannounce(): VipPlacement[] {
    const held = [...this.held.values()].filter((p) => !this.failures.has(p.ifname));
    for (const p of held) this.take(p);
    return held;
  }

  /** Held address → interface. */
  holdings(): Map<string, string> {
    return new Map([...this.held.values()].map((p) => [p.ip, p.ifname]));
  }

  /** Removes every address it holds and closes the packet helpers. */
  async stop(): Promise<void> {
    this.gratuitous.stopAll();
    for (const p of await this.change('del', [...this.held.values()])) this.log(`vip: released ${p.ip} from ${p.ifname}`);
    for (const name of [...this.ports.keys()]) await this.close(name);
  }

  private async open(name: string): Promise<void> {
    const io = await PacketIO.open(name, { helperPath: this.helperPath, sendOnly: true });
    io.onUnexpectedExit((reason) => { this.log(reason); this.ports.delete(name); this.onLost(); });
    this.ports.set(name, io);
  }

  private async close(name: string): Promise<void> {
    const io = this.ports.get(name);
    this.ports.delete(name);
    await io?.close();
  }

  /** Records why `name` cannot be used (logged once per reason) until `retryMs` from now. */
  private fail(name: string, why: string, retryMs: number): void {
    if (this.failures.get(name)?.why !== why) this.log(why);
    this.failures.set(name, { why, until: Date.now() + retryMs });
  }

  /** The addresses of the interfaces not read for RELIST_MS. */
  private async listDue(): Promise<Map<string, ListedAddress[]>> {
    const out = new Map<string, ListedAddress[]>();
    for (const name of this.interfaces) {
      if ((this.listedAt.get(name) ?? -Infinity) + RELIST_MS > Date.now()) continue;
      this.listedAt.set(name, Date.now());
      try {
        out.set(name, await this.netlink.list(name));
      } catch (e) {
        this.log(`vip: cannot list the addresses of ${name}: ${(e as Error).message}`);
      }
    }
    return out;
  }

  /** Adds or removes addresses, one helper run per interface; returns the ones done. */
  private async change(op: 'add' | 'del', list: readonly VipPlacement[]): Promise<VipPlacement[]> {
    const done: VipPlacement[] = [];
    for (const [ifname, group] of byInterface(list)) {
      const ips = group.map((p) => p.ip);
      try {
        await (op === 'add' ? this.netlink.add(ifname, ips) : this.netlink.remove(ifname, ips));
      } catch (e) {
        // An interface that went away took its addresses with it.
        const gone = e instanceof NetlinkError && e.status === NETLINK_STATUS.noInterface;
        if (op === 'add' || !gone) {
          this.refused(ifname, `cannot ${op === 'add' ? 'add' : 'remove'} ${ips.join(', ')} on ${ifname}: ${(e as Error).message}`);
          // Some may have changed before the failure: count them as held, so they are removed.
          if (op === 'add') for (const p of group) this.held.set(placementKey(p), p);
          else for (const p of group) this.unreleased.add(placementKey(p));
          continue;
        }
      }
      for (const p of group) {
        if (op === 'add') this.take(p);
        else this.release(p);
      }
      if (op === 'add') this.strikes.delete(ifname);
      done.push(...group);
    }
    return done;
  }

  private refused(ifname: string, why: string): void {
    const n = (this.strikes.get(ifname) ?? 0) + 1;
    this.strikes.set(ifname, n);
    this.listedAt.delete(ifname); // read the kernel's view again next time
    this.fail(ifname, why, Math.min(CHANGE_RETRY_MS * 2 ** (n - 1), CHANGE_RETRY_MAX_MS));
  }

  /** Now held: tell the neighbours (their entries may point at the previous holder). */
  private take(p: VipPlacement): void {
    const key = placementKey(p);
    this.held.set(key, p);
    this.gratuitous.start(key, () => this.sendGratuitous(p));
  }

  private release(p: VipPlacement): void {
    const key = placementKey(p);
    this.held.delete(key);
    this.unreleased.delete(key);
    this.gratuitous.stop(key);
  }

  private sendGratuitous(p: VipPlacement): void {
    const io = this.ports.get(p.ifname);
    const mac = io ? parseMac(io.info.mac) : undefined;
    const ip = parseIp(p.ip);
    if (!io || !mac || !ip) return; // no Ethernet port (yet): the kernel still answers requests
    io.send(ip.family === 4 ? buildGratuitousArp(mac, ip) : buildUnsolicitedAdvertisement(mac, ip));
    this.gratuitousSent++;
  }
}

function byInterface(list: readonly VipPlacement[]): Map<string, VipPlacement[]> {
  const out = new Map<string, VipPlacement[]>();
  for (const p of list) out.set(p.ifname, [...(out.get(p.ifname) ?? []), p]);
  return out;
}
