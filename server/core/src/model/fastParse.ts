// A fast parser for the plain subset of YAML that Kubernetes manifests use (block mappings,
// block sequences, plain and simple quoted scalars, comments). It builds our tree (ast.ts) with
// exactly what the library's parse converted into it gives (values, offsets, duplicate-key
// errors), so rules cannot tell the two paths apart; it returns undefined for anything outside
// the subset and the caller then uses the library (libraryParse.ts). test/unit/fastParse.test.ts
// checks the equality on fixtures, bench documents and random documents.
//
// The offsets follow the library's token rules, which are subtle around comments:
//  - a value's nodeEnd (the library's range[2]) runs to the end of its line (spaces, comment,
//    newline) and on over any following comment lines indented deeper than its collection
//    ("absorbed" comments);
//  - the other blank/comment lines before the next content form a "run"; a collection that ends
//    keeps the run (nodeEnd = start of the next content) when its indent is not 0 and one of the
//    run's comments is indented at least as deep as the collection; otherwise its parent may;
//  - an empty value (`key:` / `-`) owns the following gap lines: its nodeEnd is its position,
//    or the end of the gap when the gap holds a comment (the library's `sep` / `start` tokens).
import { Document, isScalar as isLibraryScalar, type ScalarTag } from 'yaml';
import { AstMap, AstScalar, AstSeq, isScalar, type AstDocument, type AstError, type AstNode, type AstPair, type ScalarValue } from './ast';
import { PARSE_OPTIONS } from './libraryParse';

/** Thrown to give up on the fast path; fastParse catches it and returns undefined. */
const DECLINE = new Error('fastParse: outside the supported subset');
const decline = (): never => { throw DECLINE; };

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
const SPACE = 32, NL = 10, HASH = 35, COLON = 58, DASH = 45, QUESTION = 63, SQUOTE = 39, DQUOTE = 34, BACKSLASH = 92;
/** Line kinds. */
const BLANK = 0, COMMENT = 1, CONTENT = 2;

/** A gap token (space, comment or newline) of the lines after an empty value; `end` = offset after it. */
interface Tok { t: 's' | 'c' | 'n'; end: number; indent: number }
interface Gap { toks: Tok[]; next: number }

/** The parse cache keeps every node alive: an array grown by push holds room for 16 more items. */
const exact = <T>(items: T[]): T[] => (items.length < 16 ? items.slice() : items);

/** The shared line tables, grown to fit the text (a document has at most one line per character). */
let tables = { ls: new Int32Array(256), le: new Int32Array(256), lind: new Int32Array(256), lk: new Int32Array(256) };
function lineTables(text: string) {
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  const make = (size: number) => ({ ls: new Int32Array(size), le: new Int32Array(size), lind: new Int32Array(size), lk: new Int32Array(size) });
  if (lines > 65_536) return make(lines); // a rare giant document: not kept for the next parse
  if (tables.ls.length < lines) tables = make(Math.max(lines, tables.ls.length * 2));
  return tables;
}

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

class FastParser {
  // The lines, as parallel arrays: start offset, end offset (its '\n' or the text end),
  // indentation (leading spaces) and kind; `count` lines. The arrays are shared by every parse
  // (parsing is synchronous) so that a document costs no line arrays of its own.
  private readonly ls: Int32Array;
  private readonly le: Int32Array;
  private readonly lind: Int32Array;
  private readonly lk: Int32Array;
  private count = 0;
  private firstContent = -1;
  private marker = -1; // the `---` line, if any
  private readonly errors: AstError[] = [];

  // Where the node parsed last left off (every parse method sets these, see the header):
  /** Index of the next content line (or the line count). */
  private next = 0;
  /** End of the run of blank/comment lines after the node (the next content offset), or -1. */
  private runEnd = -1;
  /** Deepest indentation of a comment in that run, or -1. */
  private runComment = -1;

