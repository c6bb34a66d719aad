// What kube-apiserver itself counts about the requests it served: a scrape of its /metrics
// (Prometheus text), reduced to requests per verb and resource with the time spent in them, the
// request body bytes, and the watch events it sent per resource. Two scrapes subtracted say what
// one burst cost the server, independent of what the client believes it sent (bench/controller.ts
// prints it).
//
//   const before = await scrapeApiMetrics(cluster);
//   ...burst...
//   const cost = diffApiMetrics(before, await scrapeApiMetrics(cluster));
//   cost.requests.get('PUT eips/status')?.count
import { apiGet, type Cluster } from './cluster';

export interface RequestCost {
  /** Requests served (apiserver_request_total, every response code). */
  count: number;
  /** Seconds spent serving them (apiserver_request_duration_seconds_sum, wall time). */
  seconds: number;
}

export interface ApiMetrics {
  /** "VERB resource[/subresource]" → cost, e.g. "PUT eips/status". */
  requests: Map<string, RequestCost>;
  /** "verb resource" (lowercase verb, no subresource: how the server labels it, e.g.
   * "update eips") → bytes of request bodies received (apiserver_request_body_size_bytes_sum). */
  bodyBytes: Map<string, number>;
  /** Resource → watch events sent to watchers (apiserver_watch_events_total) and their bytes. */
  watchEvents: Map<string, { count: number; bytes: number }>;
}

type Sample = { name: string; labels: Record<string, string>; value: number };

function parse(text: string, wanted: Set<string>): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m || !wanted.has(m[1])) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

const FAMILIES = new Set([
  'apiserver_request_total', 'apiserver_request_duration_seconds_sum', 'apiserver_request_body_size_bytes_sum',
  'apiserver_watch_events_total', 'apiserver_watch_events_sizes_sum',
]);

export async function scrapeApiMetrics(cluster: Pick<Cluster, 'server' | 'token'>): Promise<ApiMetrics> {
  const [status, text] = await apiGet(cluster.server, cluster.token, '/metrics');
  if (status !== 200) throw new Error(`GET /metrics: HTTP ${status}`);
  const requests = new Map<string, RequestCost>();
  const bodyBytes = new Map<string, number>();
  const watchEvents = new Map<string, { count: number; bytes: number }>();
  const req = (key: string): RequestCost => {
    let r = requests.get(key);
    if (!r) requests.set(key, (r = { count: 0, seconds: 0 }));
    return r;
  };
  const watch = (resource: string) => {
    let w = watchEvents.get(resource);
    if (!w) watchEvents.set(resource, (w = { count: 0, bytes: 0 }));
    return w;
  };
  for (const s of parse(text, FAMILIES)) {
    const { verb, resource, subresource } = s.labels;
    const key = `${verb} ${resource}${subresource ? `/${subresource}` : ''}`;
    switch (s.name) {
      case 'apiserver_request_total': req(key).count += s.value; break;
      case 'apiserver_request_duration_seconds_sum': req(key).seconds += s.value; break;
      case 'apiserver_request_body_size_bytes_sum': bodyBytes.set(`${verb} ${resource}`, (bodyBytes.get(`${verb} ${resource}`) ?? 0) + s.value); break;
      case 'apiserver_watch_events_total': watch(resource).count += s.value; break;
      case 'apiserver_watch_events_sizes_sum': watch(resource).bytes += s.value; break;
    }
  }
  return { requests, bodyBytes, watchEvents };
}

/** after − before, keeping only what changed. */
export function diffApiMetrics(before: ApiMetrics, after: ApiMetrics): ApiMetrics {
  const requests = new Map<string, RequestCost>();
  for (const [k, a] of after.requests) {
    const b = before.requests.get(k) ?? { count: 0, seconds: 0 };
    if (a.count > b.count) requests.set(k, { count: a.count - b.count, seconds: a.seconds - b.seconds });
  }
  const bodyBytes = new Map<string, number>();
  for (const [k, a] of after.bodyBytes) if (a > (before.bodyBytes.get(k) ?? 0)) bodyBytes.set(k, a - (before.bodyBytes.get(k) ?? 0));
  const watchEvents = new Map<string, { count: number; bytes: number }>();
  for (const [k, a] of after.watchEvents) {
    const b = before.watchEvents.get(k) ?? { count: 0, bytes: 0 };
    if (a.count > b.count) watchEvents.set(k, { count: a.count - b.count, bytes: a.bytes - b.bytes });
  }
  return { requests, bodyBytes, watchEvents };
}

/**
 * Markdown rows comparing runs: per request kind (`wanted`, then any other kind served 20 times or more, then the rest as "other"), how many the
 * server served and their mean time in the server (wall time, not CPU).
 */
export function requestTable(runs: [string, ApiMetrics][], wanted: string[]): string[] {
  // Any other request kind served 20 times or more in a run gets a row of its own too.
  const extra = new Set<string>();
  for (const [, m] of runs) for (const [k, v] of m.requests) if (v.count >= 20 && !wanted.includes(k)) extra.add(k);
  const keys = [...wanted, ...[...extra].sort()];
  const rowsOf = (m: ApiMetrics) => {
    const rows = keys.map((key) => ({ key, ...(m.requests.get(key) ?? { count: 0, seconds: 0 }) }));
    const other = { key: 'other', count: 0, seconds: 0 };
    for (const [k, v] of m.requests) if (!keys.includes(k)) { other.count += v.count; other.seconds += v.seconds; }
    return [...rows, other];
  };
  const cell = (r: RequestCost) => `${r.count} | ${r.count ? `${((r.seconds * 1000) / r.count).toFixed(1)} ms` : '—'}`;
  const tables = runs.map(([, m]) => rowsOf(m));
  return [
    `| Request | ${runs.map(([label]) => `${label}: count | mean time in the server`).join(' | ')} |`,
    `|---|${runs.map(() => '---:|---:|').join('')}`,
    ...tables[0].map((row, i) => `| ${row.key} | ${tables.map((t) => cell(t[i])).join(' | ')} |`),
  ];
}
