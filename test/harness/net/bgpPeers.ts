// Helpers that run real BGP peers (GoBGP, BIRD 2, FRR) and our own speaker inside the
// test topology's namespaces, and query their RIBs. Each daemon runs as a child process
// of `ip netns exec`, which execs the daemon, so the child's PID is the daemon's PID.
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Topology, sh } from './bgpTopology';
import { poll } from '../support/poll';

export { REPO } from '../repo';
import { REPO } from '../repo';

/** Polls `fn` until it returns a truthy value; throws after `ms` with the last observation. */
export function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 20000, every = 50): Promise<T> {
  return poll(what, fn, { timeoutMs: ms, everyMs: every, accept: (v) => !!v });
}

/** A daemon started in a namespace; stop() kills it by PID and waits for it to exit. */
export class Daemon {
  output = '';
  private exited: Promise<void>;
  constructor(readonly name: string, readonly proc: ChildProcess, readonly dir: string) {
    proc.stdout?.on('data', (d: Buffer) => { this.output += d.toString(); });
    proc.stderr?.on('data', (d: Buffer) => { this.output += d.toString(); });
    this.exited = new Promise((r) => proc.once('exit', () => r()));
  }
  get running(): boolean { return this.proc.exitCode === null && this.proc.signalCode === null; }
  async stop(): Promise<void> {
    if (this.running && this.proc.pid) {
      try { process.kill(this.proc.pid, 'SIGTERM'); } catch { /* gone */ }
      const t = setTimeout(() => { try { if (this.proc.pid) process.kill(this.proc.pid, 'SIGKILL'); } catch { /* gone */ } }, 3000);
      await this.exited;
      clearTimeout(t);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function startIn(topo: Topology, host: string, name: string, argv: string[], dir: string): Daemon {
  const proc = spawn('ip', ['netns', 'exec', topo.ns(host), ...argv], { stdio: ['pipe', 'pipe', 'pipe'], cwd: dir });
  return new Daemon(name, proc, dir);
}

const tempDir = (tag: string) => mkdtempSync(join(tmpdir(), `bgp-${tag}-`));

// ---------- GoBGP ----------

export interface RouterPeer { address: string; as: number }

export function startGobgp(topo: Topology, host: string, as: number, neighbors: RouterPeer[]): Daemon {
  const dir = tempDir('gobgp');
  const lines = [
    '[global.config]', `  as = ${as}`, `  router-id = "${topo.addr4(host)}"`, '  port = 179', '',
  ];
  for (const n of neighbors) {
    lines.push('[[neighbors]]', '  [neighbors.config]', `    neighbor-address = "${n.address}"`, `    peer-as = ${n.as}`,
      '  [neighbors.transport.config]', '    passive-mode = true',
      '  [neighbors.timers.config]', '    hold-time = 30', '    keepalive-interval = 10',
      '  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', '      afi-safi-name = "ipv4-unicast"',
      '  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', '      afi-safi-name = "ipv6-unicast"', '');
  }
  writeFileSync(join(dir, 'gobgpd.toml'), lines.join('\n'));
  return startIn(topo, host, 'gobgpd', ['gobgpd', '-f', join(dir, 'gobgpd.toml'), '-t', 'toml', '-p',
    '--api-hosts', '127.0.0.1:50051', '--pprof-disable', '-l', 'info'], dir);
}

interface GobgpPath { nlri?: { prefix?: string }; attrs?: { type: number; nexthop?: string; }[] }

/** GoBGP's global RIB: prefix → sorted next hops of all its paths. */
export function gobgpRib(topo: Topology, host: string, family: 4 | 6 = 4): Record<string, string[]> {
  const out = topo.exec(host, ['gobgp', '-u', '127.0.0.1', '-p', '50051', 'global', 'rib', '-a', family === 4 ? 'ipv4' : 'ipv6', '-j']);
  const rib = JSON.parse(out.trim() || '{}') as Record<string, GobgpPath[]>;
  const res: Record<string, string[]> = {};
  for (const [prefix, paths] of Object.entries(rib)) {
    const hops: string[] = [];
    for (const p of paths) {
      for (const a of p.attrs ?? []) {
        // NEXT_HOP (3) for IPv4, MP_REACH_NLRI (14) for IPv6.
        if ((a.type === 3 || a.type === 14) && a.nexthop) hops.push(a.nexthop);
      }
    }
    res[prefix] = hops.sort();
  }
  return res;
}

export function gobgpNeighborStates(topo: Topology, host: string): Record<string, string> {
  const out = topo.exec(host, ['gobgp', '-u', '127.0.0.1', '-p', '50051', 'neighbor', '-j']);
  const list = JSON.parse(out) as { state: { neighbor_address: string; session_state: number | string } }[];
  return Object.fromEntries(list.map((n) => [n.state.neighbor_address, String(n.state.session_state)]));
}

// ---------- BIRD 2 ----------

export function startBird(topo: Topology, host: string, as: number, neighbors: RouterPeer[]): Daemon & { sock: string } {
  const dir = tempDir('bird');
  const sock = join(dir, 'bird.ctl');
  const conf = [
    `router id ${topo.addr4(host)};`,
    'protocol device { scan time 10; }',
    // Export everything BGP learned into this namespace's kernel table, merging equal paths (ECMP).
    'protocol kernel k4 { ipv4 { export all; }; merge paths on; }',
    'protocol kernel k6 { ipv6 { export all; }; merge paths on; }',
    `template bgp nodes { local as ${as}; passive on; hold time 30;`,
    '  ipv4 { import all; export none; }; ipv6 { import all; export none; }; }',
    ...neighbors.map((n, i) => `protocol bgp peer${i} from nodes { neighbor ${n.address} as ${n.as}; }`),
  ].join('\n');
  writeFileSync(join(dir, 'bird.conf'), conf);
  const d = startIn(topo, host, 'bird', ['bird', '-f', '-c', join(dir, 'bird.conf'), '-s', sock, '-P', join(dir, 'bird.pid')], dir);
  return Object.assign(d, { sock });
}

export function birdc(topo: Topology, host: string, sock: string, cmd: string): string {
  return topo.exec(host, ['birdc', '-s', sock, ...cmd.split(' ')]);
}

/** Next hops of `prefix` in a namespace's kernel main table (one for a plain route, several for ECMP). */
export function kernelNextHops(topo: Topology, host: string, prefix: string): string[] {
  const fam = prefix.includes(':') ? '-6' : '-4';
  const routes = JSON.parse(sh(['ip', '-j', fam, '-n', topo.ns(host), 'route', 'show', prefix])) as
    { gateway?: string; nexthops?: { gateway: string }[] }[];
  const hops: string[] = [];
  for (const r of routes) {
    if (r.gateway) hops.push(r.gateway);
    for (const n of r.nexthops ?? []) hops.push(n.gateway);
  }
  return hops.sort();
}

// ---------- our speaker as a child process ----------

export class SpeakerProcess extends Daemon {
  private lines: string[] = [];
  private waiters: ((l: string) => void)[] = [];

  static async start(topo: Topology, host: string, config: object): Promise<SpeakerProcess> {
    const dir = tempDir('speaker');
    const entry = join(REPO, 'test/harness/drivers/bgpMain.ts');
    const proc = spawn('ip', ['netns', 'exec', topo.ns(host), process.execPath, '--import', 'tsx', entry, JSON.stringify(config)],
      { stdio: ['pipe', 'pipe', 'pipe'], cwd: REPO });
    const s = new SpeakerProcess(`speaker@${host}`, proc, dir);
    try {
      const ready = JSON.parse(await s.nextLine(20000)) as { event?: string };
      if (ready.event !== 'ready') throw new Error(`unexpected first line ${JSON.stringify(ready)}`);
    } catch (e) {
      await s.stop();
      throw new Error(`speaker in ${host} did not start: ${(e as Error).message}; output: ${s.output}`);
    }
    return s;
  }

  constructor(name: string, proc: ChildProcess, dir: string) {
    super(name, proc, dir);
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      const w = this.waiters.shift();
      if (w) w(l); else this.lines.push(l);
    });
  }

  private nextLine(ms: number): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.name}: no answer in ${ms} ms; output: ${this.output}`)), ms);
      this.waiters.push((x) => { clearTimeout(t); resolve(x); });
    });
  }

  /** Sends one command line and returns its parsed JSON answer. */
  async command(line: string): Promise<Record<string, unknown>> {
    this.proc.stdin!.write(line + '\n');
    const r = JSON.parse(await this.nextLine(10000)) as Record<string, unknown>;
    if (r.ok !== true) throw new Error(`${this.name}: "${line}" failed: ${String(r.error)}`);
    return r;
  }

  async sessionState(neighbor: string): Promise<string | undefined> {
    const r = await this.command('status');
    const st = (r.status as Record<string, { peerState: { sessionState: string } }>)[neighbor];
    return st?.peerState.sessionState;
  }
}

// ---------- raw TCP client (malformed input tests) ----------

/** Our speaker in each node (name, local AS), peered with the router's IPv4 address; resolves
 * once every session is Established. Each speaker's stop is pushed to `stops`. */
export async function startSpeakers(topo: Topology, routerAs: number, nodes: [string, number][], stops: (() => Promise<void>)[]): Promise<SpeakerProcess[]> {
  const speakers: SpeakerProcess[] = [];
  for (const [node, as] of nodes) {
    const s = await SpeakerProcess.start(topo, node, {
      localAs: as, routerId: topo.addr4(node), listenPort: 0,
      peers: [{ neighborAddress: topo.addr4('router'), peerAs: routerAs, holdTime: 30, connectRetryTime: 1 }],
    });
    stops.push(() => s.stop());
    speakers.push(s);
  }
  for (const s of speakers) {
    await waitFor(`${s.name} Established`, async () => (await s.sessionState(topo.addr4('router'))) === 'ESTABLISHED', 20000, 100);
  }
  return speakers;
}

export interface RawEvent { event: string; type?: number; code?: number; subcode?: number; error?: string }

/** bgpRawClient.ts running in a namespace; `events` collects what it reports. */
export class RawClient extends Daemon {
  readonly events: RawEvent[] = [];

  static async connect(topo: Topology, host: string, address: string, port = 179): Promise<RawClient> {
    const entry = join(REPO, 'test/harness/net/bgpRawClient.ts');
    const proc = spawn('ip', ['netns', 'exec', topo.ns(host), process.execPath, '--import', 'tsx', entry, address, String(port)],
      { stdio: ['pipe', 'pipe', 'pipe'], cwd: REPO });
    const c = new RawClient(`raw@${host}`, proc, tempDir('raw'));
    await waitFor(`${c.name} connected`, () => c.events.find((e) => e.event === 'connected' || e.event === 'closed'), 15000, 20);
    if (!c.events.some((e) => e.event === 'connected')) throw new Error(`raw client could not connect: ${JSON.stringify(c.events)}`);
    return c;
  }

  constructor(name: string, proc: ChildProcess, dir: string) {
    super(name, proc, dir);
    createInterface({ input: proc.stdout! }).on('line', (l) => { try { this.events.push(JSON.parse(l) as RawEvent); } catch { /* ignore */ } });
  }

  send(bytes: Uint8Array): void { this.proc.stdin!.write(Buffer.from(bytes).toString('hex') + '\n'); }

  /** Waits for a NOTIFICATION and returns its code/subcode. */
  async notification(ms = 10000): Promise<{ code: number; subcode: number }> {
    const n = await waitFor(`${this.name} NOTIFICATION`, () => this.events.find((e) => e.type === 3), ms, 20);
    return { code: n.code!, subcode: n.subcode! };
  }

  async closed(ms = 10000): Promise<void> {
    await waitFor(`${this.name} connection closed`, () => this.events.some((e) => e.event === 'closed'), ms, 20);
  }
}

// ---------- FRR bgpd (without zebra) ----------

export function startFrr(topo: Topology, host: string, as: number, neighbors: RouterPeer[]): Daemon & { vty: string } {
  const dir = tempDir('frr');
  const conf = [
    'frr defaults traditional', 'log stdout', `router bgp ${as}`, ` bgp router-id ${topo.addr4(host)}`,
    // FRR 8 drops eBGP routes without a policy unless told not to.
    ' no bgp ebgp-requires-policy',
    ...neighbors.flatMap((n) => [` neighbor ${n.address} remote-as ${n.as}`, ` neighbor ${n.address} passive`, ` neighbor ${n.address} timers 10 30`]),
    ' address-family ipv4 unicast', '  maximum-paths 8', ' exit-address-family',
    ' address-family ipv6 unicast', ...neighbors.map((n) => `  neighbor ${n.address} activate`), '  maximum-paths 8', ' exit-address-family',
  ].join('\n');
  writeFileSync(join(dir, 'bgpd.conf'), conf + '\n');
  sh(['chmod', '755', dir]);
  const d = startIn(topo, host, 'bgpd', ['/usr/lib/frr/bgpd', '-f', join(dir, 'bgpd.conf'), '-Z', '-n', '-S',
    '--vty_socket', dir, '-P', '0', '-i', join(dir, 'bgpd.pid'), '-u', 'root', '-g', 'root'], dir);
  return Object.assign(d, { vty: dir });
}

interface FrrPath { nexthops?: { ip: string; afi: string }[] }

/** FRR's BGP table: prefix → sorted next hops of all paths. */
export function frrRib(topo: Topology, host: string, vty: string, family: 4 | 6 = 4): Record<string, string[]> {
  const out = topo.exec(host, ['vtysh', '--vty_socket', vty, '-c', `show bgp ${family === 4 ? 'ipv4' : 'ipv6'} unicast json`]);
  const j = JSON.parse(out) as { routes?: Record<string, FrrPath[]> };
  const res: Record<string, string[]> = {};
  for (const [prefix, paths] of Object.entries(j.routes ?? {})) {
    // An IPv6 path lists its global next hop first (and maybe a link-local one).
    res[prefix] = paths.map((p) => p.nexthops?.[0]?.ip ?? '').sort();
  }
  return res;
}
