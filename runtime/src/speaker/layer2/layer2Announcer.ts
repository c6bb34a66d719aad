// Layer2 mode: make this node answer ARP (IPv4) and Neighbor Solicitations
// (IPv6) for the virtual IPs it announces, and broadcast a gratuitous ARP /
// unsolicited Neighbor Advertisement when it takes an address over.
import { type Ip, parseIp } from '@openelb/core/address/ip';
import { ARP_REQUEST, buildArpReply, buildGratuitousArp, parseArp } from './arp';
import {
  buildSolicitedAdvertisement, buildUnsolicitedAdvertisement, multicastMac, parseNeighborSolicitation,
  solicitedNodeAddress,
} from './ndp';
import { GRATUITOUS_COUNT, GRATUITOUS_INTERVAL_MS, GratuitousSeries } from './gratuitousSeries';
import type { FramePort } from './packetIO';
import { TokenBucket } from './tokenBucket';
import { ipKey, parseMac } from './wire';

export interface AnnouncerOptions {
  /** Replies per second over all askers (default 1000, burst 200). */
  replyRate?: number;
  /** Replies per second to one asking MAC (default 50, burst 50). */
  perRequesterRate?: number;
  /** Gratuitous ARP / unsolicited NA sent per announce (default 3). */
  gratuitousCount?: number;
  /** Gap between them in ms (default 1000; the first goes at once). */
  gratuitousIntervalMs?: number;
  now?: () => number;
}

/** Counters for metrics. */
export interface AnnouncerCounters {
  arpRequestsSeen: number;
  neighborSolicitationsSeen: number;
  arpRepliesSent: number;
  neighborAdvertisementsSent: number;
  gratuitousSent: number;
  /** Requests for our addresses not answered because of the rate limits. */
  rateLimited: number;
  /** Frames that were not a valid request for one of our addresses. */
  ignored: number;
}

/** Keeps the per-asker bucket map bounded under a flood of forged source MACs. */
const MAX_REQUESTERS = 4096;

export class Layer2Announcer {
  readonly counters: AnnouncerCounters = {
    arpRequestsSeen: 0, neighborSolicitationsSeen: 0, arpRepliesSent: 0, neighborAdvertisementsSent: 0,
    gratuitousSent: 0, rateLimited: 0, ignored: 0,
  };
  private readonly mac: Buffer;
  private readonly ips = new Map<string, Ip>();
  private readonly gratuitous: GratuitousSeries;
  /** Solicited-node group MAC -> number of announced IPv6 addresses using it. */
  private readonly groups = new Map<string, number>();
  private readonly global: TokenBucket;
  private readonly perRequester = new Map<string, TokenBucket>();
  private readonly opts: Required<Omit<AnnouncerOptions, 'now'>> & { now?: () => number };

  constructor(private readonly port: FramePort, options: AnnouncerOptions = {}) {
    const mac = parseMac(port.info.mac);
    if (!mac) throw new Error(`interface ${port.info.ifname} has no Ethernet MAC (got "${port.info.mac}")`);
    this.mac = mac;
    this.opts = {
      replyRate: options.replyRate ?? 1000,
      perRequesterRate: options.perRequesterRate ?? 50,
      gratuitousCount: options.gratuitousCount ?? GRATUITOUS_COUNT,
      gratuitousIntervalMs: options.gratuitousIntervalMs ?? GRATUITOUS_INTERVAL_MS,
      now: options.now,
    };
    this.gratuitous = new GratuitousSeries(this.opts.gratuitousCount, this.opts.gratuitousIntervalMs);
    this.global = new TokenBucket(this.opts.replyRate, Math.max(1, this.opts.replyRate / 5), options.now);
    port.onFrame((frame) => this.handleFrame(frame));
  }

  get interfaceName(): string { return this.port.info.ifname; }
  get macAddress(): string { return this.port.info.mac; }