  constructor(private readonly text: string) {
    const n = text.length;
    const lines = lineTables(text);
    this.ls = lines.ls;
    this.le = lines.le;
    this.lind = lines.lind;
    this.lk = lines.lk;
    for (let start = 0; start <= n;) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = n;
      let p = start;
      while (p < end && text.charCodeAt(p) === SPACE) p++;
      const kind = p === end ? BLANK : text.charCodeAt(p) === HASH ? COMMENT : CONTENT;
      if (kind === CONTENT) {
        // `---` / `...` at column 0: only a leading `---` is ours (documents are split on them).
        const c = text.charCodeAt(p);
        if (p === start && (c === DASH || c === 46) && (text.startsWith('---', p) || text.startsWith('...', p))) {
          const after = text.charCodeAt(p + 3);
          if (after === SPACE || after === NL || p + 3 === n) {
            if (this.firstContent >= 0 || c !== DASH) decline();
            this.marker = this.count;
          }
        }
        if (this.firstContent < 0) this.firstContent = this.count;
      }
      const li = this.count++;
      this.ls[li] = start;
      this.le[li] = end;
      this.lind[li] = p - start;
      this.lk[li] = kind;
      start = end + 1;
    }
  }

  document(): AstDocument {
    const { text, ls, le } = this;
    let first = this.firstContent;
    if (first < 0) decline(); // empty documents are rare and cheap: the library handles them
    const docStart = ls[first];
    if (first === this.marker) {
      // `---` alone (or with a comment) on its line; content after it on that line is not ours.
      let p = docStart + 3;
      while (p < le[first] && text.charCodeAt(p) === SPACE) p++;
      if (p < le[first] && text.charCodeAt(p) !== HASH) decline();
      first = this.nextContent(first);
      if (first >= this.count) decline();
    }
    const root = this.block(first, -1);
    if (this.next < this.count) decline(); // content left at a lower indentation than the root
    return { contents: root, errors: this.errors };
  }

  /** Index of the first content line after line `li` (or the line count). */
  private nextContent(li: number): number {
    const { lk } = this;
    let j = li + 1;
    while (j < this.count && lk[j] !== CONTENT) j++;
    return j;
  }

  /** A block collection starting at the content of line `li`, indented deeper than `parent`. */
  private block(li: number, parent: number): AstMap | AstSeq {
    if (this.lind[li] <= parent) decline();
    const col = this.ls[li] + this.lind[li];
    if (this.isDash(col)) return this.seq(li);
    if (this.keyColon(col, this.le[li]) < 0) decline(); // a scalar on a line of its own
    return this.map(li, col);
  }

  /** `-` followed by a space or the end of the line. */
  private isDash(p: number): boolean {
    const c = this.text.charCodeAt(p + 1);
    return this.text.charCodeAt(p) === DASH && (c === SPACE || c === NL || p + 1 === this.text.length);
  }

  /** Position of the `:` ending a key that starts at `p`, or -1 when the line holds no key. */
  private keyColon(p: number, end: number): number {
    const { text } = this;
    const q = text.charCodeAt(p);
    if (q === DQUOTE || q === SQUOTE) {
      const close = this.quoteEnd(p, end);
      return text.charCodeAt(close) === COLON && (close + 1 === end || text.charCodeAt(close + 1) === SPACE) ? close : -1;
    }
    for (let i = p; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === HASH && text.charCodeAt(i - 1) === SPACE) return -1;
      if (c === COLON && (i + 1 === end || text.charCodeAt(i + 1) === SPACE)) return i;
    }
    return -1;
  }

  /** Offset just after the closing quote of a one-line quoted scalar at `p`. */
  private quoteEnd(p: number, end: number): number {
    const { text } = this;
    const q = text.charCodeAt(p);
    for (let i = p + 1; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === BACKSLASH && q === DQUOTE) decline(); // escapes: left to the library
      if (c === q) {
        if (q === SQUOTE && text.charCodeAt(i + 1) === SQUOTE) { i++; continue; } // '' is an escaped quote
        return i + 1;
      }
    }
    return decline(); // multi-line quoted scalar
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
      const colon = this.keyColon(col, end);
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
        const nx = this.nextContent(li);
        if (nx < count && (lind[nx] > n || (lind[nx] === n && this.isDash(ls[nx] + n)))) value = this.block(nx, n - 1);
        else value = this.empty(this.gap(li, colon + 1, n), colon + 1, nx < count && lind[nx] === n ? n : -1, false);
      }
      pairs.push({ key, value });
      prevEnd = value.nodeEnd;
      const next = this.next;
      if (next >= count || lind[next] < n) break;
      if (lind[next] > n || this.isDash(ls[next] + n)) decline();
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
        if (this.isDash(p)) decline(); // `- - x`
        value = this.keyColon(p, end) >= 0 ? this.map(li, p) : this.inline(li, p, n);
      } else {
        const nx = this.nextContent(li);
        if (nx < count && lind[nx] > n) value = this.block(nx, n);
        else value = this.empty(this.gap(li, dash + 1, n), dash + 1, -1, preComment);
      }
      items.push(value);
      prevEnd = value.nodeEnd;
      const next = this.next;
      if (next >= count || lind[next] < n) break;
      if (lind[next] > n) decline();
      if (!this.isDash(ls[next] + n)) break; // a key at our indentation: the parent map's
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
    const { text, ls, le, lind, lk } = this;
    const end = le[li];
    const c = text.charCodeAt(p);
    let vEnd: number;
    let node: AstNode;
    if (c === SQUOTE || c === DQUOTE) {
      vEnd = this.quoteEnd(p, end);
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

    // nodeEnd runs over the rest of the line, its newline, and the following comment lines
    // indented deeper than the collection; the blank/comment lines after those form the run.
    const nl = (e: number) => (e < text.length ? e + 1 : e);
    let rangeEnd = nl(end);
    let last = rangeEnd;
    let blocked = false;
    this.runComment = -1;
    let j = li + 1;
    for (; j < this.count && lk[j] !== CONTENT; j++) {
      last = nl(le[j]);
      if (lk[j] !== COMMENT) continue;
      if (!blocked && lind[j] > indent) rangeEnd = last;
      else {
        blocked = true;
        this.runComment = Math.max(this.runComment, lind[j]);
      }
    }
    if (j < this.count) last = ls[j] + lind[j];
    node.nodeEnd = rangeEnd;
    this.next = j;
    this.runEnd = last > rangeEnd ? last : -1;
    return node;
  }

  /**
   * The empty value of `key:` or `-` (`from` is just after the indicator), given the gap that
   * follows it. For a key followed by a sibling key (`sibling` = the map's indent, else -1), the
   * library hands the gap's tail after the second newline following the last comment indented
   * deeper than the map over to the sibling. `comment`: a comment precedes a `-` item.
   */
  private empty(gap: Gap, from: number, sibling: number, comment: boolean): AstScalar {
    const { toks } = gap;
    const pos = toks.length > 0 && toks[0].t === 's' ? toks[0].end : from;
    let cut = toks.length;
    if (sibling >= 0) {
      const nl: number[] = [];
      toks.forEach((t, i) => {
        if (t.t === 'n') nl.push(i);
        else if (t.t === 'c' && t.indent > sibling) nl.length = 0;
      });
      if (nl.length >= 2) cut = nl[1];
    }
    let hasComment = comment;
    for (let i = 0; i < cut; i++) if (toks[i].t === 'c') hasComment = true;
    const node = this.plain('', pos, pos);
    if (hasComment) node.nodeEnd = cut > 0 ? toks[cut - 1].end : from;
    this.next = gap.next;
    this.runEnd = cut < toks.length ? toks[toks.length - 1].end : -1;
    this.runComment = -1;
    return node;
  }

  /** Spaces, comments and newlines from offset `from` of line `li` up to the next content. */
  private gap(li: number, from: number, inlineIndent: number): Gap {
    const { ls, le, lind, lk, text } = this;
    const toks: Tok[] = [];
    let p = from;
    while (p < le[li] && text.charCodeAt(p) === SPACE) p++;
    if (p > from) toks.push({ t: 's', end: p, indent: -1 });
    if (p < le[li]) toks.push({ t: 'c', end: le[li], indent: inlineIndent });
    if (le[li] < text.length) toks.push({ t: 'n', end: le[li] + 1, indent: -1 });
    for (let j = li + 1; j < this.count; j++) {
      if (lind[j] > 0) toks.push({ t: 's', end: ls[j] + lind[j], indent: -1 });
      if (lk[j] === CONTENT) return { toks, next: j };
      if (lk[j] === COMMENT) toks.push({ t: 'c', end: le[j], indent: lind[j] });
      if (le[j] < text.length) toks.push({ t: 'n', end: le[j] + 1, indent: -1 });
    }
    return { toks, next: this.count };
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
