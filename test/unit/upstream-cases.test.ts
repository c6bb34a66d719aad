// Runs every case of upstream-cases.ts through OUR code and compares with upstream's verdict:
// the editor's rules (OpenElbLanguageService, as `openelb lint` runs them), the blocking split the
// controller applies to each Eip (poolStateFromEip → checkObject → rules/blocking.ts), overlap
// refusals across Eips, the allocator (planService, Service by Service in document order, as the
// controller records them) and the speaker's BGP plan for each node. Nothing of our verdict is
// written in the table: it states upstream's, and for deliberate differences what we do instead.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { formatIp } from '@openelb/core/address/ip';
import { OpenElbLanguageService } from '@openelb/core/languageService';
import type { NodeFact } from '@openelb/core/model/facts';
import {
  Allocations, planService, poolStateFromEip, serviceRequest,
  type EipObject, type PeerLookup, type ServiceObject,
} from '../../runtime/src/allocator';
import { bgpPlan, type BgpConfObject, type BgpPeerObject } from '../../runtime/src/speaker/node/bgpConfig';
import { UPSTREAM_CASES, type CaseNode, type OurExpectation, type UpstreamCase } from './upstream-cases';

const SEVERITY: Record<number, string> = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };
const DEFAULT_NODES: CaseNode[] = [{ name: 'node1', ip: '192.168.0.1' }];
const RACK = 'openelb.kubesphere.io/rack';

interface OurVerdict {
  diagnostics: { code: string; severity: string; message: string }[];
  /** Eip name → its blocking findings (the controller refuses it; the speaker leaves it alone). */
  blocked: Record<string, string[]>;
  /** Eips refused for overlapping an older one. */
  refused: string[];
  /** The address a Service naming the case's first Eip gets, or "fail". */
  firstIp?: string;
  services: Record<string, { outcome: string; message?: string }>;
  /** Per node: undefined global = BGP off there. */
  bgp?: Record<string, { global?: { localAs: number; routerId: string; listenPort: number }; peers: string[]; problems: string[] }>;
}

function objectsOf(yaml: string): Record<string, unknown>[] {
  return parseAllDocuments(yaml).map((d) => d.toJS() as Record<string, unknown>).filter((o) => o && typeof o === 'object');
}

const kindOf = (o: Record<string, unknown>): string => String(o.kind ?? '');

/** Plans one Service the way the controller does and records the result in `a`. */
function allocate(a: Allocations, s: ServiceObject, nsLabels?: Record<string, string>, peers?: PeerLookup): { outcome: string; message?: string } {
  const req = serviceRequest(s);
  const p = planService(req, a, nsLabels, peers);
  const show = (eip: string, ip: bigint) => `${eip} ${formatIp(a.pools.get(eip)!.pool!.family, ip)}`;
  switch (p.action) {
    case 'assign': a.assign(p.eip, p.ip, req.key); return { outcome: show(p.eip, p.ip) };
    case 'keep': return { outcome: show(p.eip, p.ip) };
    case 'release': a.release(req.key); return { outcome: 'none' };
    case 'none': return { outcome: 'none' };
    case 'fail': return { outcome: 'fail', message: p.message };
  }
}

function world(eips: EipObject[]): Allocations {
  const a = new Allocations();
  for (const e of eips) a.setPool(poolStateFromEip(e));
  return a;
}

