// A fast parser for the plain subset of YAML that Kubernetes manifests use (block mappings,
// block sequences, plain and simple quoted scalars, comments). It builds our tree (ast.ts) with
// exactly what the library's parse converted into it gives (values, offsets, duplicate-key
// errors), so rules cannot tell the two paths apart; it returns undefined for anything outside
// the subset and the caller then uses the library (libraryParse.ts). test/unit/fastParse.test.ts
// checks the equality on fixtures, bench documents and random documents.
//
// Its parts: fastParseLines.ts (the lines and one-line syntax), fastParseComments.ts (which
// blank and comment lines each node owns, the subtle part), and here the collections and the
// scalars (resolved through the library's own core schema tags).
import { Document, isScalar as isLibraryScalar, type ScalarTag } from 'yaml';
import { AstMap, AstScalar, AstSeq, isScalar, type AstDocument, type AstError, type AstNode, type AstPair, type ScalarValue } from './ast';
import { afterInline, emptyExtent, gapAfter, type Gap, type Run } from './fastParseComments';
import {
  COLON, DASH, DECLINE, decline, DQUOTE, HASH, isDash, keyColon, type Lines, nextContent, QUESTION, quoteEnd, scanLines,
  SPACE, SQUOTE,
} from './fastParseLines';
import { PARSE_OPTIONS } from './libraryParse';

// The core schema's scalar tags, in the library's own order: plain scalars resolve through them
// exactly as the library does (its public Schema and ScalarTag API).
const CORE = new Document(undefined, PARSE_OPTIONS);
type TestedTag = ScalarTag & { test: RegExp };
const TAGS = CORE.schema.tags.filter((t): t is TestedTag => 'test' in t && t.test instanceof RegExp);

const charTable = (chars: string) => {
  const t = new Uint8Array(128);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  return t;
};
/** Characters that cannot start a plain scalar (`-`, `?`, `:` can, when followed by a non-space). */
const NOT_PLAIN_START = charTable(',[]{}#&*!|>\'"%@`');
/** Only plain scalars starting with one of these can match a non-string tag (see the regexes). */
const TYPED_START = charTable('~nNtTfF.+-0123456789');
/** Cheap exclusions before the core schema's regexes: most plain scalars in manifests are words
 * (`name`, `network.kubesphere.io/v1alpha2`) or addresses (`10.0.0.0/24`) that no tag can match. */
function mayBeTyped(src: string, c: number): boolean {
  switch (c) {
    case 110: case 78: return src === 'null' || src === 'Null' || src === 'NULL' || src === 'n'; // n N
    case 116: case 84: return src === 'true' || src === 'True' || src === 'TRUE'; // t T
    case 102: case 70: return src === 'false' || src === 'False' || src === 'FALSE'; // f F
    default: return !/[^0-9a-fA-FoOxX._+\-~]/.test(src) || src.length <= 5; // digits, signs, dots, .inf/.nan
  }
}

/** Characters we do not handle anywhere in the text (tabs, CR, BOM, control characters). */
const UNSUPPORTED = /[\x00-\x09\x0b-\x1f\x7f\ufeff\u0085\u2028\u2029]/;

/** The parse cache keeps every node alive: an array grown by push holds room for 16 more items. */
const exact = <T>(items: T[]): T[] => (items.length < 16 ? items.slice() : items);

export function fastParse(text: string): AstDocument | undefined {
  if (UNSUPPORTED.test(text)) return undefined;
  try {
    return new FastParser(text).document();
  } catch (err) {
    // Nesting deep enough to exhaust the stack: the library (and its caller) decide.
    if (err === DECLINE || err instanceof RangeError) return undefined;
    throw err;
  }
}

class FastParser implements Run {
  // The line arrays of `lines` (fastParseLines.ts), read on every step.
  private readonly ls: Int32Array;
  private readonly le: Int32Array;
  private readonly lind: Int32Array;
  private readonly lines: Lines;
  private readonly count: number;
  private readonly errors: AstError[] = [];

  // Where the node parsed last left off (Run, fastParseComments.ts): every parse method sets them.
  next = 0;
  runEnd = -1;
  runComment = -1;

  constructor(private readonly text: string) {
    const lines = scanLines(text);
    this.lines = lines;
    this.ls = lines.ls;
    this.le = lines.le;
    this.lind = lines.lind;
    this.count = lines.count;
  }

