// Rules across Eips: overlapping pools (this file, other workspace files, the live cluster),
// duplicate names in one file, and at most one default Eip.
import { firstIp, intersectionText, lastIp, overlappingPairs } from '../address/pool';
import { EIP_DEFAULT_ANNOTATION } from '../api/annotations';
import { isScalar } from '../model/ast';
import { factWhere, type EipFact } from '../model/facts';
import type { Related } from '../model/problem';
import { getNode, getPair, nodeRange } from '../model/resource';
import type { Rule, RuleContext } from './context';

const MAX_NAMED = 3;
/** Values that mean "not default" to a reader (but only "false" is the canonical spelling). */
const FALSY = /^(false|no|off|0|n)$/i;

/** For each Eip of `mine`, the Eips of either list whose pools overlap it (pool.ts's sweep). */
function overlaps(mine: EipFact[], others: EipFact[]): Map<EipFact, EipFact[]> {
  const all = [...mine, ...others];
  const out = new Map<EipFact, EipFact[]>();
  const add = (a: EipFact, b: EipFact) => {
    if (a.name === b.name && a.source !== b.source) return; // the same object, seen twice
    let l = out.get(a);
    if (!l) out.set(a, (l = []));
    l.push(b);
  };
  for (const [i, j] of overlappingPairs(all.map((f) => f.pool))) {
    if (i < mine.length) add(all[i], all[j]);
    if (j < mine.length) add(all[j], all[i]);
  }
  return out;
}

function checkOverlaps(ctx: RuleContext): void {
  const others = [...(ctx.facts.workspaceEips ?? []), ...(ctx.facts.cluster?.eips ?? [])];
  for (const [eip, hits] of overlaps(ctx.fileEips, others)) {
    if (eip.start === undefined) continue;
    const named = hits.slice(0, MAX_NAMED).map((h) => `'${h.name}' (${h.address}, ${factWhere(h)}; shared: ${intersectionText(eip.pool!, h.pool!)})`);
    const more = hits.length > MAX_NAMED ? ` and ${hits.length - MAX_NAMED} more` : '';
    const related: Related[] = hits.filter((h) => h.uri && h.start !== undefined).slice(0, 20)
      .map((h) => ({ uri: h.uri!, start: h.start!, end: h.end!, line: h.line, character: h.character, message: `Eip '${h.name}' ${h.address}` }));
    ctx.report({ code: 'eip-overlap', severity: 'error', start: eip.start, end: eip.end!, path: 'spec.address', related,
      message: `Eip '${eip.name}' (${firstIp(eip.pool!)} to ${lastIp(eip.pool!)}) overlaps ${named.join(', ')}${more}; OpenELB rejects overlapping pools` });
  }
}

function checkNamesAndDefaults(ctx: RuleContext): void {
  const seen = new Map<string, number>();
  const defaults: { name: string; start: number; end: number }[] = [];
  for (const res of ctx.resources) {
    if (res.openelb?.kind !== 'Eip' || !res.name) continue;
    const nameNode = getNode(res.root, ['metadata', 'name']);
    const r = nodeRange(res, nameNode) ?? [res.offset, res.offset];
    const dup = seen.get(res.name);
    if (dup !== undefined) {
      ctx.report({ code: 'eip-duplicate-name', severity: 'warning', start: r[0], end: r[1], path: 'metadata.name',
        message: `a second Eip named '${res.name}' (document ${res.index + 1}; the first is document ${dup + 1}): applying the file keeps only the last one` });
    } else seen.set(res.name, res.index);
    const ann = getPair(getNode(res.root, ['metadata', 'annotations']), EIP_DEFAULT_ANNOTATION);
    if (!ann) continue;
    const v = ann.value;
    const vr = nodeRange(res, v) ?? nodeRange(res, ann.key) ?? r;
    const isTrueString = isScalar(v) && v.value === 'true';
    // A non-string scalar is reported by k8s-annotation-type (which also offers the quotes).
    if (isScalar(v) && v.value !== null && typeof v.value !== 'string') continue;
    // Upstream: exactly "true" makes the default pool, anything else does not ("false" is the plain way to say so).
    if (isScalar(v) && v.value === 'false') continue;
    if (!isTrueString) {
      const text = isScalar(v) && typeof v.value === 'string' ? v.value : '';
      const shown = text === '' ? 'empty' : `'${text}'`;
      const toTrue = { title: 'Change to "true"', edits: [{ start: vr[0], end: vr[1], newText: '"true"' }], preferred: !FALSY.test(text) };
      const toFalse = { title: 'Change to "false"', edits: [{ start: vr[0], end: vr[1], newText: '"false"' }], preferred: FALSY.test(text) };
      ctx.report({ code: 'eip-default-value', severity: 'warning', start: vr[0], end: vr[1], path: `metadata.annotations.${EIP_DEFAULT_ANNOTATION}`,
        fixes: FALSY.test(text) ? [toFalse, toTrue] : [toTrue, toFalse],
        message: `${EIP_DEFAULT_ANNOTATION} is ${shown}, so Eip '${res.name}' will NOT be the default pool: only the exact string "true" makes it one ("false" or no annotation means not default)` });
    } else defaults.push({ name: res.name, start: vr[0], end: vr[1] });
  }
  const external = [...(ctx.facts.workspaceEips ?? []), ...(ctx.facts.cluster?.eips ?? [])]
    .filter((e) => e.isDefault && !defaults.some((d) => d.name === e.name));
  if (defaults.length + external.length <= 1) return;
  for (const d of defaults) {
    const others = [...defaults.filter((x) => x !== d).map((x) => `'${x.name}' (this file)`), ...external.map((e) => `'${e.name}' (${factWhere(e)})`)];
    ctx.report({ code: 'eip-default-multiple', severity: 'error', start: d.start, end: d.end, path: `metadata.annotations.${EIP_DEFAULT_ANNOTATION}`,
      message: `only one Eip can be the default pool; ${others.join(', ')} ${others.length > 1 ? 'are' : 'is'} marked default too` });
  }
}

export const eipPoolsRule: Rule = {
  ids: ['eip-overlap', 'eip-duplicate-name', 'eip-default-value', 'eip-default-multiple'],
  checkFile(ctx) {
    checkOverlaps(ctx);
    checkNamesAndDefaults(ctx);
  },
};