function ourVerdict(c: UpstreamCase): OurVerdict {
  // The editor / `openelb lint`.
  const service = new OpenElbLanguageService();
  if (c.nodes) {
    const nodes: NodeFact[] = c.nodes.map((n) => ({
      name: n.name, internalIP: n.ip, rack: n.labels?.[RACK],
      interfaces: n.interfaces?.map((i) => ({ name: i.name, addresses: i.addresses })),
    }));
    service.setClusterFacts({ eips: [], nodes, services: [] });
  }
  const diagnostics = service.validate('file:///upstream-case.yaml', c.yaml)
    .map((d) => ({ code: String(d.code), severity: SEVERITY[d.severity ?? 1], message: d.message }));

  // The controller: blocking findings per Eip, overlap refusals, then the Services in order.
  const objects = objectsOf(c.yaml);
  const eips = objects.filter((o) => kindOf(o) === 'Eip') as EipObject[];
  const allocs = world(eips);
  const blocked: Record<string, string[]> = {};
  for (const s of allocs.pools.values()) if (s.problems.length) blocked[s.name] = s.problems;
  const refused = [...allocs.refusals().keys()].sort();
  const services: OurVerdict['services'] = {};
  const caseServices = objects.filter((x) => kindOf(x) === 'Service') as ServiceObject[];
  // The controller sees every Service of the case (the holders of an address asked to be shared).
  const requests = new Map(caseServices.map((o) => [serviceRequest(o).key, serviceRequest(o)]));
  for (const o of caseServices) {
    const ns = o.metadata?.namespace ?? 'default';
    services[`${ns}/${o.metadata?.name ?? ''}`] = allocate(allocs, o, c.namespaceLabels?.[ns], (k) => requests.get(k));
  }
  const out: OurVerdict = { diagnostics, blocked, refused, services };

  // The first address of the first Eip, asked for by a Service naming it (a fresh controller).
  if (eips.length && (c.upstream.firstIp !== undefined || c.deliberate?.ours.firstIp !== undefined)) {
    const first = eips[0].metadata?.name ?? '';
    const probe: ServiceObject = {
      metadata: { namespace: 'probe', name: 'probe', annotations: { 'lb.kubesphere.io/v1alpha1': 'openelb', 'eip.openelb.kubesphere.io/v1alpha2': first } },
      spec: { type: 'LoadBalancer' },
    };
    const r = allocate(world(eips), probe);
    out.firstIp = r.outcome === 'fail' ? 'fail' : r.outcome.slice(first.length + 1);
  }

  // The speaker: each node's BGP plan.
  const confs = objects.filter((o) => kindOf(o) === 'BgpConf') as BgpConfObject[];
  const peers = objects.filter((o) => kindOf(o) === 'BgpPeer') as BgpPeerObject[];
  if (confs.length || peers.length) {
    out.bgp = {};
    for (const n of c.nodes ?? DEFAULT_NODES) {
      const plan = bgpPlan({ name: n.name, labels: n.labels ?? {}, internalIps: [n.ip] }, confs, peers);
      out.bgp[n.name] = { global: plan.global, peers: plan.peers.map((p) => p.name), problems: plan.problems };
    }
  }
  return out;
}

/** What agreeing with upstream requires of us (the table's rule, see upstream-cases.ts). */
function agreement(c: UpstreamCase): OurExpectation {
  const u = c.upstream;
  if (u.verdict === 'served') return { verdict: 'served', firstIp: u.firstIp, services: u.services, names: c.names };
  return { verdict: 'flagged', names: c.names, services: u.services, allocatorSays: c.allocatorSays };
}

/** Every way `ours` falls short of `want`; empty when it meets it. */
function shortfalls(c: UpstreamCase, ours: OurVerdict, want: OurExpectation): string[] {
  const out: string[] = [];
  if (want.verdict === 'served') {
    const errors = ours.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) out.push(`error diagnostics: ${errors.map((d) => `${d.code} (${d.message})`).join('; ')}`);
    for (const [name, problems] of Object.entries(ours.blocked)) out.push(`Eip ${name} is blocked: ${problems.join('; ')}`);
    if (ours.refused.length) out.push(`refused for overlap: ${ours.refused.join(', ')}`);
    const bgpConfDefault = objectsOf(c.yaml).some((o) => kindOf(o) === 'BgpConf' && (o.metadata as { name?: string })?.name === 'default');
    if (ours.bgp && bgpConfDefault) {
      for (const [node, p] of Object.entries(ours.bgp)) if (!p.global) out.push(`BGP is off on ${node}: ${p.problems.join('; ')}`);
      const peering = new Set(Object.values(ours.bgp).flatMap((p) => p.peers));
      for (const o of objectsOf(c.yaml).filter((x) => kindOf(x) === 'BgpPeer')) {
        const name = (o.metadata as { name?: string })?.name ?? '';
        if (!peering.has(name)) out.push(`BgpPeer ${name} peers from no node`);
      }
    }
  } else if (!want.names?.length && !want.allocatorSays) {
    out.push('the table names no rule and no allocator message for this case');
  }
  for (const n of want.names ?? []) {
    const [code, severity = 'error'] = n.split(':');
    if (!ours.diagnostics.some((d) => d.code === code && d.severity === severity)) {
      out.push(`no ${severity} ${code} (got: ${ours.diagnostics.map((d) => `${d.code}:${d.severity}`).join(', ') || 'nothing'})`);
    }
  }
  if (want.firstIp !== undefined && ours.firstIp !== want.firstIp) out.push(`first address ${ours.firstIp}, expected ${want.firstIp}`);
  for (const [key, outcome] of Object.entries(want.services ?? {})) {
    const got = ours.services[key];
    if (!got) out.push(`no Service ${key} in the case`);
    else if (got.outcome !== outcome) out.push(`${key}: ${got.outcome}${got.message ? ` (${got.message})` : ''}, expected ${outcome}`);
  }
  if (want.allocatorSays) {
    const failed = Object.entries(ours.services).filter(([, r]) => r.outcome === 'fail');
    if (!failed.length) out.push(`no Service failed; expected a failure saying ${want.allocatorSays}`);
    for (const [key, r] of failed) if (!want.allocatorSays.test(r.message ?? '')) out.push(`${key} failed saying "${r.message}", expected ${want.allocatorSays}`);
  }
  return out;
}

