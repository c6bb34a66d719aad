// Validation of a resource given as a plain object (as the runtime reads it from the API server):
// the object is written out as YAML and checked by exactly the same rules as the editor, so the
// editor and the cluster never disagree. Problems carry the rule id and the field path.
import { stringify } from 'yaml';
import type { Facts } from './model/facts';
import { isBlocking } from './rules/blocking';
import { analyze } from './rules/index';

export interface ObjectProblem {
  code: string;
  severity: 'error' | 'warning' | 'information' | 'hint';
  message: string;
  /** Dotted path of the field, e.g. "spec.address". */
  path: string;
}

/** Server-populated fields that say nothing about what the user asked for. */
function strip(obj: unknown): unknown {
  if (!obj || typeof obj !== 'object') return obj;
  const o = obj as Record<string, unknown>;
  const meta = (o.metadata ?? {}) as Record<string, unknown>;
  const { name, generateName, namespace, labels, annotations } = meta;
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: { name, generateName, namespace, labels, annotations }, spec: o.spec };
}

export function checkObject(obj: unknown, facts: Facts = {}): ObjectProblem[] {
  const text = stringify(strip(obj), { aliasDuplicateObjects: false });
  const { problems } = analyze(text, 'object:', facts);
  return problems
    .filter((p) => p.code !== 'status-ignored')
    .map((p) => ({ code: p.code, severity: p.severity, message: p.message, path: p.path ?? '' }));
}

/**
 * The blocking findings only (rules/blocking.ts): an Eip with any of these is never allocated
 * from nor announced. Every other finding is advice.
 */
export function objectErrors(obj: unknown, facts: Facts = {}): ObjectProblem[] {
  return splitProblems(checkObject(obj, facts)).blocking;
}

/** Blocking findings and advice (errors and warnings that do not block; information is dropped). */
export function splitProblems(problems: readonly ObjectProblem[]): { blocking: ObjectProblem[]; advice: ObjectProblem[] } {
  const blocking: ObjectProblem[] = [];
  const advice: ObjectProblem[] = [];
  for (const p of problems) {
    if (p.severity !== 'error' && p.severity !== 'warning') continue;
    if (p.severity === 'error' && isBlocking(p.code, p.path)) blocking.push(p);
    else advice.push(p);
  }
  return { blocking, advice };
}
