// Eips restricted to the namespaces they bind (eip.openelb.kubesphere.io/restrict-to-namespaces,
// api/namespaceAccess.ts): the annotation's value on the Eip, and Services of other namespaces
// asking for such an Eip (by name or by an address inside it), which the controller refuses.
import { parseIp } from '../address/ip';
import { parsePoolCached } from '../address/pool';
import { EIP_IP_ANNOTATION, EIP_POOL_ANNOTATION, EIP_RESTRICT_ANNOTATION } from '../api/annotations';
import { bindsNamespace, describeBinding } from '../api/namespaceAccess';
import { isMap, isScalar, isSeq, type AstScalar } from '../model/ast';
import { EipCatalog } from '../model/eipCatalog';
import { factWhere, type EipFact } from '../model/facts';
import { getNode, getPair, getString, scalarContentRange, type Resource } from '../model/resource';
import type { Rule, RuleContext } from './context';
import { isOpenElbService } from './service';

const RESTRICTED = 'service-eip-namespace-restricted';
const VALUE = 'eip-restrict-value';
const UNBOUND = 'eip-restrict-unbound';

function annotationValue(res: Resource, key: string): AstScalar | undefined {
  const v = getPair(getNode(res.root, ['metadata', 'annotations']), key)?.value;
  return isScalar(v) ? v : undefined;
}

/** The annotation on an Eip: exactly "true" restricts, "false" does not; anything else is a likely mistake. */
function checkEip(res: Resource, ctx: RuleContext): void {
  const v = annotationValue(res, EIP_RESTRICT_ANNOTATION);
  if (!v || typeof v.value !== 'string') return; // not a string: k8s-annotation-type says so
  const [start, end] = scalarContentRange(res, v);
  const path = `metadata.annotations.${EIP_RESTRICT_ANNOTATION}`;
  if (v.value !== 'true' && v.value !== 'false') {
    ctx.report({ code: VALUE, severity: 'warning', start, end, path,
      fixes: [{ title: 'Change to "true"', edits: [{ start: res.offset + v.start, end: res.offset + v.end, newText: '"true"' }], preferred: true }],
      message: `${EIP_RESTRICT_ANNOTATION} is ${JSON.stringify(v.value)}; only the string "true" restricts the Eip to its namespaces ("false" or no annotation: any namespace may use it), so this Eip is open to every namespace` });
    return;
  }
  if (v.value !== 'true') return;
  const spec = getNode(res.root, ['spec']);
  const names = getNode(spec, ['namespaces']);
  const selector = getNode(spec, ['namespaceSelector']);
  if ((isSeq(names) && names.items.length) || isMap(selector)) return;
  ctx.report({ code: UNBOUND, severity: 'warning', start, end, path,
    message: 'this Eip is restricted to its namespaces but binds none (no spec.namespaces, no spec.namespaceSelector): no Service can get an address from it; list the namespaces allowed to use it' });
}

/**
 * The Eips a Service may point at, indexed once per file check (a file can hold thousands of
 * Services): this file's, then the workspace's and the cluster's (the service's shared catalog,
 * whose entries of this very file are left out: the text being checked is newer).
 */
interface Known { mine: EipCatalog; outside: EipCatalog; isOwn: (e: EipFact) => boolean }
const knownByCtx = new WeakMap<RuleContext, Known>();
function known(ctx: RuleContext): Known {
  let k = knownByCtx.get(ctx);
  if (!k) {
    const shared = ctx.facts.catalog;
    const outside = shared ?? new EipCatalog([...(ctx.facts.workspaceEips ?? []), ...(ctx.facts.cluster?.eips ?? [])]);
    knownByCtx.set(ctx, (k = { mine: new EipCatalog(ctx.fileEips), outside, isOwn: (e) => shared !== undefined && e.source === 'workspace' && e.uri === ctx.uri }));
  }
  return k;
}

/** The first Eip of a name, as the Service rules find it (this file first). */
function eipNamed(ctx: RuleContext, name: string): EipFact | undefined {
  const k = known(ctx);
  return k.mine.named(name)[0] ?? k.outside.named(name).find((e) => !k.isOwn(e));
}

/** The Eip the allocator takes a requested address from: of those containing it, the first by name. */
function eipHolding(ctx: RuleContext, ip: string): EipFact | undefined {
  const pool = parsePoolCached(ip).pool;
  if (!pool) return undefined;
  const k = known(ctx);
  const all = [...k.mine.overlapping(pool, MAX_CANDIDATES), ...k.outside.overlapping(pool, MAX_CANDIDATES, (e) => k.isOwn(e))];
  return all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))[0];
}
const MAX_CANDIDATES = 16;

function checkService(res: Resource, ctx: RuleContext): void {
  const ns = getString(res.root, ['metadata', 'namespace']);
  if (!ns) return; // the namespace is chosen when applied (kubectl -n): nothing to compare
  const pool = annotationValue(res, EIP_POOL_ANNOTATION);
  let target: { eip?: EipFact; node: AstScalar; path: string } | undefined;
  if (pool && typeof pool.value === 'string' && pool.value) {
    target = { eip: eipNamed(ctx, pool.value), node: pool, path: `metadata.annotations.${EIP_POOL_ANNOTATION}` };
  } else {
    const ipAnn = annotationValue(res, EIP_IP_ANNOTATION);
    const lbIp = getNode(res.root, ['spec', 'loadBalancerIP']);
    const node = ipAnn ?? (isScalar(lbIp) ? lbIp : undefined);
    const text = String(node?.value ?? '').trim();
    if (node && parseIp(text)) target = { eip: eipHolding(ctx, text), node, path: ipAnn ? `metadata.annotations.${EIP_IP_ANNOTATION}` : 'spec.loadBalancerIP' };
  }
  const binding = target?.eip?.restrictedTo;
  if (!target?.eip || !binding || bindsNamespace(binding, ns) !== false) return;
  const [start, end] = scalarContentRange(res, target.node);
  ctx.report({ code: RESTRICTED, severity: 'error', start, end, path: target.path,
    message: `Eip '${target.eip.name}' (${factWhere(target.eip)}) is restricted to its namespaces (${EIP_RESTRICT_ANNOTATION}: "true") and serves only ` +
      `${describeBinding(binding)}; this Service is in namespace ${ns}, so it will get no address. Use an Eip that serves ${ns}` });
}

/** Per Eip document: the annotation's value and binding. */
export const eipAccessRule: Rule = {
  ids: [VALUE, UNBOUND],
  local: true,
  checkResource(res, ctx) {
    if (res.openelb?.kind === 'Eip') checkEip(res, ctx);
  },
};

/** Per Service, against every known Eip (this file, the workspace, the cluster). */
export const serviceAccessRule: Rule = {
  ids: [RESTRICTED],
  checkResource(res, ctx) {
    if (isOpenElbService(res)) checkService(res, ctx);
  },
};
