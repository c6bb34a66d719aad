// At most MAX_PER_RULE problems of one rule id per file. A generated file of 8,000 Eips that
// all overlap would otherwise show 8,000 copies of one message (and send them to the editor on
// every keystroke); past the cap, one summary problem, on the last problem of that id, says
// how many more there are.
import type { Problem } from '../model/problem';

/** Problems of one rule id kept per file; documented in the README's limits. */
export const MAX_PER_RULE = 100;

/** The problems with each rule id's beyond MAX_PER_RULE replaced by one summary (order kept). */
export function capPerRule(problems: Problem[], max = MAX_PER_RULE): Problem[] {
  const counts = new Map<string, number>();
  for (const p of problems) counts.set(p.code, (counts.get(p.code) ?? 0) + 1);
  let over = false;
  for (const n of counts.values()) if (n > max) over = true;
  if (!over) return problems;
  const seen = new Map<string, number>();
  const out: Problem[] = [];
  for (const p of problems) {
    const total = counts.get(p.code)!;
    const k = (seen.get(p.code) ?? 0) + 1;
    seen.set(p.code, k);
    if (k <= max) out.push(p);
    else if (k === total) out.push(summary(p, total - max, max));
  }
  return out;
}

function summary(last: Problem, hidden: number, max: number): Problem {
  return {
    code: last.code, severity: last.severity, start: last.start, end: last.end, path: last.path,
    message: `${hidden} more ${last.code} problems in this file are not listed one by one (at most ${max} per rule id per file); the last of them: ${last.message}`,
  };
}
