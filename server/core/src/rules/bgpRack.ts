// BgpConf asPerRack against the cluster's nodes: as OpenELB's speaker reads it, a node takes the
// AS of its rack label's entry, else spec.as. With no spec.as, a node whose rack has no entry
// gets no AS and runs no BGP at all; say which nodes, where the cluster is known.
import { RACK_LABEL } from '../api/annotations';
import { isMap, isScalar, type AstNode } from '../model/ast';
import { getNode, getPair, nodeRange, scalarString, type Resource } from '../model/resource';
import type { Rule, RuleContext } from './context';

/** Rack names with a usable AS (1..4294967295). */
function racksWithAs(asPerRack: AstNode | undefined): Set<string> {
  const out = new Set<string>();
  if (!isMap(asPerRack)) return out;
  for (const p of asPerRack.pairs) {
    const k = scalarString(p.key);
    const v = isScalar(p.value) ? p.value.value : undefined;
    if (k !== undefined && typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 4294967295) out.add(k);
  }
  return out;
}

function hasGlobalAs(res: Resource): boolean {
  const as = getNode(res.root, ['spec', 'as']);
  return isScalar(as) && typeof as.value === 'number' && as.value !== 0;
}

/** "node1 (no rack label), node2 (rack 'leaf9')", at most `max` named. */
function describeNodes(nodes: { name: string; rack?: string }[], max = 5): string {
  const shown = nodes.slice(0, max).map((n) => (n.rack === undefined ? `${n.name} (no rack label)` : `${n.name} (rack '${n.rack}')`));
  return shown.join(', ') + (nodes.length > max ? ` and ${nodes.length - max} more` : '');
}

function checkRacks(res: Resource, ctx: RuleContext): void {
  if (res.openelb?.kind !== 'BgpConf' || res.openelb.version !== 'v1alpha2') return;
  const nodes = ctx.facts.cluster?.nodes ?? [];
  const asPerRack = getNode(res.root, ['spec', 'asPerRack']);
  if (nodes.length === 0 || !isMap(asPerRack) || asPerRack.pairs.length === 0 || hasGlobalAs(res)) return;
  const racks = racksWithAs(asPerRack);
  const without = nodes.filter((n) => n.rack === undefined || !racks.has(n.rack));
  if (without.length === 0) return;
  const key = getPair(getNode(res.root, ['spec']), 'asPerRack')?.key;
  const r = nodeRange(res, key) ?? [res.offset, res.offset];
  ctx.report({
    code: 'bgpconf-rack-unassigned', severity: 'warning', start: r[0], end: r[1], path: 'spec.asPerRack',
    message: `${without.length} of ${nodes.length} nodes get no AS and will run no BGP: ${describeNodes(without)}; ` +
      `label each node ${RACK_LABEL}=<rack> with a rack listed here, or set spec.as for nodes outside these racks`,
  });
}

export const bgpRackRule: Rule = {
  ids: ['bgpconf-rack-unassigned'],
  checkResource: checkRacks,
};
