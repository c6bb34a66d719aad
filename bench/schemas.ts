// JSON Schema (draft-07) generated from the CRD OpenAPI schemas in server/core/src/api/openapi.ts,
// so yaml-language-server validates against exactly the shape our language service knows.
// Objects that list their properties get `additionalProperties: false` (unknown fields are errors,
// as the API server's strict decoding makes them); open maps keep their value schema.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPENAPI } from '@openelb/core/api/openapi';
import type { JSONSchemaProps } from '@openelb/core/api/types';

export type JsonSchema = { [key: string]: unknown };

/** Converts one OpenAPI v3 structural schema node (the CRD subset) to draft-07 JSON Schema. */
export function toJsonSchema(s: JSONSchemaProps): JsonSchema {
  const out: JsonSchema = {};
  if (s.type) out.type = s.type;
  if (s.description) out.description = s.description;
  if (s.enum) out.enum = [...s.enum];
  if (s.pattern) out.pattern = s.pattern;
  if (s.minimum !== undefined) out.minimum = s.minimum;
  if (s.maximum !== undefined) out.maximum = s.maximum;
  if (s.items) out.items = toJsonSchema(s.items);
  if (s.required?.length) out.required = [...s.required];
  if (s.properties) {
    out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, toJsonSchema(v)]));
  }
  if (typeof s.additionalProperties === 'object') out.additionalProperties = toJsonSchema(s.additionalProperties);
  else if (typeof s.additionalProperties === 'boolean') out.additionalProperties = s.additionalProperties;
  else if (s.properties) out.additionalProperties = false;
  return out;
}

/** The whole-document schema of one kind and version, e.g. ('Eip', 'v1alpha2'). */
export function crdJsonSchema(kind: string, version: string): JsonSchema {
  const props = OPENAPI[kind]?.[version];
  if (!props) throw new Error(`no OpenAPI schema for ${kind} ${version} in server/core/src/api/openapi.ts`);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `${kind} (network.kubesphere.io/${version})`,
    ...toJsonSchema(props),
  };
}

/** Writes the schema to `dir` and returns its path. */
export function writeCrdJsonSchema(dir: string, kind = 'Eip', version = 'v1alpha2'): string {
  const path = join(dir, `${kind.toLowerCase()}-${version}.schema.json`);
  writeFileSync(path, JSON.stringify(crdJsonSchema(kind, version), null, 2) + '\n');
  return path;
}
