// The slow path: documents the fast parser declines (anchors, flow collections, block scalars,
// syntax errors, ...) are parsed by the `yaml` library and its tree converted into ours. This
// file and fastParse.ts are the only ones that import the library's parser.
import { isAlias, isMap, isNode, isScalar, isSeq, parseDocument, type Document, type Range } from 'yaml';
import { AstAlias, AstMap, AstScalar, AstSeq, type AstDocument, type AstNode, type ScalarValue } from './ast';

/** uniqueKeys: duplicate keys are an error in Kubernetes' strict decoding too. */
export const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: true, keepSourceTokens: false } as const;

export function parseWithLibrary(text: string): AstDocument {
  return fromLibrary(parseDocument(text, PARSE_OPTIONS));
}

export function fromLibrary(doc: Document.Parsed): AstDocument {
  return {
    contents: convert(doc.contents),
    errors: doc.errors.map((e) => ({ code: e.code, message: e.message, pos: [e.pos[0], e.pos[1]] })),
  };
}

/** The core schema resolves every scalar to one of these; anything else is kept as its text. */
function scalarValue(v: unknown): ScalarValue {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
}

function convert(node: unknown): AstNode | null {
  if (!isNode(node)) return null;
  const [start, end, nodeEnd] = node.range as Range;
  if (isScalar(node)) {
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
    return new AstScalar(scalarValue(node.value), quoted, start, end, nodeEnd);
  }
  if (isMap(node)) return new AstMap(node.items.map((p) => ({ key: convert(p.key), value: convert(p.value) })), start, end, nodeEnd);
  if (isSeq(node)) return new AstSeq(node.items.map(convert), start, end, nodeEnd);
  if (isAlias(node)) return new AstAlias(node.source, start, end, nodeEnd);
  return null;
}
