// Compares what the two servers report: every problem yaml-language-server finds must be found
// by ours (same kind, overlapping lines), and the generator's known mistakes tell which
// semantic problems only ours can see.
import type { Diagnostic } from 'vscode-languageserver-protocol';
import type { Generated, MistakeKind } from './generate';

export type ProblemKind = MistakeKind | 'other';

/** yaml-language-server's (JSON-Schema) messages, by kind. */
export function theirKind(d: Diagnostic): ProblemKind {
  const m = d.message;
  if (/^Incorrect type/i.test(m)) return 'type';
  if (/^Value is not accepted/i.test(m)) return 'enum';
  if (/is not allowed/i.test(m)) return 'unknown-field';
  if (/^Missing property/i.test(m)) return 'required';
  return 'other';
}

const OUR_CODES: Record<string, MistakeKind> = {
  'schema-type': 'type',
  'schema-enum': 'enum',
  'schema-unknown-field': 'unknown-field',
  'schema-required': 'required',
  'eip-address-range-reversed': 'reversed-range',
  'eip-overlap': 'overlap',
  'eip-interface-required': 'layer2-no-interface',
  'eip-address-syntax': 'bad-octet',
};

export function ourKind(d: Diagnostic): ProblemKind {
  return OUR_CODES[String(d.code)] ?? 'other';
}

const lines = (d: Diagnostic): [number, number] => [d.range.start.line, d.range.end.line];
const intersects = (a: [number, number], b: [number, number]) => a[0] <= b[1] && b[0] <= a[1];

export interface Coverage {
  /** Diagnostics of theirs with no diagnostic of ours of the same kind on an overlapping line. */
  missedByUs: Diagnostic[];
  /** Of those, the ones we do report in the same document with the same kind (a range-convention difference). */
  missedSameDocument: number;
  /** Their diagnostics we could not classify (kinds this bench does not expect). */
  theirOther: Diagnostic[];
  /** Generated mistakes, found or not by each side. */
  expected: { kind: MistakeKind; category: 'schema' | 'semantic'; line: number; ours: boolean; theirs: boolean }[];
  /** Our diagnostics that match no generated mistake. */
  ourExtra: Diagnostic[];
}

function docOf(gen: Generated, line: number): number {
  let lo = 0;
  let hi = gen.docLines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (gen.docLines[mid][0] <= line) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function compare(gen: Generated, ours: Diagnostic[], theirs: Diagnostic[]): Coverage {
  const oursByKind = new Map<ProblemKind, Diagnostic[]>();
  for (const d of ours) {
    const k = ourKind(d);
    oursByKind.set(k, [...(oursByKind.get(k) ?? []), d]);
  }
  const seenBy = (list: Diagnostic[] | undefined, span: [number, number]) => (list ?? []).some((o) => intersects(lines(o), span));
  const missedByUs: Diagnostic[] = [];
  let missedSameDocument = 0;
  const theirOther: Diagnostic[] = [];
  for (const t of theirs) {
    const k = theirKind(t);
    if (k === 'other') theirOther.push(t);
    // An unclassified diagnostic of theirs counts as covered if we report anything on its lines.
    const candidates = k === 'other' ? ours : oursByKind.get(k);
    if (seenBy(candidates, lines(t))) continue;
    missedByUs.push(t);
    const doc = docOf(gen, t.range.start.line);
    if ((candidates ?? []).some((o) => docOf(gen, o.range.start.line) === doc)) missedSameDocument++;
  }
  const expected = gen.mistakes.map((m) => ({
    kind: m.kind, category: m.category, line: m.line,
    ours: seenBy(oursByKind.get(m.kind), [m.line, m.line]),
    theirs: theirs.some((t) => theirKind(t) === m.kind && intersects(lines(t), [m.line, m.line])),
  }));
  const ourExtra = ours.filter((o) => !gen.mistakes.some((m) => m.kind === ourKind(o) && intersects(lines(o), [m.line, m.line])));
  return { missedByUs, missedSameDocument, theirOther, expected, ourExtra };
}
