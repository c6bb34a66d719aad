// Layer2 side of the speaker (I/O): one packet helper + Layer2Announcer per interface in use,
// and the set of addresses announced on each. apply() moves the node from what it announces to
// what it should announce: withdraw first, then announce (which sends gratuitous ARP / NA).
import { Layer2Announcer, type AnnouncerCounters } from '../layer2/layer2Announcer';
import { PacketIO } from '../layer2/packetIO';
import type { Choice } from './interfaces';
import { withUnusable } from '../plan/interfaceChoice';
import type { Unusable } from '../plan/snapshot';
import { REASON_LAYER2_OPEN_FAILED } from './conditions';

export interface WantedAddress { ip: string; ifname: string }

interface Port { io: PacketIO; announcer: Layer2Announcer }

export class Layer2Driver {
  private readonly ports = new Map<string, Port>();
  /** ip → interface it is announced on. */
  private readonly announced = new Map<string, string>();
  /** Counters of announcers already closed, so totals never go down. */
  private readonly retired: AnnouncerCounters = zero();
  private readonly failedOpen = new Map<string, number>();
  /** Interface → why its helper could not be opened (until it opens). */
  private readonly openErrors = new Map<string, string>();

  /** `helperProblem`: why no helper can run on this node (then every open fails with it). */
  constructor(private readonly log: (m: string) => void, private readonly onLost: () => void,
    private readonly helperPath?: string, private readonly helperProblem?: string) {}

  /** Opens helpers for these interfaces (ready for a fast takeover) and closes the others. */
  async ensure(ifnames: Iterable<string>): Promise<void> {
    const want = new Set(ifnames);
    for (const name of want) {
      if (this.ports.has(name)) continue;
      // After a failure, wait a little before trying the same interface again.
      if ((this.failedOpen.get(name) ?? 0) > Date.now()) continue;
      try {
        if (this.helperProblem) throw new Error(this.helperProblem);
        const io = await PacketIO.open(name, { helperPath: this.helperPath });
        const announcer = new Layer2Announcer(io);
        io.onUnexpectedExit((reason) => { this.log(reason); this.drop(name); this.onLost(); });
        this.ports.set(name, { io, announcer });
        this.openErrors.delete(name);
      } catch (e) {
        this.failedOpen.set(name, Date.now() + 5000);
        const why = `cannot open ${name} for layer2: ${(e as Error).message}`;
        // Retried every 5 s: log a failure once, not at every retry.
        if (this.openErrors.get(name) !== why) this.log(why);
        this.openErrors.set(name, why);
      }
    }
    for (const name of [...this.ports.keys()]) if (!want.has(name)) await this.close(name);
    for (const name of [...this.openErrors.keys()]) if (!want.has(name)) this.openErrors.delete(name);
  }

  /**
   * The choices with every interface this driver could not open turned into an error, so the
   * node reports Speaker.<node>=False for those Eips and the election passes it over.
   */
  usable(choices: ReadonlyMap<string, Choice>): Map<string, Choice> {
    return withUnusable(choices, this.unusable());
  }

  /** Interface → why its helper could not be opened (until it opens, or is no longer wanted). */
  unusable(): Map<string, Unusable> {
    return new Map([...this.openErrors].map(([name, error]) => [name, { error, reason: REASON_LAYER2_OPEN_FAILED }]));
  }

  /** Announces exactly `wanted` (addresses on interfaces that could not be opened are skipped). */
  apply(wanted: readonly WantedAddress[]): { announced: string[]; withdrawn: string[] } {
    const target = new Map(wanted.filter((w) => this.ports.has(w.ifname)).map((w) => [w.ip, w.ifname]));
    const withdrawn: string[] = [];
    const announced: string[] = [];
    for (const [ip, ifname] of [...this.announced]) {
      if (target.get(ip) === ifname) continue;
      this.ports.get(ifname)?.announcer.withdraw(ip);
      this.announced.delete(ip);
      withdrawn.push(ip);
    }
    for (const [ip, ifname] of target) {
      if (this.announced.has(ip)) continue;
      this.ports.get(ifname)!.announcer.announce(ip);
      this.announced.set(ip, ifname);
      announced.push(ip);
    }
    return { announced, withdrawn };
  }

  /**
   * Sends gratuitous ARP / unsolicited NA again for everything announced, as at a takeover: the
   * loop calls it when it sees heartbeats again after a silence, since a node cut off alone was
   * counted gone by the others, whose new owner moved the neighbours to its MAC meanwhile.
   */
  reannounce(): string[] {
    for (const [ip, ifname] of this.announced) this.ports.get(ifname)?.announcer.reannounce(ip);
    return [...this.announced.keys()];
  }

  announcedAddresses(): Map<string, string> {
    return new Map(this.announced);
  }

  /** Totals over every announcer this driver ran. */
  counters(): AnnouncerCounters {
    const sum = { ...this.retired };
    for (const p of this.ports.values()) add(sum, p.announcer.counters);
    return sum;
  }

  async stop(): Promise<void> {
    for (const name of [...this.ports.keys()]) await this.close(name);
  }

  private drop(name: string): void {
    const p = this.ports.get(name);
    if (!p) return;
    add(this.retired, p.announcer.counters);
    p.announcer.close();
    this.ports.delete(name);
    for (const [ip, ifname] of [...this.announced]) if (ifname === name) this.announced.delete(ip);
  }

  private async close(name: string): Promise<void> {
    const p = this.ports.get(name);
    this.drop(name);
    await p?.io.close();
  }
}

function zero(): AnnouncerCounters {
  return { arpRequestsSeen: 0, neighborSolicitationsSeen: 0, arpRepliesSent: 0, neighborAdvertisementsSent: 0, gratuitousSent: 0, rateLimited: 0, ignored: 0 };
}

function add(into: AnnouncerCounters, c: AnnouncerCounters): void {
  for (const k of Object.keys(into) as (keyof AnnouncerCounters)[]) into[k] += c[k];
}
