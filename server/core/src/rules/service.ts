// Services that ask OpenELB for an address: annotation values, the requested IP, the named Eip.
import { parseIp } from '../address/ip';
import { firstIp, lastIp, poolContains } from '../address/pool';
import { EIP_IP_ANNOTATION, EIP_POOL_ANNOTATION, LB_ANNOTATION, LB_ANNOTATION_VALUE, PROTOCOLS, PROTOCOL_ANNOTATION } from '../api/annotations';
import { isMap, isScalar } from '../model/ast';
import { EipCatalog } from '../model/eipCatalog';
import { factWhere, type EipFact } from '../model/facts';
import { closest, getNode, getString, nodeRange, scalarContentRange, type Resource, type ScalarPair } from '../model/resource';
import type { Rule, RuleContext } from './context';

/** True for a Service that carries any OpenELB annotation. */
export function isOpenElbService(res: Resource): boolean {
  if (!res.isService) return false;
  const ann = getNode(res.root, ['metadata', 'annotations']);
  return isMap(ann) && ann.pairs.some((p) => isScalar(p.key) && /(^|\.)(openelb\.kubesphere\.io|lb\.kubesphere\.io)\//.test(String(p.key.value)));
}

/** Every Eip a Service may name, and what the messages say about them; built once per file check
 * (a file can hold thousands of Services: each question below is a lookup, not a pass over all Eips). */
interface Known {
  list: EipFact[];
  byName: Map<string, EipFact>;
  /** The list's pools, indexed: does any Eip hold an address (address/overlaps.ts). */
  pools: EipCatalog;
  names: string[];
  /** "did you mean" answers by misspelt name. */
  guesses: Map<string, string | undefined>;
  knownNames: string;
  knownPools: string;
}
const known = new WeakMap<RuleContext, Known>();
function knownEips(ctx: RuleContext): Known {
  let eips = known.get(ctx);
  if (!eips) {
    const list = [...ctx.fileEips, ...(ctx.facts.workspaceEips ?? []), ...(ctx.facts.cluster?.eips ?? [])];
    const byName = new Map<string, EipFact>();
    for (const e of list) if (!byName.has(e.name)) byName.set(e.name, e); // the first of a name, as find() would
    const names = [...byName.keys()];
    known.set(ctx, (eips = {
      list, byName, pools: new EipCatalog(list), names, guesses: new Map(),
      knownNames: names.slice(0, 10).join(', '),
      knownPools: firstDistinct(list.map((e) => `${e.name} ${e.address}`), 5).join(', '),
    }));
  }
  return eips;
}

function firstDistinct(xs: string[], n: number): string[] {
  const out = new Set<string>();
  for (let i = 0; i < xs.length && out.size < n; i++) out.add(xs[i]);
  return [...out];
}

function guessName(k: Known, name: string): string | undefined {
  if (!k.guesses.has(name)) k.guesses.set(name, closest(name, k.names));
  return k.guesses.get(name);
}

function annotation(res: Resource, key: string): { value?: string; range: [number, number]; pair?: ScalarPair } | undefined {
  const ann = getNode(res.root, ['metadata', 'annotations']);
  if (!isMap(ann)) return undefined;
  const pair = ann.pairs.find((p) => isScalar(p.key) && p.key.value === key) as ScalarPair | undefined;
  if (!pair) return undefined;
  const v = pair.value;
  const range = (isScalar(v) ? scalarContentRange(res, v) : undefined) ?? nodeRange(res, pair.key) ?? [res.offset, res.offset];
  return { value: isScalar(v) && v.value !== null ? String(v.value) : undefined, range, pair };
}

/** OpenELB annotations without `lb.kubesphere.io/v1alpha1: openelb`: neither upstream nor we serve it. */
function checkLbMissing(res: Resource, ctx: RuleContext): void {
  if (getString(res.root, ['spec', 'type']) !== 'LoadBalancer') return;
  const first = [EIP_POOL_ANNOTATION, EIP_IP_ANNOTATION, PROTOCOL_ANNOTATION].map((k) => annotation(res, k)).find((a) => a?.pair);
  const key = first && nodeRange(res, first.pair!.key);
  if (!key) return;
  const lineStart = ctx.text.lastIndexOf('\n', key[0] - 1) + 1;
  const indent = ctx.text.slice(lineStart, key[0]);
  const fixes = /^[ ]*$/.test(indent)
    ? [{ title: `Add ${LB_ANNOTATION}: ${LB_ANNOTATION_VALUE}`, edits: [{ start: key[0], end: key[0], newText: `${LB_ANNOTATION}: ${LB_ANNOTATION_VALUE}\n${indent}` }], preferred: true }]
    : undefined;
  ctx.report({ code: 'service-lb-annotation', severity: 'warning', start: key[0], end: key[1], path: 'metadata.annotations', fixes,
    message: `this Service has OpenELB annotations but no ${LB_ANNOTATION}: ${LB_ANNOTATION_VALUE}; OpenELB (upstream and ours) gives it no address until that annotation is added` });
}

function checkService(res: Resource, ctx: RuleContext): void {
  const lb = annotation(res, LB_ANNOTATION);
  if (!lb) checkLbMissing(res, ctx);
  if (lb && lb.value !== LB_ANNOTATION_VALUE) {
    ctx.report({ code: 'service-lb-annotation', severity: 'error', start: lb.range[0], end: lb.range[1], path: `metadata.annotations.${LB_ANNOTATION}`,
      fixes: [{ title: `Change to ${LB_ANNOTATION_VALUE}`, edits: [{ start: lb.range[0], end: lb.range[1], newText: LB_ANNOTATION_VALUE }], preferred: true }],
      message: `${LB_ANNOTATION} is '${lb.value ?? ''}'; OpenELB only handles Services where it is exactly '${LB_ANNOTATION_VALUE}'` });
  }
  const type = getString(res.root, ['spec', 'type']);
  if (lb && type !== 'LoadBalancer') {
    const r = nodeRange(res, getNode(res.root, ['spec', 'type'])) ?? lb.range;
    ctx.report({ code: 'service-type', severity: 'warning', start: r[0], end: r[1], path: 'spec.type',
      message: `this Service asks OpenELB for an address but its type is ${type ?? 'ClusterIP (the default)'}; OpenELB only serves type: LoadBalancer` });
  }
  const proto = annotation(res, PROTOCOL_ANNOTATION);
  if (proto && !(PROTOCOLS as readonly string[]).includes(proto.value ?? '')) {
    const guess = closest(proto.value ?? '', PROTOCOLS);
    ctx.report({ code: 'service-protocol', severity: 'error', start: proto.range[0], end: proto.range[1], path: `metadata.annotations.${PROTOCOL_ANNOTATION}`,
      fixes: guess ? [{ title: `Change to ${guess}`, edits: [{ start: proto.range[0], end: proto.range[1], newText: guess }], preferred: true }] : [],
      message: `${PROTOCOL_ANNOTATION} is '${proto.value ?? ''}'; accepted: ${PROTOCOLS.join(', ')}` });
  }
  const known = knownEips(ctx);
  const { list: eips, byName } = known;
  const poolAnn = annotation(res, EIP_POOL_ANNOTATION);
  let pool: EipFact | undefined;
  if (poolAnn?.value) {
    pool = byName.get(poolAnn.value);
    if (!pool) {
      const guess = guessName(known, poolAnn.value);
      ctx.report({ code: 'service-unknown-eip', severity: 'warning', start: poolAnn.range[0], end: poolAnn.range[1], path: `metadata.annotations.${EIP_POOL_ANNOTATION}`,
        fixes: guess ? [{ title: `Change to ${guess}`, edits: [{ start: poolAnn.range[0], end: poolAnn.range[1], newText: guess }], preferred: true }] : [],
        message: `no Eip named '${poolAnn.value}' in this file${ctx.facts.cluster ? ', the workspace or the cluster' : ' or the workspace'}${guess ? `; did you mean '${guess}'?` : ''}` +
          (eips.length ? ` Known: ${known.knownNames}` : '') });
    } else if (pool.disable) {
      ctx.report({ code: 'service-eip-disabled', severity: 'error', start: poolAnn.range[0], end: poolAnn.range[1], path: `metadata.annotations.${EIP_POOL_ANNOTATION}`,
        message: `Eip '${pool.name}' (${factWhere(pool)}) has spec.disable: true, so this Service will get no address from it; enable the Eip (disable: false) or name another Eip` });
    }
    if (pool && proto?.value && pool.protocol !== undefined && (pool.protocol || 'bgp') !== proto.value) {
      ctx.report({ code: 'service-protocol-mismatch', severity: 'warning', start: proto.range[0], end: proto.range[1], path: `metadata.annotations.${PROTOCOL_ANNOTATION}`,
        message: `this Service says ${proto.value} but its Eip '${pool.name}' announces with ${pool.protocol}; the Eip's protocol is what happens` });
    } else if (pool && proto?.value && pool.protocol === undefined && proto.value !== 'bgp') {
      ctx.report({ code: 'service-protocol-mismatch', severity: 'warning', start: proto.range[0], end: proto.range[1], path: `metadata.annotations.${PROTOCOL_ANNOTATION}`,
        message: `this Service says ${proto.value} but its Eip '${pool.name}' has no protocol, which means bgp` });
    }
  }
  // The IP annotation, when present, replaces spec.loadBalancerIP (upstream, and runtime/src/allocator/service.ts).
  const ipSources: { text?: string; range: [number, number]; path: string }[] = [];
  const ipAnn = annotation(res, EIP_IP_ANNOTATION);
  if (ipAnn) ipSources.push({ text: ipAnn.value, range: ipAnn.range, path: `metadata.annotations.${EIP_IP_ANNOTATION}` });
  const lbIpNode = getNode(res.root, ['spec', 'loadBalancerIP']);
  if (lb && isScalar(lbIpNode)) {
    const text = String(lbIpNode.value ?? '');
    const range = scalarContentRange(res, lbIpNode);
    if (!ipAnn) ipSources.push({ text, range, path: 'spec.loadBalancerIP' });
    else if (text.trim() !== (ipAnn.value ?? '').trim()) {
      ctx.report({ code: 'service-loadbalancerip-ignored', severity: 'information', start: range[0], end: range[1], path: 'spec.loadBalancerIP',
        message: `spec.loadBalancerIP '${text}' is ignored: the annotation ${EIP_IP_ANNOTATION} ('${ipAnn.value ?? ''}') wins when both are set; remove one or make them equal` });
    }
  }
  for (const src of ipSources) {
    const ip = parseIp(src.text ?? '');
    if (!ip) {
      ctx.report({ code: 'service-requested-ip', severity: 'error', start: src.range[0], end: src.range[1], path: src.path,
        message: `'${src.text ?? ''}' is not an IP address; ${src.path} names the one address this Service wants (e.g. 192.168.0.100)` });
      continue;
    }
    if (pool?.pool && !poolContains(pool.pool, ip)) {
      ctx.report({ code: 'service-ip-outside-eip', severity: 'error', start: src.range[0], end: src.range[1], path: src.path,
        message: `${src.text} is outside Eip '${pool.name}' (${firstIp(pool.pool)} to ${lastIp(pool.pool)}); the Service will get no address` });
    } else if (!pool && eips.length > 0 && known.pools.countOverlapping({ family: ip.family, first: ip.value, last: ip.value, form: 'ip' }) === 0) {
      ctx.report({ code: 'service-ip-outside-eip', severity: 'warning', start: src.range[0], end: src.range[1], path: src.path,
        message: `${src.text} is in none of the known Eips (${known.knownPools}); OpenELB can only hand out addresses of an Eip` });
    }
  }
}

export const serviceRule: Rule = {
  ids: ['service-lb-annotation', 'service-type', 'service-protocol', 'service-unknown-eip', 'service-protocol-mismatch', 'service-requested-ip', 'service-ip-outside-eip', 'service-loadbalancerip-ignored', 'service-eip-disabled'],
  checkResource(res, ctx) {
    if (isOpenElbService(res)) checkService(res, ctx);
  },
};
