// Cheap construction of the `yaml` library's node objects, for the fast parser.
//
// The library's constructors mark every node with `Object.defineProperty` (its node type, and a
// collection's schema) and give every Document its own Schema, Directives and options objects:
// on a 10,000-document file that was a third of the parse time and most of the memory the parse
// cache keeps. The classes below build objects that ARE the library's classes to every reader
// (`instanceof Scalar`, `isScalar()`, `toJSON()`, all methods, via the prototype chain) but put the
// node type, the schema and the document's shared parts on their prototypes, once.
//
// Nodes are built by the fast parser only, read by rules, and never mutated or re-serialised
// through the library's document API; test/unit/fastParse.test.ts compares them with the
// library's own output.
//
// A node's `range` is kept as three number fields and handed out as a fresh array on each read:
// a [start, valueEnd, nodeEnd] array per node was a quarter of what the parse cache kept alive,
// and the garbage collector copies all of it while a big file is parsed. The parser sets the
// fields directly (setRange, or r2 when a node turns out to own the lines after it).
import { Document, Pair, Scalar, YAMLMap, YAMLSeq, type ParsedNode, type YAMLError } from 'yaml';

const NODE_TYPE = Symbol.for('yaml.node.type');

/** Options the library would store on each document (the fast path only serves these). */
const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: true, keepSourceTokens: false } as const;

/** A document built the library's way, whose schema, options and directives defaults we share. */
const template = new Document(undefined, PARSE_OPTIONS);
export const SHARED_SCHEMA = template.schema;
export const SHARED_OPTIONS = template.options;

/** Puts `type` (and any shared fields) on a fast class's prototype and chains it to `base`. */
function inherit(cls: { prototype: object }, base: { prototype: object }, type: symbol | undefined, shared: Record<string, unknown> = {}): void {
  Object.setPrototypeOf(cls.prototype, base.prototype);
  if (type) Object.defineProperty(cls.prototype, NODE_TYPE, { value: type });
  for (const [k, v] of Object.entries(shared)) Object.defineProperty(cls.prototype, k, { value: v, writable: true, configurable: true });
}

/** What every fast node has: its range as three numbers. */
interface Ranged {
  r0: number;
  r1: number;
  r2: number;
}
const rangeAccessor = {
  get(this: Ranged): [number, number, number] { return [this.r0, this.r1, this.r2]; },
  set(this: Ranged, r: [number, number, number]) { this.r0 = r[0]; this.r1 = r[1]; this.r2 = r[2]; },
  configurable: true,
};

class FastScalar implements Ranged {
  r0: number;
  r1: number;
  r2: number;
  source: string;
  type: Scalar.Type;
  declare format?: string;
  declare minFractionDigits?: number;
  constructor(public value: unknown, start: number, end: number, source: string, type: Scalar.Type) {
    this.r0 = start;
    this.r1 = this.r2 = end;
    this.source = source;
    this.type = type;
  }
}

/** A block mapping or sequence: the same fields; each gets its own class (and prototype chain). */
const collectionClass = () => class implements Ranged {
  r0 = 0;
  r1 = 0;
  r2 = 0;
  items: unknown[] = [];
  declare flow?: boolean;
};
const FastMap = collectionClass();
const FastSeq = collectionClass();

// The prototype chains: FastScalar.prototype -> Scalar.prototype, and so on.
inherit(FastScalar, Scalar, Symbol.for('yaml.scalar'));
inherit(FastMap, YAMLMap, Symbol.for('yaml.map'), { schema: SHARED_SCHEMA });
inherit(FastSeq, YAMLSeq, Symbol.for('yaml.seq'), { schema: SHARED_SCHEMA });
for (const cls of [FastScalar, FastMap, FastSeq]) Object.defineProperty(cls.prototype, 'range', rangeAccessor);

class FastPair {
  constructor(public key: unknown, public value: unknown) {}
}
inherit(FastPair, Pair, Symbol.for('yaml.pair'));

/**
 * A parsed document. Its Directives object (which only says whether the document started with
 * `---`) is made on first use: rules never ask, so most documents never pay for it.
 */
class FastDocument {
  commentBefore = null;
  comment = null;
  errors: YAMLError[] = [];
  warnings: YAMLError[] = [];
  contents: ParsedNode | null = null;
  range: [number, number, number] = [0, 0, 0];
  private ownDirectives: Document['directives'] | undefined = undefined;
  constructor(private readonly docStart: boolean) {}
  get directives(): Document['directives'] {
    if (!this.ownDirectives) {
      this.ownDirectives = template.directives!.atDocument();
      if (this.docStart) this.ownDirectives.docStart = true;
    }
    return this.ownDirectives;
  }
  set directives(d: Document['directives']) {
    this.ownDirectives = d;
  }
}
inherit(FastDocument, Document, Symbol.for('yaml.document'), { schema: SHARED_SCHEMA, options: SHARED_OPTIONS });

/** A node the fast parser built (all of them are). */
export type FastNode = Ranged & ParsedNode;

export const newScalar = (value: unknown, start: number, end: number, source: string, type: Scalar.Type): Scalar.Parsed & FastNode =>
  new FastScalar(value, start, end, source, type) as unknown as Scalar.Parsed & FastNode;
export const newMap = (): YAMLMap.Parsed & FastNode => new FastMap() as unknown as YAMLMap.Parsed & FastNode;
export const newSeq = (): YAMLSeq.Parsed & FastNode => new FastSeq() as unknown as YAMLSeq.Parsed & FastNode;
export function setRange(node: FastNode, start: number, valueEnd: number, nodeEnd: number): void {
  node.r0 = start;
  node.r1 = valueEnd;
  node.r2 = nodeEnd;
}
export const newPair = (key: unknown, value: unknown): Pair<ParsedNode, ParsedNode | null> =>
  new FastPair(key, value) as unknown as Pair<ParsedNode, ParsedNode | null>;
export const newDocument = (docStart: boolean): Document.Parsed => new FastDocument(docStart) as unknown as Document.Parsed;