  document(): AstDocument {
    const { text, ls, le } = this;
    let first = this.lines.firstContent;
    if (first < 0) decline(); // empty documents are rare and cheap: the library handles them
    const docStart = ls[first];
    if (first === this.lines.marker) {
      // `---` alone (or with a comment) on its line; content after it on that line is not ours.
      let p = docStart + 3;
      while (p < le[first] && text.charCodeAt(p) === SPACE) p++;
      if (p < le[first] && text.charCodeAt(p) !== HASH) decline();
      first = nextContent(this.lines, first);
      if (first >= this.count) decline();
    }
    const root = this.block(first, -1);
    if (this.next < this.count) decline(); // content left at a lower indentation than the root
    return { contents: root, errors: this.errors };
  }

  /** A block collection starting at the content of line `li`, indented deeper than `parent`. */
  private block(li: number, parent: number): AstMap | AstSeq {
    if (this.lind[li] <= parent) decline();
    const col = this.ls[li] + this.lind[li];
    if (isDash(this.text, col)) return this.seq(li);
    if (keyColon(this.text, col, this.le[li]) < 0) decline(); // a scalar on a line of its own
    return this.map(li, col);
  }

  /** A block mapping whose first key starts at offset `col` of line `li`. */
  private map(li: number, col: number): AstMap {
    const { ls, le, lind, text } = this;
    const count = this.count;
    const n = col - ls[li]; // the mapping's indentation
    const pairs: AstPair[] = [];
    const first = col;
    let prevEnd = col;
    let leading = false; // whether tokens precede the key (they end at the key)
    for (;;) {
      const end = le[li];
      const colon = keyColon(text, col, end);
      if (colon < 0) decline();
      const key = this.key(col, colon);
      for (const pair of pairs) {
        if (isScalar(pair.key) && pair.key.value === key.value) {
          // The library reports at the end of the key's leading tokens: the key itself, or the
          // previous value's end when those tokens all went to that value.
          const at = leading ? col : prevEnd;
          this.errors.push({ code: 'DUPLICATE_KEY', message: 'Map keys must be unique', pos: [at, at + 1] });
          break;
        }
      }
      let p = colon + 1;
      while (p < end && text.charCodeAt(p) === SPACE) p++;
      let value: AstNode;
      if (p < end && text.charCodeAt(p) !== HASH) value = this.inline(li, p, n);
      else {
        const nx = nextContent(this.lines, li);
        if (nx < count && (lind[nx] > n || (lind[nx] === n && isDash(this.text, ls[nx] + n)))) value = this.block(nx, n - 1);
        else value = this.empty(gapAfter(this.text, this.lines, li, colon + 1, n), colon + 1, nx < count && lind[nx] === n ? n : -1, false);
      }
      pairs.push({ key, value });
      prevEnd = value.nodeEnd;
      const next = this.next;
      if (next >= count || lind[next] < n) break;
      if (lind[next] > n || isDash(this.text, ls[next] + n)) decline();
      leading = this.runEnd >= 0;
      li = next;
      col = ls[li] + n;
    }
    const map = new AstMap(exact(pairs), first, prevEnd, prevEnd);
    this.keep(map, n);
    return map;
  }

  /** A block sequence whose first `-` starts line `li`. */
  private seq(li: number): AstSeq {
    const { ls, le, lind, text } = this;
    const count = this.count;
    const n = lind[li];
    const items: AstNode[] = [];
    const first = ls[li] + n;
    let prevEnd = first;
    let preComment = false; // a comment in the run before this item's `-`
    for (;;) {
      const end = le[li];
      const dash = ls[li] + n;
      let p = dash + 1;
      while (p < end && text.charCodeAt(p) === SPACE) p++;
      let value: AstNode;
      if (p < end && text.charCodeAt(p) !== HASH) {
        if (isDash(this.text, p)) decline(); // `- - x`
        value = keyColon(text, p, end) >= 0 ? this.map(li, p) : this.inline(li, p, n);
      } else {
        const nx = nextContent(this.lines, li);
        if (nx < count && lind[nx] > n) value = this.block(nx, n);
        else value = this.empty(gapAfter(this.text, this.lines, li, dash + 1, n), dash + 1, -1, preComment);
      }
      items.push(value);
      prevEnd = value.nodeEnd;
      const next = this.next;
      if (next >= count || lind[next] < n) break;
      if (lind[next] > n) decline();
      if (!isDash(this.text, ls[next] + n)) break; // a key at our indentation: the parent map's
      preComment = this.runEnd >= 0 && this.runComment >= 0;
      li = next;
    }
    const seq = new AstSeq(exact(items), first, prevEnd, prevEnd);
    this.keep(seq, n);
    return seq;
  }

