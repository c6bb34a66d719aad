// Parts of the LAN some node-tier steps add: a second LAN that only node2 is on (so node1
// cannot serve an Eip on eth1), and a GoBGP router for the BGP Services.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon } from './daemons';
import { HOSTS } from './layout';
import { ip, nsExec } from './network';
import type { NodeCluster } from './nodeCluster';
import { saveRunState } from './runState';

/** eth1 in node2 (172.31.71.2/24) wired straight to eth1 in the client (172.31.71.9/24). */
export function addSecondLan(c: NodeCluster): void {
  const n2 = c.ns('n2');
  const cl = c.ns('cl');
  ip(['link', 'add', 'eth1', 'netns', n2, 'address', '02:0e:1b:00:01:02', 'type', 'veth', 'peer', 'name', 'eth1', 'netns', cl, 'address', '02:0e:1b:00:01:09']);
  for (const [ns, addr] of [[n2, '172.31.71.2/24'], [cl, '172.31.71.9/24']]) {
    nsExec(ns, ['sysctl', '-qw', 'net.ipv6.conf.eth1.accept_dad=0']);
    ip(['-n', ns, 'addr', 'add', addr, 'dev', 'eth1']);
    ip(['-n', ns, 'link', 'set', 'eth1', 'up']);
  }
}

/** 'ok' when an ARP request for `ip` from the client's eth1 gets a reply (node2 is the only node there). */
export function arpReplyOnSecondLan(c: NodeCluster, ip: string): 'ok' | undefined {
  try { return /Unicast reply/.test(c.exec('cl', ['arping', '-c', '1', '-w', '1', '-I', 'eth1', ip])) ? 'ok' : undefined; } catch { return undefined; }
}

/** gobgpd in the router namespace, passive towards the given neighbours (all in AS 65001). */
export function startGobgp(c: NodeCluster, as: number, neighbours: string[], peerAs = 65001): void {
  const lines = ['[global.config]', `  as = ${as}`, `  router-id = "${HOSTS.rt.v4}"`, '  port = 179', ''];
  for (const n of neighbours) {
    lines.push('[[neighbors]]', '  [neighbors.config]', `    neighbor-address = "${n}"`, `    peer-as = ${peerAs}`,
      '  [neighbors.transport.config]', '    passive-mode = true',
      '  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', '      afi-safi-name = "ipv4-unicast"', '');
  }
  const conf = join(c.state.runDir, 'gobgpd.toml');
  writeFileSync(conf, lines.join('\n'));
  const d = startDaemon('gobgpd', c.ns('rt'), ['gobgpd', '-f', conf, '-t', 'toml', '-p', '--api-hosts', '127.0.0.1:50051', '--pprof-disable'],
    join(c.state.runDir, 'gobgpd.log'));
  c.state.daemons.push(d);
  saveRunState(c.state);
}

interface GobgpPath { attrs?: { type: number; nexthop?: string }[] }

/** GoBGP's IPv4 RIB: prefix -> sorted next hops; {} while gobgpd is not answering yet. */
export function gobgpRib(c: NodeCluster): Record<string, string[]> {
  let out = '';
  try { out = c.exec('rt', ['gobgp', '-u', '127.0.0.1', '-p', '50051', 'global', 'rib', '-a', 'ipv4', '-j']); } catch { return {}; }
  const rib = JSON.parse(out.trim() || '{}') as Record<string, GobgpPath[]>;
  const res: Record<string, string[]> = {};
  for (const [prefix, paths] of Object.entries(rib)) {
    res[prefix] = paths.flatMap((p) => (p.attrs ?? []).filter((a) => a.type === 3 && a.nexthop).map((a) => a.nexthop!)).sort();
  }
  return res;
}
