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

/** Where the scalar an alias repeats was written: `&name value`. */
export interface AnchorRef {
  name: string;
  /** The anchored scalar's own offsets and quoting (not the `&name`). */
  start: number;
  end: number;
  quoted: boolean;
}

export class AstScalar {
  constructor(
    public value: ScalarValue,
    /** Written in single or double quotes (its characters are then inside start+1..end-1). */
    public quoted: boolean,
    public start: number,
    public end: number,
    public nodeEnd: number,
    /**
     * Set on an alias of a scalar (`*name`): the scalar then has the anchored value but the
     * alias's offsets (so problems land on the use), and this says where the value was written.
     */
    public anchor?: AnchorRef,
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

/**
 * `*name` of a mapping or sequence (an alias of a scalar becomes an AstScalar with `anchor`):
 * kept as written, never expanded, so an alias bomb stays one node. `target` is the anchored
 * node; the tree helpers (resource.ts) step through it when they look up a path, one step per
 * path element, so a cycle (`&a [*a]`) cannot loop them. Tree walks do not follow it.
 */
export class AstAlias {
  constructor(public name: string, public start: number, public end: number, public nodeEnd: number, public target?: AstMap | AstSeq) {}
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

/** The mapping or sequence an alias stands for; any other node as it is. */
export function deref(n: AstNode | null | undefined): AstNode | null | undefined {
  return n instanceof AstAlias ? n.target ?? n : n;
}

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
