// Watching the deployed runtime from outside, as an operator would: every runtime pod's log
// (streamed through the API server from the moment each container runs, so what a pod logs as
// it stops is kept), ARP replies seen by a prober on the LAN, and HTTP from a client.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:https';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';
import { restCall } from '../../../runtime/src/kube/rest';
import { HOSTS, type Role } from './layout';
import type { NodeCluster } from './nodeCluster';

interface PodList {
  items: {
    metadata: { name: string; namespace: string };
    spec: { nodeName?: string };
    status?: { containerStatuses?: { name: string; restartCount: number; state?: { running?: unknown; terminated?: unknown } }[] };
  }[];
}

/** Follows the logs of every container of the pods matching a label selector, across restarts. */
export class PodLogs {
  private readonly lines: string[] = [];
  private readonly followed = new Set<string>();
  private timer?: NodeJS.Timeout;
  private readonly streams = new Set<{ destroy(): void }>();

  constructor(private readonly kc: KubeConfig, private readonly namespace: string, private readonly selector: string) {}

  start(): this {
    const tick = () => { void this.scan().catch(() => {}).finally(() => { if (this.timer) this.timer = setTimeout(tick, 300); }); };
    this.timer = setTimeout(tick, 0);
    return this;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const s of this.streams) s.destroy();
  }

  /** Every line so far, each prefixed with `pod/container#restart:`. */
  text(): string { return this.lines.join('\n'); }

  /** Lines matching `re`. */
  grep(re: RegExp): string[] { return this.lines.filter((l) => re.test(l)); }

  private async scan(): Promise<void> {
    const list = await restCall(this.kc, 'GET', `/api/v1/namespaces/${this.namespace}/pods`, { query: { labelSelector: this.selector } }) as PodList;
    for (const pod of list.items) {
      for (const cs of pod.status?.containerStatuses ?? []) {
        const key = `${pod.metadata.name}/${cs.name}#${cs.restartCount}`;
        if (!cs.state?.running || this.followed.has(key)) continue;
        this.followed.add(key);
        void this.follow(pod.metadata.name, cs.name, key);
      }
    }
  }

  private async follow(pod: string, container: string, key: string): Promise<void> {
    const url = new URL(`${this.kc.getCurrentCluster()!.server}/api/v1/namespaces/${this.namespace}/pods/${pod}/log`);
    url.searchParams.set('container', container);
    url.searchParams.set('follow', 'true');
    const opts: { headers: Record<string, string> } = { headers: {} };
    await this.kc.applyToHTTPSOptions(opts);
    const req = request(url, opts, (res) => {
      // A stream cut (pod gone, stop()) only ends this follow; it must not crash the test process.
      res.on('error', () => {});
      createInterface({ input: res }).on('line', (l) => this.lines.push(`${key}: ${l}`)).on('error', () => {});
    });
    req.on('error', () => {});
    this.streams.add(req);
    req.on('close', () => this.streams.delete(req));
    req.end();
  }
}

export interface ArpReply { t: number; mac: string }

/** ARP who-has for one address every 25 ms from the prober namespace; records every reply. */
export class ArpProber {
  readonly replies: ArpReply[] = [];
  private constructor(private readonly child: ChildProcess) {}

  static async start(c: NodeCluster, address: string, everyMs = 25): Promise<ArpProber> {
    const child = spawn('nsenter', [`--net=/run/netns/${c.ns('pb')}`, '--', 'python3', join(__dirname, 'arp-prober.py'), 'eth0', address,
      String(everyMs / 1000), HOSTS.pb.v4], { stdio: ['ignore', 'pipe', 'inherit'] });
    const p = new ArpProber(child);
    await new Promise<void>((res, rej) => {
      const rl = createInterface({ input: child.stdout! });
      rl.on('line', (l) => {
        const m = JSON.parse(l) as ArpReply & { ready?: boolean };
        if (m.ready) res(); else p.replies.push({ t: m.t * 1000, mac: m.mac });
      });
      child.once('exit', () => rej(new Error('the ARP prober exited')));
    });
    return p;
  }

  /** The first reply at or after `sinceMs` (epoch ms) from `mac` (any sender when omitted). */
  first(sinceMs: number, mac?: string): ArpReply | undefined {
    return this.replies.find((r) => r.t >= sinceMs && (!mac || r.mac === mac));
  }

  /** The last reply before `untilMs` from `mac`. */
  last(untilMs: number, mac: string): ArpReply | undefined {
    return [...this.replies].reverse().find((r) => r.t < untilMs && r.mac === mac);
  }

  stop(): void { this.child.kill('SIGKILL'); }
}

/** Which node role answered ARP with this MAC. */
export function roleOfMac(mac: string): Role | undefined {
  return (Object.keys(HOSTS) as Role[]).find((r) => HOSTS[r].mac === mac.toLowerCase());
}

/** One HTTP GET from the client namespace; the body, or undefined when nothing answered. */
export function httpFromClient(c: NodeCluster, address: string, port = 80): string | undefined {
  const host = address.includes(':') ? `[${address}]` : address;
  try {
    return c.exec('cl', ['curl', '-g', '-s', '--connect-timeout', '0.5', '-m', '1', `http://${host}:${port}/`], 5000);
  } catch {
    return undefined;
  }
}

/**
 * One Neighbor Solicitation for an IPv6 address from the client namespace (ndisc6); the MACs of
 * the Neighbor Advertisements that came back within `waitMs`, lower case. With `all` false,
 * ndisc6 returns at the first one.
 */
export function ndiscFromClient(c: NodeCluster, address: string, waitMs = 300, all = true): string[] {
  let out: string;
  try {
    out = c.exec('cl', ['ndisc6', ...(all ? ['-m'] : []), '-n', '-r', '1', '-w', String(waitMs), address, 'eth0'], 5000 + waitMs);
  } catch (e) {
    out = (e as Error).message; // exit status 2: no answer
  }
  return [...out.matchAll(/Target link-layer address: ([0-9A-Fa-f:]{17})/g)].map((m) => m[1].toLowerCase());
}
