// A control-plane outage as a node-tier fault: the kube-apiserver frozen with SIGSTOP (its
// sockets stay open, so clients hang instead of failing fast, as in a stalled etcd or an
// overloaded server), the LAN probed all the while, then SIGCONT. The node tier's step and
// bench/faults/apiOutage.ts read the same report.
import { signalIfOurs, type DaemonRecord } from './daemons';
import type { NodeCluster } from './nodeCluster';
import { httpFromClient, roleOfMac, type ArpProber, type PodLogs } from './observe';

/** A silence between two ARP replies longer than this is a failed probe (the prober asks every 25 ms). */
export const ARP_GAP_MS = 1000;
/** Runtime log lines that mean an address stopped being served. */
const WITHDRAWAL = /layer2: withdrew|vip: released|bgp: withdrew/;

export interface OutageReport {
  /** When SIGSTOP and SIGCONT were sent (epoch ms). */
  from: number;
  to: number;
  /** Silences between ARP replies longer than ARP_GAP_MS inside [from, to], as [start, end]. */
  arpGaps: [number, number][];
  arpReplies: number;
  /** The node roles that answered ARP during the outage. */
  answering: string[];
  httpTries: number;
  /** HTTP probes that failed twice in a row (a client's retry failing too), by time. */
  httpFailures: number[];
}

function apiServer(c: NodeCluster): DaemonRecord {
  const d = c.state.daemons.find((x) => x.name === 'kube-apiserver');
  if (!d) throw new Error('no kube-apiserver recorded for this run');
  return d;
}

/**
 * Freezes the API server for `ms` while probing `address` (ARP from the prober, HTTP from the
 * client namespace every ~250 ms), then lets it run again. SIGCONT is sent whatever happens.
 */
export async function apiServerStopped(c: NodeCluster, prober: ArpProber, address: string, ms: number): Promise<OutageReport> {
  const api = apiServer(c);
  if (!signalIfOurs(api, 'SIGSTOP')) throw new Error('the kube-apiserver is not running: cannot stop it');
  const from = Date.now();
  let httpTries = 0;
  const httpFailures: number[] = [];
  try {
    while (Date.now() - from < ms) {
      httpTries++;
      if (httpFromClient(c, address) === undefined && httpFromClient(c, address) === undefined) httpFailures.push(Date.now());
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    signalIfOurs(api, 'SIGCONT');
  }
  const to = Date.now();
  return { from, to, ...arpDuring(prober, from, to), httpTries, httpFailures };
}

/** The ARP replies in [from, to]: how many, who answered, and every silence longer than ARP_GAP_MS. */
export function arpDuring(prober: ArpProber, from: number, to: number): Pick<OutageReport, 'arpGaps' | 'arpReplies' | 'answering'> {
  const inside = prober.replies.filter((r) => r.t >= from && r.t <= to);
  const times = [from, ...inside.map((r) => r.t), to];
  const arpGaps: [number, number][] = [];
  for (let i = 1; i < times.length; i++) if (times[i] - times[i - 1] > ARP_GAP_MS) arpGaps.push([times[i - 1], times[i]]);
  return { arpGaps, arpReplies: inside.length, answering: [...new Set(inside.map((r) => roleOfMac(r.mac) ?? r.mac))].sort() };
}

/** Runtime log lines saying an address was withdrawn, logged in [from, to] (each line starts with its ISO time). */
export function withdrawalsLogged(logs: PodLogs, from: number, to: number): string[] {
  return logs.grep(WITHDRAWAL).filter((l) => {
    const m = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z/.exec(l);
    const t = m ? Date.parse(m[0]) : NaN;
    return t >= from && t <= to;
  });
}
