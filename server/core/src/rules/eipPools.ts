// Rules across Eips: overlapping pools (this file, other workspace files, the live cluster),
// duplicate names in one file, and at most one default Eip.
import { firstIp, intersectionText, lastIp, poolsOverlap } from '../address/pool';
import { EIP_DEFAULT_ANNOTATION } from '../api/annotations';
import { isScalar } from '../model/ast';
import { EipCatalog, EMPTY_CATALOG } from '../model/eipCatalog';
import { factWhere, type EipFact } from '../model/facts';
import type { Related } from '../model/problem';
import { getNode, getPair, nodeRange } from '../model/resource';
import type { Rule, RuleContext } from './context';

const MAX_NAMED = 3;
/** Related locations listed with an overlap (the editor shows them under the problem). */
const MAX_RELATED = 20;
/** Values that mean "not default" to a reader (but only "false" is the canonical spelling). */
const FALSY = /^(false|no|off|0|n)$/i;

/**
 * The Eips known outside this file, indexed: the service's shared catalog (every workspace file,
 * this one's own entries included, and the cluster), else one built from the facts given.
 */
function outside(ctx: RuleContext): Outside {
  let o = outsides.get(ctx);
  if (o) return o;
  const shared = ctx.facts.catalog;
  const all = shared ?? new EipCatalog([...(ctx.facts.workspaceEips ?? []), ...(ctx.facts.cluster?.eips ?? [])]);
  const own = shared ? shared.ofFile(ctx.uri) : EMPTY_CATALOG;
  outsides.set(ctx, (o = { all, own, isOwn: (e) => shared !== undefined && e.source === 'workspace' && e.uri === ctx.uri }));
  return o;
}
interface Outside { all: EipCatalog; own: EipCatalog; isOwn: (e: EipFact) => boolean }
const outsides = new WeakMap<RuleContext, Outside>();

function checkOverlaps(ctx: RuleContext): void {
  const mine = new EipCatalog(ctx.fileEips);
  const { all, own, isOwn } = outside(ctx);
  ctx.fileEips.forEach((eip, i) => {
    const pool = eip.pool;
    if (eip.start === undefined || !pool) return;
    // An Eip of the same name outside this file is this object seen again (applied, or indexed).
    const sameObject = (o: EipFact) => isOwn(o) || o.name === eip.name;
    const total = mine.countOverlapping(pool) - 1 + all.countOverlapping(pool) - own.countOverlapping(pool)
      - all.named(eip.name).filter((o) => !isOwn(o) && o.pool && poolsOverlap(o.pool, pool)).length;
    if (total <= 0) return;
    const hits = mine.overlapping(pool, MAX_RELATED, (_o, j) => j === i);
    hits.push(...all.overlapping(pool, MAX_RELATED - hits.length, sameObject));
    const named = hits.slice(0, MAX_NAMED).map((h) => `'${h.name}' (${h.address}, ${factWhere(h)}; shared: ${intersectionText(pool, h.pool!)})`);
    const more = total > named.length ? ` and ${total - named.length} more` : '';
    const related: Related[] = hits.filter((h) => h.uri && h.start !== undefined)
      .map((h) => ({ uri: h.uri!, start: h.start!, end: h.end!, line: h.line, character: h.character, message: `Eip '${h.name}' ${h.address}` }));
    ctx.report({ code: 'eip-overlap', severity: 'error', start: eip.start, end: eip.end!, path: 'spec.address', related,
      message: `Eip '${eip.name}' (${firstIp(pool)} to ${lastIp(pool)}) overlaps ${named.join(', ')}${more}; OpenELB rejects overlapping pools` });
  });
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
  reportDefaults(ctx, defaults);
}

/** More than one default Eip: each of this file's is reported, naming a few of the others and counting the rest. */
function reportDefaults(ctx: RuleContext, defaults: { name: string; start: number; end: number }[]): void {
  if (!defaults.length) return;
  const { all, own, isOwn } = outside(ctx);
  const fileNames = new Set(defaults.map((d) => d.name));
  // An outside default of a name this file marks default is the same object seen again.
  let sameObjects = 0;
  for (const n of fileNames) for (const e of all.named(n)) if (e.isDefault && !isOwn(e)) sameObjects++;
  const externalCount = all.defaults.length - own.defaults.length - sameObjects;
  if (defaults.length + externalCount <= 1) return;
  const external: string[] = [];
  for (const e of all.defaults) {
    if (external.length >= MAX_NAMED) break;
    if (!isOwn(e) && !fileNames.has(e.name)) external.push(`'${e.name}' (${factWhere(e)})`);
  }
  const total = defaults.length - 1 + externalCount;
  for (const d of defaults) {
    const inFile = defaults.slice(0, MAX_NAMED + 1).filter((x) => x !== d).map((x) => `'${x.name}' (this file)`);
    const named = [...inFile, ...external].slice(0, MAX_NAMED);
    const more = total > named.length ? ` and ${total - named.length} more` : '';
    ctx.report({ code: 'eip-default-multiple', severity: 'error', start: d.start, end: d.end, path: `metadata.annotations.${EIP_DEFAULT_ANNOTATION}`,
      message: `only one Eip can be the default pool; ${named.join(', ')}${more} ${total > 1 ? 'are' : 'is'} marked default too` });
  }
}

export const eipPoolsRule: Rule = {
  ids: ['eip-overlap', 'eip-duplicate-name', 'eip-default-value', 'eip-default-multiple'],
  checkFile(ctx) {
    checkOverlaps(ctx);
    checkNamesAndDefaults(ctx);
  },
};
