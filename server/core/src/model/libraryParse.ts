// The slow path: documents the fast parser declines (anchors, flow collections, block scalars,
// syntax errors, ...) are parsed by the `yaml` library and its tree converted into ours. This
// file and fastParse.ts are the only ones that import the library's parser.
import { isAlias, isMap, isNode, isScalar, isSeq, parseDocument, type Alias, type Document, type Range } from 'yaml';
import { AstAlias, AstMap, AstScalar, AstSeq, type AstDocument, type AstNode, type ScalarValue } from './ast';

/** uniqueKeys: duplicate keys are an error in Kubernetes' strict decoding too. */
export const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: true, keepSourceTokens: false } as const;

export function parseWithLibrary(text: string): AstDocument {
  return fromLibrary(parseDocument(text, PARSE_OPTIONS));
}

export function fromLibrary(doc: Document.Parsed): AstDocument {
  return {
    contents: convert(doc.contents, doc),
    errors: doc.errors.map((e) => ({ code: e.code, message: e.message, pos: [e.pos[0], e.pos[1]] })),
  };
}

/** The core schema resolves every scalar to one of these; anything else is kept as its text. */
function scalarValue(v: unknown): ScalarValue {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
}

/** Library node → our node, for aliases (anchors come first in a document). */
type Converted = Map<unknown, AstNode>;

function convert(node: unknown, doc: Document.Parsed, done: Converted = new Map()): AstNode | null {
  if (!isNode(node)) return null;
  const [start, end, nodeEnd] = node.range as Range;
  if (isScalar(node)) {
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
    return remember(node, new AstScalar(scalarValue(node.value), quoted, start, end, nodeEnd), done);
  }
  if (isMap(node)) {
    // Registered before its children: an alias inside its own anchor (`&a {k: *a}`) finds it.
    const map = remember(node, new AstMap([], start, end, nodeEnd), done);
    for (const p of node.items) map.pairs.push({ key: convert(p.key, doc, done), value: convert(p.value, doc, done) });
    return map;
  }
  if (isSeq(node)) {
    const seq = remember(node, new AstSeq([], start, end, nodeEnd), done);
    for (const item of node.items) seq.items.push(convert(item, doc, done));
    return seq;
  }
  if (isAlias(node)) return aliasNode(node, doc, done, start, end, nodeEnd);
  return null;
}

function remember<T extends AstNode>(libraryNode: unknown, ours: T, done: Converted): T {
  if ((libraryNode as { anchor?: string }).anchor) done.set(libraryNode, ours);
  return ours;
}

/** An alias of a scalar becomes a copy of it at the alias's place; of a collection, an AstAlias pointing at it. */
function aliasNode(node: Alias, doc: Document.Parsed, done: Converted, start: number, end: number, nodeEnd: number): AstNode {
  let target: AstNode | undefined;
  try {
    target = done.get(node.resolve(doc));
  } catch {
    target = undefined; // an unknown anchor: the library reports it as an error
  }
  if (target instanceof AstScalar) {
    return new AstScalar(target.value, false, start, end, nodeEnd, { name: node.source, start: target.start, end: target.end, quoted: target.quoted });
  }
  return new AstAlias(node.source, start, end, nodeEnd, target instanceof AstMap || target instanceof AstSeq ? target : undefined);
}
