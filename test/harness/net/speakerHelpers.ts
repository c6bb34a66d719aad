// Small helpers shared by the speaker end-to-end tests and bench/speaker.ts.
import { execFileSync } from 'node:child_process';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { poll } from '../support/poll';

/** Polls `get` until it gives a value (not undefined/false); throws after `ms` with context. */
export function until<T>(what: string, get: () => Promise<T | undefined | false>, ms: number, context?: () => string, every = 100): Promise<T> {
  return poll(what, get, { timeoutMs: ms, everyMs: every, context });
}

/** MACs from `arping` output lines "Unicast reply from IP [MAC]  1.2ms". */
export function arpingMacs(out: string): string[] {
  return [...out.matchAll(/reply from \S+ \[([0-9A-Fa-f:]{17})\]/g)].map((m) => m[1].toLowerCase());
}

/** Reply times (ms) from `arping` output. */
export function arpingTimes(out: string): number[] {
  return [...out.matchAll(/reply from \S+ \[[0-9A-Fa-f:]{17}\]\s+([\d.]+)ms/g)].map((m) => Number(m[1]));
}

export async function eipConditions(custom: CustomObjectsApi, name: string): Promise<Record<string, { status: string; reason: string; message: string }>> {
  const e = await custom.getClusterCustomObject({ group: 'network.kubesphere.io', version: 'v1alpha2', plural: 'eips', name }) as
    { status?: { conditions?: { type: string; status: string; reason: string; message: string }[] } };
  return Object.fromEntries((e.status?.conditions ?? []).map((c) => [c.type, c]));
}

/** The speaker's /metrics text, fetched from inside its namespace (port 9464). */
export function nodeMetrics(ns: string, port = 9464): string {
  return execFileSync('ip', ['netns', 'exec', ns, process.execPath, '-e',
    `fetch('http://127.0.0.1:${port}/metrics').then((r) => r.text()).then((t) => process.stdout.write(t), (e) => { console.error(e.message); process.exit(1); })`],
  { encoding: 'utf8', timeout: 10_000 });
}

/** One address of `ip -j addr` (addr_info), with iproute2's flag keys (noprefixroute, nodad, ...). */
export interface AddrInfo { family: string; local: string; prefixlen: number; [flag: string]: unknown }

/** The addresses on `dev` in namespace `ns`. */
export function interfaceAddresses(ns: string, dev = 'eth0'): AddrInfo[] {
  const out = execFileSync('ip', ['-j', '-n', ns, 'addr', 'show', 'dev', dev], { encoding: 'utf8', timeout: 5000 });
  return (JSON.parse(out || '[]') as { addr_info?: AddrInfo[] }[]).flatMap((l) => l.addr_info ?? []);
}

/** Connects over TCP from namespace `ns` to ip:port and returns what the server sends (trimmed). */
export function tcpGreeting(ns: string, ip: string, port: number, timeoutMs = 3000): string {
  const script = `const s = require('net').connect({ host: ${JSON.stringify(ip)}, port: ${port}, timeout: ${timeoutMs} }); let d = '';
    s.on('data', (c) => { d += c; }); s.on('end', () => process.stdout.write(d.trim()));
    s.on('timeout', () => { console.error('timeout'); process.exit(1); }); s.on('error', (e) => { console.error(e.message); process.exit(1); });`;
  return execFileSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { encoding: 'utf8', timeout: timeoutMs + 5000 });
}
