// Runs every rule over a file and returns its problems. Add a rule: write it in its own file,
// export a `Rule`, list it here, document its ids in ARCHITECTURE.md, add fixtures.
import type { EipFact, Facts } from '../model/facts';
import { eipFacts } from '../model/facts';
import { parseDocuments, type ParseCache } from '../model/documents';
import type { Problem } from '../model/problem';
import { toResource, type Resource } from '../model/resource';
import type { Rule, RuleContext } from './context';
import { bgpRule } from './bgp';
import { eipAddressRule } from './eipAddress';
import { eipInterfaceRule } from './eipInterface';
import { eipPoolsRule } from './eipPools';
import { identityRule } from './identity';
import { schemaRule } from './schema';
import { isOpenElbService, serviceRule } from './service';
import { isOpenElbText, syntaxProblems } from './yamlSyntax';

/** Results of the local rules per parsed document, with offsets relative to the document. */
const localCache = new WeakMap<object, Problem[]>();

function shift(p: Problem, by: number): Problem {
  if (by === 0) return p;
  return {
    ...p, start: p.start + by, end: p.end + by,
    fixes: p.fixes?.map((f) => ({ ...f, edits: f.edits.map((e) => ({ ...e, start: e.start + by, end: e.end + by })) })),
  };
}

export const RULES: Rule[] = [identityRule, schemaRule, eipAddressRule, eipInterfaceRule, bgpRule, serviceRule, eipPoolsRule];

export interface Analysis {
  resources: Resource[];
  problems: Problem[];
  /** The Eips this file defines (offsets in this file). */
  fileEips: EipFact[];
}

export function analyze(text: string, uri: string, facts: Facts, cache?: ParseCache): Analysis {
  const docs = parseDocuments(text, cache);
  const resources = docs.map((d) => toResource(d.index, d.offset, d.doc));
  const problems: Problem[] = [];
  const fileConcernsUs = resources.some((r) => r.openelb || isOpenElbService(r));
  docs.forEach((d, i) => {
    const r = resources[i];
    if (d.failure || d.errors.length) {
      if (r.openelb || isOpenElbService(r) || (fileConcernsUs && !r.kind) || isOpenElbText(d.text)) problems.push(...syntaxProblems(d));
    }
  });
  if (!fileConcernsUs) return { resources, problems, fileEips: [] };
  const ctx: RuleContext = {
    uri, text, resources, facts,
    fileEips: eipFacts(resources, uri, 'file'),
    report: (p) => problems.push(p),
  };
  resources.forEach((res, i) => {
    // A document with syntax errors gets those reported, not the noise they cause downstream.
    if (!res.root || docs[i].failure || docs[i].errors.some((e) => e.code !== 'DUPLICATE_KEY')) return;
    let local = localCache.get(docs[i].doc);
    if (!local) {
      const found: Problem[] = [];
      const localCtx = { ...ctx, report: (p: Problem) => found.push(shift(p, -res.offset)) };
      for (const rule of RULES) if (rule.local) rule.checkResource?.(res, localCtx);
      localCache.set(docs[i].doc, (local = found));
    }
    for (const p of local) problems.push(shift(p, res.offset));
    for (const rule of RULES) if (!rule.local) rule.checkResource?.(res, ctx);
  });
  for (const rule of RULES) rule.checkFile?.(ctx);
  return { resources, problems, fileEips: ctx.fileEips };
}
