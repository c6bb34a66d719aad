// The fast parser's view of the text (fastParse.ts): its lines as parallel arrays (start, end,
// indentation, kind), the `---` marker, and the character codes and one-line syntax checks
// (`- `, `key:`, one-line quoted scalars) every part of the parser shares.

/** Thrown to give up on the fast path; fastParse catches it and returns undefined. */
export const DECLINE = new Error('fastParse: outside the supported subset');
export const decline = (): never => { throw DECLINE; };

export const SPACE = 32, NL = 10, HASH = 35, COLON = 58, DASH = 45, QUESTION = 63, SQUOTE = 39, DQUOTE = 34, BACKSLASH = 92;
/** Line kinds. */
export const BLANK = 0, COMMENT = 1, CONTENT = 2;

/**
 * The lines, as parallel arrays: start offset, end offset (its '\n' or the text end),
 * indentation (leading spaces) and kind; `count` lines. The arrays are shared by every parse
 * (parsing is synchronous) so that a document costs no line arrays of its own.
 */
export interface Lines {
  readonly ls: Int32Array;
  readonly le: Int32Array;
  readonly lind: Int32Array;
  readonly lk: Int32Array;
  readonly count: number;
  /** The first content line, or -1. */
  readonly firstContent: number;
  /** The `---` line, if any, else -1. */
  readonly marker: number;
}

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

/** Cuts `text` into lines; declines a `---`/`...` marker anywhere but before the first content. */
export function scanLines(text: string): Lines {
  const n = text.length;
  const { ls, le, lind, lk } = lineTables(text);
  let count = 0;
  let firstContent = -1;
  let marker = -1;
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
          if (firstContent >= 0 || c !== DASH) decline();
          marker = count;
        }
      }
      if (firstContent < 0) firstContent = count;
    }
    const li = count++;
    ls[li] = start;
    le[li] = end;
    lind[li] = p - start;
    lk[li] = kind;
    start = end + 1;
  }
  return { ls, le, lind, lk, count, firstContent, marker };
}

/** Index of the first content line after line `li` (or the line count). */
export function nextContent(lines: Lines, li: number): number {
  const { lk } = lines;
  let j = li + 1;
  while (j < lines.count && lk[j] !== CONTENT) j++;
  return j;
}

/** `-` followed by a space or the end of the line. */
export function isDash(text: string, p: number): boolean {
  const c = text.charCodeAt(p + 1);
  return text.charCodeAt(p) === DASH && (c === SPACE || c === NL || p + 1 === text.length);
}

/** Position of the `:` ending a key that starts at `p`, or -1 when the line holds no key. */
export function keyColon(text: string, p: number, end: number): number {
  const q = text.charCodeAt(p);
  if (q === DQUOTE || q === SQUOTE) {
    const close = quoteEnd(text, p, end);
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
export function quoteEnd(text: string, p: number, end: number): number {
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
