// What every rule receives, and the shape of a rule.
import type { EipFact, Facts } from '../model/facts';
import type { Problem } from '../model/problem';
import type { Resource } from '../model/resource';

export interface RuleContext {
  uri: string;
  text: string;
  resources: Resource[];
  /** Eips of the current file. */
  fileEips: EipFact[];
  facts: Facts;
  report(problem: Problem): void;
}

/** A rule looks at one resource (per-document rules) or at the whole file (cross-document rules). */
export interface Rule {
  /** The rule ids this rule can report (documented in ARCHITECTURE.md). */
  ids: readonly string[];
  /** True when checkResource reads only its own document: its results are cached by document text. */
  local?: boolean;
  checkResource?(res: Resource, ctx: RuleContext): void;
  checkFile?(ctx: RuleContext): void;
}