type Status = 'agree' | 'deliberate' | 'open';

function statusOf(c: UpstreamCase): Status {
  return c.deliberate ? 'deliberate' : c.open ? 'open' : 'agree';
}

/** One line for the summary: what we did. */
function describeOurs(o: OurVerdict): string {
  const parts: string[] = [];
  const shown = o.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning');
  parts.push(shown.length ? shown.map((d) => `${d.code}${d.severity === 'warning' ? '(w)' : ''}`).join(' ') : 'clean');
  const blocked = Object.keys(o.blocked);
  if (blocked.length) parts.push(`blocked ${blocked.join(',')}`);
  if (o.refused.length) parts.push(`refused ${o.refused.join(',')}`);
  if (o.firstIp !== undefined) parts.push(`first ${o.firstIp}`);
  for (const [k, r] of Object.entries(o.services)) parts.push(`${k}→${r.outcome}`);
  for (const [n, p] of Object.entries(o.bgp ?? {})) parts.push(`${n}:${p.global ? `AS${p.global.localAs}${p.peers.length ? `+${p.peers.join('/')}` : ''}` : 'bgp off'}`);
  return parts.join('; ');
}

const results = UPSTREAM_CASES.map((c) => ({ c, ours: ourVerdict(c) }));

describe('upstream OpenELB cases (test/unit/upstream-cases.ts)', () => {
  it('the table has at least 50 cases, each named once, with a source', () => {
    assert.ok(UPSTREAM_CASES.length >= 50, `${UPSTREAM_CASES.length} cases`);
    assert.equal(new Set(UPSTREAM_CASES.map((c) => c.name)).size, UPSTREAM_CASES.length);
    for (const c of UPSTREAM_CASES) {
      assert.ok(c.source.file && c.source.where, c.name);
      assert.ok(!(c.deliberate && c.open), `${c.name}: deliberate or open, not both`);
    }
  });

  results.forEach(({ c, ours }, i) => {
    const title = `case ${i + 1}: ${c.name} [upstream ${c.upstream.verdict}: ${c.source.version} ${c.source.file.split(' ')[0]} ${c.source.where}]`;
    if (c.deliberate) {
      it(`${title} — deliberate difference`, () => {
        const missed = shortfalls(c, ours, c.deliberate!.ours);
        assert.deepEqual(missed, [], `we no longer do what the table says we do instead (${c.deliberate!.why})`);
        assert.notDeepEqual(shortfalls(c, ours, agreement(c)), [], 'we now agree with upstream: drop `deliberate` from this case');
      });
    } else if (c.open) {
      it(title, { todo: `open disagreement: ${c.open}` }, () => {
        assert.deepEqual(shortfalls(c, ours, agreement(c)), []);
      });
    } else {
      it(title, () => {
        assert.deepEqual(shortfalls(c, ours, agreement(c)), [], `upstream: ${c.upstream.detail}`);
      });
    }
  });

  it('summary', (t) => {
    const counts: Record<Status, number> = { agree: 0, deliberate: 0, open: 0 };
    const lines = results.map(({ c, ours }, i) => {
      const s = statusOf(c);
      counts[s]++;
      return `${String(i + 1).padStart(3)} ${s.padEnd(10)} ${c.upstream.verdict.padEnd(10)} ${c.name}\n${' '.repeat(26)}ours: ${describeOurs(ours)}`;
    });
    t.diagnostic(`${results.length} upstream cases: ${counts.agree} agree, ${counts.deliberate} deliberate differences, ${counts.open} open`);
    t.diagnostic('  # status     upstream   case');
    for (const l of lines) for (const part of l.split('\n')) t.diagnostic(part);
    for (const { c } of results.filter(({ c }) => c.deliberate)) t.diagnostic(`deliberate: ${c.name}: ${c.deliberate!.why}`);
    for (const { c } of results.filter(({ c }) => c.open)) t.diagnostic(`open: ${c.name}: ${c.open}`);
  });
});
