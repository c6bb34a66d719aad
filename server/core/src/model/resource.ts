// What a parsed document is (kind, apiVersion, name) and small helpers to walk its tree
// (ast.ts). Rules read resources through these helpers.
import { deref, isMap, isScalar, type AstDocument, type AstMap, type AstNode, type AstPair, type AstScalar } from './ast';
import { GROUP, KINDS, VERSIONS, type Kind, type Version } from '../api/types';

export type Range = [start: number, end: number];

/**
 * Results derived from one parsed document (its classification, its Eip fact, its local
 * problems), stored with the document in the parse cache: a keystroke recomputes them only for
 * the document it changed. (A WeakMap per result did the same, but 10,000 documents made three
 * large ephemeron tables that every garbage collection had to walk.)
 */
export interface DocMemo {
  classified?: Classified;
  fact?: object | null;
  local?: object[];
}

export interface Resource {
  /** Document index in the file. */
  index: number;
  /** Offset of the document in the file; add it to node ranges. */
  offset: number;
  root: AstMap | undefined;
  apiVersion?: string;
  kind?: string;
  name?: string;
  /** Set for documents of our API group (or that clearly mean to be). */
  openelb?: { kind: Kind | undefined; version: Version | undefined; group: string };
  /** Set for a v1 Service. */
  isService: boolean;
  memo: DocMemo;
}

/** A mapping entry whose key is a scalar (the only keys the helpers look up). */
export type ScalarPair = AstPair & { key: AstScalar };

/** The text of a string, number or boolean scalar. */
export function scalarString(node: AstNode | null | undefined): string | undefined {
  if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number' || typeof node.value === 'boolean')) {
    return String(node.value);
  }
  return undefined;
}

/** The entry of `key` in a mapping (a non-string key matches its text: `1:` is key '1'). */
export function getPair(node: AstNode | null | undefined, key: string): ScalarPair | undefined {
  const map = deref(node); // `spec: *common` reads the anchored mapping
  if (!isMap(map)) return undefined;
  const pairs = map.pairs;
  for (let i = 0; i < pairs.length; i++) {
    const k = pairs[i].key;
    if (isScalar(k) && (k.value === key || (typeof k.value !== 'string' && String(k.value) === key))) return pairs[i] as ScalarPair;
  }
  return undefined;
}

export function getNode(map: AstNode | null | undefined, path: string[]): AstNode | undefined {
  let cur: AstNode | null | undefined = map;
  for (const k of path) {
    const pair = getPair(cur, k);
    if (!pair) return undefined;
    cur = pair.value;
  }
  return deref(cur) ?? undefined;
}

export function getString(map: AstNode | null | undefined, path: string[]): string | undefined {
  return scalarString(getNode(map, path));
}

/** Absolute range of a node (undefined for none). */
export function nodeRange(res: Resource, node: AstNode | null | undefined): Range | undefined {
  if (!node) return undefined;
  return [res.offset + node.start, res.offset + node.end];
}

/** Range of the characters of a scalar's value, inside its quotes (for an alias, the `*name`). */
export function scalarContentRange(res: Resource, node: AstScalar): Range {
  const s = res.offset + node.start;
  const e = res.offset + node.end;
  return node.quoted ? [s + 1, e - 1] : [s, e];
}

/**
 * Where characters `from`..`to` of a scalar's text are reported: inside the value as written, or
 * the whole `*name` when the scalar is an alias (its text is written at the anchor).
 */
export function scalarTextRange(res: Resource, node: AstScalar, from: number, to: number): Range {
  const [s, e] = scalarContentRange(res, node);
  return node.anchor ? [s, e] : [s + from, s + to];
}

/** Where a scalar's text is written, for fixes that rewrite it: at its anchor for an alias. */
export function scalarSourceRange(res: Resource, node: AstScalar): Range {
  const a = node.anchor;
  if (!a) return scalarContentRange(res, node);
  const s = res.offset + a.start;
  const e = res.offset + a.end;
  return a.quoted ? [s + 1, e - 1] : [s, e];
}

