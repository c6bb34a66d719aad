// Runs every rule over a file and returns its problems. Add a rule: write it in its own file,
// export a `Rule`, list it here, document its ids in ARCHITECTURE.md, add fixtures.
import type { EipFact, Facts } from '../model/facts';
import { eipFacts } from '../model/facts';
import { parseDocuments, type ParseCache } from '../model/documents';
import type { Problem } from '../model/problem';
import { toResource, type Resource } from '../model/resource';
import type { Rule, RuleContext } from './context';
import { bgpRule } from './bgp';
import { bgpRackRule } from './bgpRack';
import { eipAccessRule, serviceAccessRule } from './eipAccess';
import { eipAddressRule } from './eipAddress';
import { eipImpactRule } from './eipImpact';
import { eipInterfaceRule } from './eipInterface';
import { eipPoolsRule } from './eipPools';
import { identityRule } from './identity';
import { schemaRule } from './schema';
import { isOpenElbService, serviceRule } from './service';
import { isOpenElbText, syntaxProblems } from './yamlSyntax';
import { capPerRule } from './cap';


function shift(p: Problem, by: number): Problem {
  if (by === 0) return p;
  return {
    ...p, start: p.start + by, end: p.end + by,
    fixes: p.fixes?.map((f) => ({ ...f, edits: f.edits.map((e) => ({ ...e, start: e.start + by, end: e.end + by })) })),
  };
}

export const RULES: Rule[] = [identityRule, schemaRule, eipAddressRule, eipInterfaceRule, bgpRule, bgpRackRule, serviceRule, eipPoolsRule, eipAccessRule, serviceAccessRule, eipImpactRule];
const LOCAL_RULES = RULES.filter((r) => r.local && r.checkResource);
const FILE_RULES = RULES.filter((r) => !r.local && r.checkResource);
const NO_PROBLEMS: Problem[] = [];

/** Errors other than duplicate keys (which the schema rule explains better) stop the rules. */
function hasSyntaxError(errors: readonly { code: string }[]): boolean {
  for (let i = 0; i < errors.length; i++) if (errors[i].code !== 'DUPLICATE_KEY') return true;
  return false;
}

export interface Analysis {
  resources: Resource[];
  problems: Problem[];
  /** The Eips this file defines (offsets in this file). */
  fileEips: EipFact[];
}

export function analyze(text: string, uri: string, facts: Facts, cache?: ParseCache): Analysis {
  const docs = parseDocuments(text, cache);
  const resources = docs.map((d) => toResource(d.index, d.offset, d.doc, d.memo));
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
  // (Indexed loops: this function runs once per file, often unoptimised, where for-of allocates.)
  // One context for the local rules, pointed at each document in turn: their problems are kept
  // per document (relative to it), so they are shifted back into the document on the way in.
  let found: Problem[] = [];
  let docOffset = 0;
  const localCtx: RuleContext = { ...ctx, report: (p: Problem) => found.push(shift(p, -docOffset)) };
  for (let i = 0; i < resources.length; i++) {
    const res = resources[i];
    // A document with syntax errors gets those reported, not the noise they cause downstream.
    if (!res.root || docs[i].failure || hasSyntaxError(docs[i].errors)) continue;
    // The local rules' results are kept in the document's memo, relative to the document.
    let local = res.memo.local as Problem[] | undefined;
    if (!local) {
      found = [];
      docOffset = res.offset;
      for (let r = 0; r < LOCAL_RULES.length; r++) LOCAL_RULES[r].checkResource!(res, localCtx);
      res.memo.local = local = found.length ? found : NO_PROBLEMS;
    }
    for (let p = 0; p < local.length; p++) problems.push(shift(local[p], res.offset));
    for (let r = 0; r < FILE_RULES.length; r++) FILE_RULES[r].checkResource!(res, ctx);
  }
  for (const rule of RULES) rule.checkFile?.(ctx);
  return { resources, problems: capPerRule(problems), fileEips: ctx.fileEips };
}
