// Finds the schema and the documentation of a field path, for completion and hover.
import { OPENAPI } from '../api/openapi';
import { EXTRA_ENUMS, FIELD_DOCS, docKey } from '../api/fieldDocs';
import type { JSONSchemaProps, Kind, Version } from '../api/types';

/** Path elements are keys, or '[]' / a number for a list item. */
export function schemaAt(kind: Kind, version: Version, path: (string | number)[]): JSONSchemaProps | undefined {
  let s: JSONSchemaProps | undefined = OPENAPI[kind]?.[version];
  for (const p of path) {
    if (!s) return undefined;
    if (p === '[]' || typeof p === 'number' || /^\d+$/.test(String(p))) { s = s.items; continue; }
    s = s.properties?.[p as string] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
  }
  return s;
}

export function fieldDoc(kind: Kind, path: (string | number)[]): string | undefined {
  const keyPath = path.filter((p) => typeof p === 'string' && p !== '[]' && !/^\d+$/.test(p));
  return FIELD_DOCS[docKey(kind, keyPath)];
}

export function enumValues(kind: Kind, path: (string | number)[], schema: JSONSchemaProps | undefined): string[] | undefined {
  const keyPath = path.filter((p) => typeof p === 'string' && p !== '[]' && !/^\d+$/.test(p));
  return (schema?.enum as string[] | undefined) ?? EXTRA_ENUMS[docKey(kind, keyPath)];
}

export function typeLabel(s: JSONSchemaProps | undefined): string {
  if (!s?.type) return 'any';
  if (s.type === 'array') return `list of ${typeLabel(s.items)}`;
  if (s.type === 'object' && !s.properties && typeof s.additionalProperties === 'object') return `map of ${typeLabel(s.additionalProperties)}`;
  return s.type;
}
