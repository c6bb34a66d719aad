// Our own YAML tree: what the rules and editor features read, and nothing more. The fast parser
// (fastParse.ts) builds it directly; documents it declines are parsed by the `yaml` library and
// converted (libraryParse.ts). Only those two files know the library: rules and features depend
// on this file alone (eslint.config.mjs enforces it), so the library can change underneath them.
//
// Offsets are relative to the document's text. Every node has three:
//  - `start`: its first character;
//  - `end`: just after its last character (a quoted scalar's closing quote included);
//  - `nodeEnd`: after what the node owns beyond that: the rest of its line, trailing comments and
//    blank lines, by the `yaml` library's rules (its `range[2]`). Only the fix that removes a
//    whole block (status-ignored) reads it.
// Nodes are classes (not tagged objects) because the parse cache keeps every node of every
// open document: the class is the type tag, at no cost per node.

export type ScalarValue = string | number | boolean | null;

export class AstScalar {
  constructor(
    public value: ScalarValue,
    /** Written in single or double quotes (its characters are then inside start+1..end-1). */
    public quoted: boolean,
    public start: number,
    public end: number,
    public nodeEnd: number,
  ) {}
}

export interface AstPair {
  /** Usually a scalar (an empty `: v` key is a null scalar); any node for `? [a, b]`. */
  key: AstNode | null;
  /** Null for an explicit key without a value (`? key`). */
  value: AstNode | null;
}

export class AstMap {
  constructor(public pairs: AstPair[], public start: number, public end: number, public nodeEnd: number) {}
}

export class AstSeq {
  constructor(public items: (AstNode | null)[], public start: number, public end: number, public nodeEnd: number) {}
}

/** `*name`: kept as written, never expanded (an alias bomb stays one node). */
export class AstAlias {
  constructor(public name: string, public start: number, public end: number, public nodeEnd: number) {}
}

export type AstNode = AstScalar | AstMap | AstSeq | AstAlias;

/** A syntax error or duplicate key, as the parser reported it (offsets in the document). */
export interface AstError {
  /** The `yaml` library's error code, e.g. DUPLICATE_KEY, BAD_INDENT. */
  code: string;
  message: string;
  pos: [number, number];
}

export interface AstDocument {
  contents: AstNode | null;
  errors: AstError[];
}

export const isScalar = (n: unknown): n is AstScalar => n instanceof AstScalar;
export const isMap = (n: unknown): n is AstMap => n instanceof AstMap;
export const isSeq = (n: unknown): n is AstSeq => n instanceof AstSeq;
export const isAlias = (n: unknown): n is AstAlias => n instanceof AstAlias;

/**
 * A node as plain data, for comparing two subtrees (e.g. node selectors): what the `yaml`
 * library's `node.toJSON()` gives without a document. Map keys become strings (null: '',
 * collections: their JSON), aliases `{ source: name }`.
 */
export function toPlain(node: AstNode | null): unknown {
  if (node === null) return null;
  if (isScalar(node)) return node.value;
  if (isSeq(node)) return node.items.map(toPlain);
  if (isAlias(node)) return { source: node.name };
  const out: Record<string, unknown> = {};
  for (const { key, value } of node.pairs) {
    const k = toPlain(key);
    const name = k === null ? '' : typeof k === 'object' ? JSON.stringify(k) : String(k);
    // defineProperty: a key such as `__proto__` becomes an own field, not the prototype.
    if (name in out) Object.defineProperty(out, name, { value: toPlain(value), writable: true, enumerable: true, configurable: true });
    else out[name] = toPlain(value);
  }
  return out;
}