/** For messages about an alias's value: where that value is written. */
export function viaAnchor(node: AstScalar): string {
  return node.anchor ? ` (the value of the anchor &${node.anchor.name}, which the alias *${node.anchor.name} repeats here)` : '';
}

export function isNullish(node: AstNode | null | undefined): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

/** Rows of the edit-distance table, reused: "did you mean" runs over every Eip name on file. */
let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/** Case-insensitive Levenshtein distance of two lowercased strings, or `limit + 1` once it exceeds `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  if (rowA.length <= b.length) { rowA = new Int32Array(b.length * 2 + 1); rowB = new Int32Array(b.length * 2 + 1); }
  let prev = rowA;
  let cur = rowB;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let best = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca === b.charCodeAt(j - 1) ? 0 : 1));
      cur[j] = d;
      if (d < best) best = d;
    }
    if (best > limit) return limit + 1; // every path is already too long
    const t = prev; prev = cur; cur = t;
  }
  return prev[b.length];
}

/** The closest candidate within a small edit distance, for "did you mean" messages. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = limit + 1;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase(), limit);
    if (d < bestD) { bestD = d; best = c; }
  }
  return best;
}

type Classified = Omit<Resource, 'index' | 'offset' | 'memo'>;

/** Classifies a parsed document (kept in its memo: it only depends on its text). */
export function toResource(index: number, offset: number, doc: AstDocument, memo: DocMemo = {}): Resource {
  const c = (memo.classified ??= classify(doc));
  return { index, offset, root: c.root, apiVersion: c.apiVersion, kind: c.kind, name: c.name, openelb: c.openelb, isService: c.isService, memo };
}

function classify(doc: AstDocument): Classified {
  const root = isMap(doc.contents) ? doc.contents : undefined;
  const apiVersion = getString(root, ['apiVersion']);
  const kind = getString(root, ['kind']);
  const name = getString(root, ['metadata', 'name']);
  const api = apiOf(apiVersion, kind);
  return { root, apiVersion, kind, name, isService: api.isService, openelb: api.openelb };
}

interface ApiInfo { openelb?: Resource['openelb']; isService: boolean }
/** apiVersion → kind → what the pair means; the same few pairs recur in every file (shared, read-only). */
let apiInfos = new Map<string | undefined, Map<string | undefined, ApiInfo>>();

function apiOf(apiVersion: string | undefined, kind: string | undefined): ApiInfo {
  let byKind = apiInfos.get(apiVersion);
  let info = byKind?.get(kind);
  if (info) return info;
  info = { isService: false };
  const slash = apiVersion?.indexOf('/') ?? -1;
  const group = apiVersion && slash > 0 ? apiVersion.slice(0, slash) : undefined;
  const version = apiVersion && slash > 0 ? apiVersion.slice(slash + 1) : apiVersion;
  const knownKind = (KINDS as readonly string[]).includes(kind ?? '') ? (kind as Kind) : undefined;
  const ours = group === GROUP || (group !== undefined && group.endsWith('kubesphere.io') && closest(group, [GROUP]) !== undefined);
  if (ours || (knownKind && (apiVersion === undefined || (group !== undefined && closest(group, [GROUP]) !== undefined)))) {
    const v = (VERSIONS as readonly string[]).includes(version ?? '') ? (version as Version) : undefined;
    info.openelb = { kind: knownKind, version: v, group: group ?? '' };
  } else if (kind === 'Service' && apiVersion === 'v1') {
    info.isService = true;
  }
  if (apiInfos.size > 1000) apiInfos = new Map();
  if (!byKind) apiInfos.set(apiVersion, (byKind = new Map()));
  if (byKind.size < 1000) byKind.set(kind, info);
  return info;
}
