// What the controller exposes on /metrics (the format and the server are in ../metrics).
import type { Server } from 'node:http';
import { escapeLabel, MetricsText, serveMetrics as serve } from '../metrics/prometheus';

export interface PoolMetrics {
  name: string;
  size: number;
  used: number;
  services: number;
  valid: boolean;
  /** Addresses whose change is committed to the journal but not yet shown in status.used. */
  unmirrored: number;
}

export interface MetricsSource {
  pools(): PoolMetrics[];
  counters(): { allocations: number; releases: number; failures: number };
  isLeader(): boolean;
  healthy(): boolean;
}

export function renderMetrics(src: MetricsSource): string {
  const m = new MetricsText();
  const family = m.family.bind(m);
  const pools = src.pools();
  const lbl = (p: PoolMetrics): string => `{eip="${escapeLabel(p.name)}"}`;
  family('openelb_eip_pool_size', 'gauge', 'Addresses in the Eip pool.', pools.map((p) => [lbl(p), p.size]));
  family('openelb_eip_used_total', 'gauge', 'Addresses of the Eip allocated to Services.', pools.map((p) => [lbl(p), p.used]));
  family('openelb_eip_services', 'gauge', 'Services holding an address of the Eip.', pools.map((p) => [lbl(p), p.services]));
  family('openelb_eip_valid', 'gauge', '1 when the Eip may be allocated from, 0 when it is invalid.', pools.map((p) => [lbl(p), p.valid ? 1 : 0]));
  family('openelb_eip_journal_entries', 'gauge', 'Addresses of the Eip whose change is committed to the allocation journal and not yet shown in status.used (stays up when status writes fail).',
    pools.map((p) => [lbl(p), p.unmirrored]));
  const c = src.counters();
  family('openelb_allocations_total', 'counter', 'Addresses assigned to Services.', [['', c.allocations]]);
  family('openelb_releases_total', 'counter', 'Addresses released by Services.', [['', c.releases]]);
  family('openelb_allocation_failures_total', 'counter', 'Services that could not get an address.', [['', c.failures]]);
  family('openelb_controller_leader', 'gauge', '1 while this replica holds the leader Lease.', [['', src.isLeader() ? 1 : 0]]);
  return m.toString();
}

/** Serves /metrics and /healthz on 127.0.0.1 or all interfaces; port 0 picks a free port. */
export function serveMetrics(src: MetricsSource, port: number, host = '0.0.0.0'): Promise<Server> {
  return serve(() => renderMetrics(src), () => src.healthy(), port, host);
}
