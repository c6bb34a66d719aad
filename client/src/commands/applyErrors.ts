// Pure helpers for "Apply Current File": split a YAML file into the objects to apply, and map
// an API server error (a Status with details.causes[].field such as "spec.ports[0].port") to
// the range of that field in the file, so it can be shown as a diagnostic on the right line.
import { isMap, isSeq, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml';
import { parseStatus } from '../../../runtime/src/kube/errors';

export interface FileObject {
  /** Index of the YAML document in the file. */
  index: number;
  object: Record<string, unknown>;
  doc: Document;
  /** Offsets of the whole document. */
  range: [number, number];
}

/** The objects of a multi-document YAML text; empty or non-object documents are skipped. */
export function objectsOf(text: string): { objects: FileObject[]; errors: { message: string; offset: number }[] } {
  const objects: FileObject[] = [];
  const errors: { message: string; offset: number }[] = [];
  parseAllDocuments(text).forEach((doc, index) => {
    for (const e of doc.errors) errors.push({ message: e.message.split('\n')[0], offset: e.pos[0] });
    if (doc.errors.length) return;
    const obj = doc.toJS() as unknown;
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return;
    const range = doc.range ? [doc.range[0], doc.range[1]] as [number, number] : [0, text.length] as [number, number];
    objects.push({ index, object: obj as Record<string, unknown>, doc, range });
  });
  return { objects, errors };
}

/** "spec.ports[0].port" → ['spec', 'ports', 0, 'port']; "metadata.annotations[a.b/c]" keeps the key whole. */
export function parseFieldPath(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  let i = field.startsWith('.') ? 1 : 0;
  let cur = '';
  while (i < field.length) {
    const ch = field[i];
    if (ch === '.') { if (cur) out.push(cur); cur = ''; i++; continue; }
    if (ch === '[') {
      if (cur) out.push(cur);
      cur = '';
      const end = field.indexOf(']', i);
      const inner = end < 0 ? field.slice(i + 1) : field.slice(i + 1, end);
      out.push(/^\d+$/.test(inner) ? Number(inner) : inner);
      i = end < 0 ? field.length : end + 1;
      continue;
    }
    cur += ch;
    i++;
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * The offsets of the deepest node of `path` that exists in the document (the key for a map
 * entry, so the underline sits on the field name's line); the document start when nothing matches.
 */
export function rangeOfField(doc: Document, path: (string | number)[], fallback: [number, number]): [number, number] {
  let node: unknown = doc.contents;
  let best: [number, number] | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String((p.key as { value?: unknown } | null)?.value ?? p.key) === String(seg));
      if (!pair) break;
      const key = pair.key as YamlNode | null;
      const value = pair.value as YamlNode | null;
      const r = value?.range ?? key?.range;
      if (key?.range && value?.range) best = [key.range[0], value.range[1]];
      else if (r) best = [r[0], r[1]];
      node = value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as YamlNode | undefined;
      if (!item?.range) break;
      best = [item.range[0], item.range[1]];
      node = item;
    } else break;
  }
  return best ?? fallback;
}

export interface ApiProblem {
  message: string;
  field?: string;
}

/** Reads the problems out of an API error body (a Kubernetes Status, or any text). */
export function problemsOf(body: unknown, fallback: string): ApiProblem[] {
  const s = parseStatus(body);
  if (!s && typeof body === 'string') return [{ message: body.trim().slice(0, 500) || fallback }];
  if (s?.causes.length) return s.causes.map((c) => ({ field: c.field, message: c.field ? `${c.field}: ${c.message ?? c.reason ?? 'invalid'}` : (c.message ?? c.reason ?? fallback) }));
  const inMessage = s?.message ? fieldsInMessage(s.message) : [];
  return inMessage.length ? inMessage : [{ message: s?.message ?? fallback }];
}

// A server-side apply refusal from the structured-merge-diff library comes without causes, the
// field paths only in the message: "failed to create typed patch object (...): .spec.interface:
// field not declared in schema", or one ".path: reason" per line after "errors:".
const SMD_FIELD = /(?:^|\s)(\.[A-Za-z_$][^\s:]*): ([^\n]+)/gm;

/** The `.field.path: reason` pairs of a structured-merge-diff message (paths without the leading dot). */
export function fieldsInMessage(message: string): ApiProblem[] {
  const out: ApiProblem[] = [];
  for (const m of message.matchAll(SMD_FIELD)) {
    const field = m[1].slice(1);
    out.push({ field, message: `${field}: ${m[2].trim()}` });
  }
  return out;
}
