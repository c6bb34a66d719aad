// YAML syntax errors, reported only in files that concern OpenELB: other YAML is left alone.
import type { ParsedDoc } from '../model/documents';
import type { Problem } from '../model/problem';

export function isOpenElbText(text: string): boolean {
  return text.includes('kubesphere.io');
}

export function syntaxProblems(doc: ParsedDoc): Problem[] {
  if (doc.failure) {
    return [{ code: 'yaml-unparsed', severity: 'error', start: doc.offset, end: doc.offset + Math.min(doc.text.length, doc.text.indexOf('\n') >>> 0), message: doc.failure }];
  }
  // A pathological document can produce hundreds of errors: report the first few and a count.
  const MAX = 10;
  const shown = doc.errors.slice(0, MAX);
  const more = doc.errors.length - shown.length;
  return shown.map((e, i) => ({
    code: e.code === 'DUPLICATE_KEY' ? 'yaml-duplicate-key' : 'yaml-syntax',
    severity: 'error' as const,
    start: doc.offset + e.pos[0],
    end: doc.offset + Math.max(e.pos[1], e.pos[0] + 1),
    message: e.code === 'DUPLICATE_KEY'
      ? 'this key appears twice in the same mapping; Kubernetes rejects duplicate fields'
      : `YAML syntax: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}${i === MAX - 1 && more > 0 ? ` (and ${more} more errors in this document)` : ''}`,
  }));
}