  /** A collection ends: it keeps the trailing run when the library would (see the header). */
  private keep(node: AstMap | AstSeq, indent: number): void {
    if (this.runEnd < 0 || indent === 0 || this.runComment < indent) return;
    node.nodeEnd = this.runEnd;
    this.runEnd = this.runComment = -1;
  }

  /** The key scalar from `col` to its `:` (plain or quoted, on one line). */
  private key(col: number, colon: number): AstScalar {
    const { text } = this;
    const c = text.charCodeAt(col);
    if (c === DQUOTE || c === SQUOTE) return this.quoted(col, colon);
    // Leave to the library: indicators, `:` inside keys, `<<`, spaces before `:`, very long keys.
    if (colon === col || (c < 128 && NOT_PLAIN_START[c]) || ((c === DASH || c === QUESTION || c === COLON) && text.charCodeAt(col + 1) === SPACE)) decline();
    if (text.charCodeAt(colon - 1) === SPACE || colon - col > 1000) decline();
    const src = text.slice(col, colon);
    if (src.includes(':') || src === '<<') decline();
    return this.plain(src, col, colon);
  }

  /** A scalar or empty flow collection written after `key: ` or `- ` on line `li`, at `p`. */
  private inline(li: number, p: number, indent: number): AstNode {
    const { text, le } = this;
    const end = le[li];
    const c = text.charCodeAt(p);
    let vEnd: number;
    let node: AstNode;
    if (c === SQUOTE || c === DQUOTE) {
      vEnd = quoteEnd(text, p, end);
      node = this.quoted(p, vEnd);
    } else if ((c === 91 && text.charCodeAt(p + 1) === 93) || (c === 123 && text.charCodeAt(p + 1) === 125)) {
      vEnd = p + 2; // `[]` or `{}`
      node = c === 91 ? new AstSeq([], p, vEnd, vEnd) : new AstMap([], p, vEnd, vEnd);
    } else {
      if ((c < 128 && NOT_PLAIN_START[c]) || ((c === DASH || c === QUESTION || c === COLON) && (p + 1 === end || text.charCodeAt(p + 1) === SPACE))) decline();
      vEnd = p;
      for (let i = p; i < end; i++) {
        const ch = text.charCodeAt(i);
        if (ch === HASH && text.charCodeAt(i - 1) === SPACE) break;
        if (ch === COLON && (i + 1 === end || text.charCodeAt(i + 1) === SPACE)) decline(); // `a: b: c`
        if (ch !== SPACE) vEnd = i + 1;
      }
      node = this.plain(text.slice(p, vEnd), p, vEnd);
    }
    // After the value: spaces, then a comment (after a space) or the end of the line.
    let q = vEnd;
    while (q < end && text.charCodeAt(q) === SPACE) q++;
    if (q < end && (text.charCodeAt(q) !== HASH || q === vEnd)) decline();

    node.nodeEnd = afterInline(text, this.lines, li, end, indent, this);
    return node;
  }

  /** The empty value of `key:` or `-` (`from` is just after the indicator): see emptyExtent. */
  private empty(gap: Gap, from: number, sibling: number, comment: boolean): AstScalar {
    const { pos, nodeEnd } = emptyExtent(gap, from, sibling, comment, this);
    const node = this.plain('', pos, pos);
    if (nodeEnd !== undefined) node.nodeEnd = nodeEnd;
    return node;
  }

  /** A plain scalar, resolved through the core schema's tags like the library does. */
  private plain(src: string, start: number, end: number): AstScalar {
    let value: unknown = src;
    const c = src.charCodeAt(0);
    if (src === '' || (c < 128 && TYPED_START[c] && mayBeTyped(src, c))) {
      for (const tag of TAGS) {
        if (tag.test.test(src)) {
          value = tag.resolve(src, decline, CORE.options);
          break;
        }
      }
    }
    // The null, bool and float tags wrap their value in a library node.
    if (isLibraryScalar(value)) value = value.value;
    return new AstScalar(value as ScalarValue, false, start, end, end);
  }

  /** A one-line quoted scalar from `p` to `close` (just after the closing quote). */
  private quoted(p: number, close: number): AstScalar {
    const single = this.text.charCodeAt(p) === SQUOTE;
    const inner = this.text.slice(p + 1, close - 1);
    return new AstScalar(single ? inner.replace(/''/g, "'") : inner, true, p, close, close);
  }
}
