// Which blank and comment lines each node of the fast parser (fastParse.ts) owns: its nodeEnd
// must be the library's exactly. The library's token rules are subtle around comments:
//  - a value's nodeEnd (the library's range[2]) runs to the end of its line (spaces, comment,
//    newline) and on over any following comment lines indented deeper than its collection
//    ("absorbed" comments);
//  - the other blank/comment lines before the next content form a "run"; a collection that ends
//    keeps the run (nodeEnd = start of the next content) when its indent is not 0 and one of the
//    run's comments is indented at least as deep as the collection; otherwise its parent may;
//  - an empty value (`key:` / `-`) owns the following gap lines: its nodeEnd is its position,
//    or the end of the gap when the gap holds a comment (the library's `sep` / `start` tokens).
import { COMMENT, CONTENT, SPACE, type Lines } from './fastParseLines';

/** Where the node parsed last left off (every parse step sets these). */
export interface Run {
  /** Index of the next content line (or the line count). */
  next: number;
  /** End of the run of blank/comment lines after the node (the next content offset), or -1. */
  runEnd: number;
  /** Deepest indentation of a comment in that run, or -1. */
  runComment: number;
}

/** A gap token (space, comment or newline) of the lines after an empty value; `end` = offset after it. */
interface Tok { t: 's' | 'c' | 'n'; end: number; indent: number }
export interface Gap { toks: Tok[]; next: number }

/**
 * After an inline value ending its line at `end` (line `li`, in a collection indented `indent`):
 * returns its nodeEnd (the rest of the line, its newline and the absorbed comment lines) and
 * sets `run` to the blank/comment lines after those.
 */
export function afterInline(text: string, lines: Lines, li: number, end: number, indent: number, run: Run): number {
  const { ls, le, lind, lk } = lines;
  const nl = (e: number) => (e < text.length ? e + 1 : e);
  let rangeEnd = nl(end);
  let last = rangeEnd;
  let blocked = false;
  run.runComment = -1;
  let j = li + 1;
  for (; j < lines.count && lk[j] !== CONTENT; j++) {
    last = nl(le[j]);
    if (lk[j] !== COMMENT) continue;
    if (!blocked && lind[j] > indent) rangeEnd = last;
    else {
      blocked = true;
      run.runComment = Math.max(run.runComment, lind[j]);
    }
  }
  if (j < lines.count) last = ls[j] + lind[j];
  run.next = j;
  run.runEnd = last > rangeEnd ? last : -1;
  return rangeEnd;
}

/** Spaces, comments and newlines from offset `from` of line `li` up to the next content. */
export function gapAfter(text: string, lines: Lines, li: number, from: number, inlineIndent: number): Gap {
  const { ls, le, lind, lk } = lines;
  const toks: Tok[] = [];
  let p = from;
  while (p < le[li] && text.charCodeAt(p) === SPACE) p++;
  if (p > from) toks.push({ t: 's', end: p, indent: -1 });
  if (p < le[li]) toks.push({ t: 'c', end: le[li], indent: inlineIndent });
  if (le[li] < text.length) toks.push({ t: 'n', end: le[li] + 1, indent: -1 });
  for (let j = li + 1; j < lines.count; j++) {
    if (lind[j] > 0) toks.push({ t: 's', end: ls[j] + lind[j], indent: -1 });
    if (lk[j] === CONTENT) return { toks, next: j };
    if (lk[j] === COMMENT) toks.push({ t: 'c', end: le[j], indent: lind[j] });
    if (le[j] < text.length) toks.push({ t: 'n', end: le[j] + 1, indent: -1 });
  }
  return { toks, next: lines.count };
}

/**
 * The extent of the empty value of `key:` or `-` (`from` is just after the indicator), given the
 * gap that follows it: its position, its nodeEnd when it differs from that (the gap held a
 * comment), and `run` set. For a key followed by a sibling key (`sibling` = the map's indent, else
 * -1), the library hands the gap's tail after the second newline following the last comment
 * indented deeper than the map over to the sibling. `comment`: a comment precedes a `-` item.
 */
export function emptyExtent(gap: Gap, from: number, sibling: number, comment: boolean, run: Run): { pos: number; nodeEnd?: number } {
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
  run.next = gap.next;
  run.runEnd = cut < toks.length ? toks[toks.length - 1].end : -1;
  run.runComment = -1;
  return { pos, nodeEnd: hasComment ? (cut > 0 ? toks[cut - 1].end : from) : undefined };
}
