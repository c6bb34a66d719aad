// Impact before apply: with cluster facts, an Eip of this file that takes addresses in use out of
// its pool (range shrunk or changed) or disables a pool in use is flagged on spec.address or
// spec.disable, and an Eip in use deleted from the file since it was opened on its first line,
// naming the Services concerned (impact/eipImpact.ts computes it).
import { describeChange, eipImpact, type EipChange } from '../impact/eipImpact';
import { isScalar } from '../model/ast';
import { getNode } from '../model/resource';
import type { Rule, RuleContext } from './context';

export const EIP_IMPACT_ID = 'eip-removes-used-addresses';

/** The range of spec.disable of the named Eip, or undefined. */
function disableRange(ctx: RuleContext, name: string): [number, number] | undefined {
  for (const r of ctx.resources) {
    if (r.openelb?.kind !== 'Eip' || r.name !== name) continue;
    const node = getNode(r.root, ['spec', 'disable']);
    if (isScalar(node)) return [r.offset + node.start, r.offset + node.end];
  }
  return undefined;
}

/** The file's first line: where an Eip that is no longer in the file is reported. */
function firstLine(text: string): [number, number] {
  const nl = text.indexOf('\n');
  return [0, nl < 0 ? text.length : nl];
}

/** Eips the file held when first seen, gone from it and from every other workspace file. */
function deletedFromFile(ctx: RuleContext): string[] {
  const held = ctx.facts.heldBefore;
  if (!held?.length) return [];
  const here = new Set(ctx.fileEips.map((e) => e.name));
  const elsewhere = (name: string): boolean => (ctx.facts.catalog
    ? ctx.facts.catalog.named(name).some((e) => e.source === 'workspace' && e.uri !== ctx.uri)
    : (ctx.facts.workspaceEips ?? []).some((e) => e.name === name));
  return held.filter((n) => !here.has(n) && !elsewhere(n));
}

function rangeOf(ctx: RuleContext, c: EipChange): [number, number] | undefined {
  if (c.kind === 'delete') return firstLine(ctx.text);
  if (c.kind === 'disable') return disableRange(ctx, c.name);
  const fact = ctx.fileEips.find((e) => e.name === c.name);
  return fact?.start !== undefined && fact.end !== undefined ? [fact.start, fact.end] : undefined;
}

const PATHS = { delete: undefined, disable: 'spec.disable', shrink: 'spec.address', change: 'spec.address' } as const;

export const eipImpactRule: Rule = {
  ids: [EIP_IMPACT_ID],
  checkFile(ctx) {
    const cluster = ctx.facts.cluster;
    if (!cluster?.eips.length || !cluster.services.length) return;
    const deleted = deletedFromFile(ctx);
    if (!ctx.fileEips.length && !deleted.length) return;
    for (const c of eipImpact(ctx.fileEips, cluster, deleted).changes) {
      if (c.kind !== 'disable' && !c.lost.length) continue; // a pool filled by the edit is for the summaries
      const range = rangeOf(ctx, c);
      if (!range) continue;
      const text = describeChange(c);
      const where = c.kind === 'delete' ? `this file held Eip ${c.name} when opened and no longer does: ` : '';
      const message = `${where}${text}`;
      ctx.report({
        code: EIP_IMPACT_ID, severity: 'warning', start: range[0], end: range[1], path: PATHS[c.kind],
        message: `${message[0].toUpperCase()}${message.slice(1)} (cluster${cluster.context ? ` ${cluster.context}` : ''}).`,
      });
    }
  },
};
