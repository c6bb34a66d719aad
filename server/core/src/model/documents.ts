// Splits a YAML file into its documents and parses each one, with a cache keyed by the
// document's own text: a keystroke re-parses only the document it lands in.
import type { AstDocument, AstError } from './ast';
import { fastParse } from './fastParse';
import { parseWithLibrary } from './libraryParse';
import type { DocMemo } from './resource';

export interface ParsedDoc {
  /** Position of the document in the file (0-based). */
  index: number;
  /** Offset of the document's first character in the file. */
  offset: number;
  /** The document's text (offsets of `doc` nodes are relative to it). */
  text: string;
  doc: AstDocument;
  errors: AstError[];
  /** Set when the document could not be parsed at all (too deep, too large): the reason. */
  failure?: string;
  /** What later stages derived from this document's text, kept with it in the parse cache. */
  memo: DocMemo;
}

/** Documents larger than this are reported, not parsed (the rest of the file still is). */
export const MAX_DOC_BYTES = 2_000_000;

const MARKER = /^(---|\.\.\.)(?=[ \t\r\n]|$)/;

/** Cuts a file into document texts at `---` / `...` lines (column 0, as YAML defines them). */
export function splitDocuments(text: string): { offset: number; text: string }[] {
  const out: { offset: number; text: string }[] = [];
  let start = 0;
  let pos = 0;
  const n = text.length;
  while (pos <= n) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = n;
    const c = text.charCodeAt(pos);
    if (pos > start && (c === 45 /* - */ || c === 46 /* . */)) {
      if (MARKER.test(text.slice(pos, Math.min(eol, pos + 4)))) {
        out.push({ offset: start, text: text.slice(start, pos) });
        start = pos;
      }
    }
    pos = eol + 1;
  }
  out.push({ offset: start, text: text.slice(start) });
  return out;
}

interface CacheEntry {
  doc: AstDocument;
  errors: AstError[];
  failure?: string;
  memo: DocMemo;
}

/** A bounded parse cache shared by every file; entries keyed by document text. */
export class ParseCache {
  private map = new Map<string, CacheEntry>();
  constructor(private readonly capacity = 50_000) {}

  get(text: string): CacheEntry {
    let e = this.map.get(text);
    if (e) return e;
    e = parseOne(text);
    // Insertion order approximates age; when full, drop the oldest quarter in one go.
    if (this.map.size >= this.capacity) {
      let drop = this.capacity >> 2;
      for (const k of this.map.keys()) {
        this.map.delete(k);
        if (--drop <= 0) break;
      }
    }
    this.map.set(text, e);
    return e;
  }
}

function parseOne(text: string): CacheEntry {
  if (text.length > MAX_DOC_BYTES) {
    return { doc: emptyDocument(), errors: [], failure: `this YAML document is ${text.length} characters long; documents over ${MAX_DOC_BYTES} are not checked`, memo: {} };
  }
  try {
    // The common Kubernetes subset takes a fast path that builds the same tree as the library's
    // converted output; anything else (anchors, block scalars, flow collections, syntax errors,
    // ...) goes to the library.
    const doc = fastParse(text) ?? parseWithLibrary(text);
    return { doc, errors: doc.errors.length ? [...doc.errors] : NO_ERRORS, memo: {} };
  } catch (err) {
    // The yaml parser recurses on nesting; pathological input can exhaust the stack.
    return { doc: emptyDocument(), errors: [], memo: {}, failure: `this YAML document could not be parsed (${(err as Error).message.slice(0, 80)}); is it nested too deeply?` };
  }
}

const emptyDocument = (): AstDocument => ({ contents: null, errors: [] });
const NO_ERRORS: AstError[] = [];
const defaultCache = new ParseCache();

export function parseDocuments(text: string, cache: ParseCache = defaultCache): ParsedDoc[] {
  return splitDocuments(text).map((chunk, index) => {
    const e = cache.get(chunk.text);
    return { index, offset: chunk.offset, text: chunk.text, doc: e.doc, errors: e.errors, failure: e.failure, memo: e.memo };
  });
}
