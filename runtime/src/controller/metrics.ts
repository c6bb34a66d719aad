// /metrics (Prometheus text exposition format 0.0.4) and /healthz for the controller.
import { createServer, type Server } from 'node:http';

export interface PoolMetrics {
  name: string;
  size: number;
  used: number;
  services: number;
  valid: boolean;
}

export interface MetricsSource {
  pools(): PoolMetrics[];
  counters(): { allocations: number; releases: number; failures: number };
  isLeader(): boolean;
  healthy(): boolean;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function renderMetrics(src: MetricsSource): string {
  const lines: string[] = [];
  const family = (name: string, type: string, help: string, samples: [string, number][]): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of samples) lines.push(`${name}${labels} ${v}`);
  };
  const pools = src.pools();
  const lbl = (p: PoolMetrics): string => `{eip="${escapeLabel(p.name)}"}`;
  family('openelb_eip_pool_size', 'gauge', 'Addresses in the Eip pool.', pools.map((p) => [lbl(p), p.size]));
  family('openelb_eip_used_total', 'gauge', 'Addresses of the Eip allocated to Services.', pools.map((p) => [lbl(p), p.used]));
  family('openelb_eip_services', 'gauge', 'Services holding an address of the Eip.', pools.map((p) => [lbl(p), p.services]));
  family('openelb_eip_valid', 'gauge', '1 when the Eip may be allocated from, 0 when it is invalid.', pools.map((p) => [lbl(p), p.valid ? 1 : 0]));
  const c = src.counters();
  family('openelb_allocations_total', 'counter', 'Addresses assigned to Services.', [['', c.allocations]]);
  family('openelb_releases_total', 'counter', 'Addresses released by Services.', [['', c.releases]]);
  family('openelb_allocation_failures_total', 'counter', 'Services that could not get an address.', [['', c.failures]]);
  family('openelb_controller_leader', 'gauge', '1 while this replica holds the leader Lease.', [['', src.isLeader() ? 1 : 0]]);
  return `${lines.join('\n')}\n`;
}

/** Serves /metrics and /healthz on 127.0.0.1 or all interfaces; port 0 picks a free port. */
export function serveMetrics(src: MetricsSource, port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(renderMetrics(src));
    } else if (path === '/healthz') {
      const ok = src.healthy();
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' });
      res.end(ok ? 'ok\n' : 'not ready\n');
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found\n');
    }
  });
  return new Promise((res, rej) => {
    server.once('error', rej);
    server.listen(port, host, () => res(server));
  });
}