  /** Starts answering for `ip` and announces the takeover. Idempotent. */
  announce(ip: Ip | string): void {
    const addr = toIp(ip);
    const key = ipKey(addr);
    if (this.ips.has(key)) return;
    this.ips.set(key, addr);
    if (addr.family === 6) {
      const g = multicastMac(solicitedNodeAddress(addr)).toString('hex');
      const n = this.groups.get(g) ?? 0;
      if (n === 0) this.port.joinMulticast(Buffer.from(g, 'hex'));
      this.groups.set(g, n + 1);
    }
    this.gratuitous.start(key, () => this.sendGratuitous(addr));
  }

  /**
   * Announces `ip` as a takeover again, gratuitous ARP / NA included, even if it never stopped
   * answering for it: after a time cut off, neighbours may have moved to another node's MAC.
   */
  reannounce(ip: Ip | string): void {
    const addr = toIp(ip);
    const key = ipKey(addr);
    if (!this.ips.has(key)) this.announce(addr);
    else this.gratuitous.start(key, () => this.sendGratuitous(addr));
  }

  /** Stops answering for `ip`. Idempotent. */
  withdraw(ip: Ip | string): void {
    const addr = toIp(ip);
    const key = ipKey(addr);
    if (!this.ips.delete(key)) return;
    this.gratuitous.stop(key);
    if (addr.family === 6) {
      const g = multicastMac(solicitedNodeAddress(addr)).toString('hex');
      const n = (this.groups.get(g) ?? 1) - 1;
      if (n === 0) { this.groups.delete(g); this.port.leaveMulticast(Buffer.from(g, 'hex')); }
      else this.groups.set(g, n);
    }
  }

  isAnnounced(ip: Ip | string): boolean {
    return this.ips.has(ipKey(toIp(ip)));
  }

  /** Withdraws everything and stops pending gratuitous sends. */
  close(): void {
    for (const ip of [...this.ips.values()]) this.withdraw(ip);
  }

  /** Answers one received frame if it asks for one of our addresses. */
  handleFrame(frame: Buffer): void {
    const arp = parseArp(frame);
    if (arp) {
      if (arp.op !== ARP_REQUEST) { this.counters.ignored++; return; }
      this.counters.arpRequestsSeen++;
      // A gratuitous ARP from someone else for our address is not a question.
      if (!this.ips.has(ipKey(arp.targetIp)) || arp.senderIp.value === arp.targetIp.value) {
        this.counters.ignored++;
        return;
      }
      if (!this.allow(arp.senderMac)) return;
      this.port.send(buildArpReply(arp, this.mac));
      this.counters.arpRepliesSent++;
      return;
    }
    const ns = parseNeighborSolicitation(frame);
    if (ns) {
      this.counters.neighborSolicitationsSeen++;
      if (!this.ips.has(ipKey(ns.target))) { this.counters.ignored++; return; }
      if (!this.allow(ns.sourceMac ?? ns.ethSource)) return;
      this.port.send(buildSolicitedAdvertisement(ns, this.mac));
      this.counters.neighborAdvertisementsSent++;
      return;
    }
    this.counters.ignored++;
  }

  private allow(requester: Buffer): boolean {
    const key = requester.toString('hex');
    let bucket = this.perRequester.get(key);
    if (!bucket) {
      if (this.perRequester.size >= MAX_REQUESTERS) this.perRequester.clear();
      bucket = new TokenBucket(this.opts.perRequesterRate, this.opts.perRequesterRate, this.opts.now);
      this.perRequester.set(key, bucket);
    }
    if (bucket.take() && this.global.take()) return true;
    this.counters.rateLimited++;
    return false;
  }

  private sendGratuitous(ip: Ip): void {
    if (!this.ips.has(ipKey(ip))) return;
    this.port.send(ip.family === 4 ? buildGratuitousArp(this.mac, ip) : buildUnsolicitedAdvertisement(this.mac, ip));
    this.counters.gratuitousSent++;
  }
}

function toIp(ip: Ip | string): Ip {
  if (typeof ip !== 'string') return ip;
  const parsed = parseIp(ip.trim());
  if (!parsed) throw new Error(`not an IP address: "${ip}"`);
  return parsed;
}
