// Structural validation against the CRD schema, as the API server would judge it:
// types, required fields, enums, patterns, bounds and unknown fields (with "did you mean").
import { OPENAPI } from '../api/openapi';
import { EXTRA_ENUMS, V1ALPHA1_RENAMES, docKey } from '../api/fieldDocs';
import type { JSONSchemaProps, Kind, Version } from '../api/types';
import { isAlias, isMap, isScalar, isSeq, type AstNode, type AstPair, type AstScalar } from '../model/ast';
import { closest, isNullish, nodeRange, type Range, type Resource } from '../model/resource';
import type { Fix } from '../model/problem';
import type { Rule, RuleContext } from './context';
import { migrateFix } from './migrate';

const V1ALPHA1_EIP_ADDRESS = 'IPv4 only: a.b.c.d, a.b.c.d/n or a.b.c.d-e.f.g.h; IPv6 pools need network.kubesphere.io/v1alpha2';

/** Last path elements of the fields with extra enums: the full key is only built for these. */
const EXTRA_ENUM_LEAVES = new Set(Object.keys(EXTRA_ENUMS).map((k) => k.split('.').pop()!));

interface Walk {
  res: Resource;
  ctx: RuleContext;
  kind: Kind;
  version: Version;
}

function typeName(node: AstNode): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'number') return `the number ${String(v)}`;
    if (typeof v === 'boolean') return `the boolean ${String(v)}`;
    return `the string '${String(v)}'`;
  }
  return 'something else';
}

const EXPECT: Record<string, string> = {
  object: 'a mapping of fields', array: 'a list', string: 'a string', integer: 'a whole number', boolean: 'true or false', number: 'a number',
};

function wrongType(w: Walk, node: AstNode, schema: JSONSchemaProps, path: string[]): void {
  const r = nodeRange(w.res, node) ?? [0, 0];
  let hint = '';
  if (schema.type === 'string' && isScalar(node) && typeof node.value !== 'string') hint = `; put it in quotes: "${String(node.value)}"`;
  if ((schema.type === 'integer' || schema.type === 'boolean') && isScalar(node) && typeof node.value === 'string' && node.quoted) hint = '; remove the quotes';
  w.ctx.report({
    code: 'schema-type', severity: 'error', start: r[0], end: r[1], path: path.join('.'),
    message: `${path.join('.')} must be ${EXPECT[schema.type ?? ''] ?? schema.type}, not ${typeName(node)}${hint}`,
  });
}

function checkScalar(w: Walk, node: AstScalar, schema: JSONSchemaProps, path: string[]): void {
  const v = node.value;
  switch (schema.type) {
    case 'string':
      if (typeof v !== 'string') return wrongType(w, node, schema, path);
      break;
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) return wrongType(w, node, schema, path);
      break;
    case 'number':
      if (typeof v !== 'number') return wrongType(w, node, schema, path);
      break;
    case 'boolean':
      if (typeof v !== 'boolean') return wrongType(w, node, schema, path);
      break;
    default:
      return;
  }
  const enumValues = schema.enum ?? (EXTRA_ENUM_LEAVES.has(path[path.length - 1]) ? EXTRA_ENUMS[docKey(w.kind, path)] : undefined);
  const badEnum = enumValues !== undefined && !enumValues.includes(v as string);
  const badPattern = schema.pattern !== undefined && typeof v === 'string' && !patternOf(schema.pattern).test(v);
  const badRange = typeof v === 'number' && ((schema.minimum !== undefined && v < schema.minimum) || (schema.maximum !== undefined && v > schema.maximum));
  if (!badEnum && !badPattern && !badRange) return;
  // Something to report: only now are the range and the path text worth building.
  const r: Range = nodeRange(w.res, node) ?? [0, 0];
  const where = path.join('.');
  if (enumValues && badEnum) {
    const guess = typeof v === 'string' ? closest(v, enumValues.map(String)) : undefined;
    const fixes: Fix[] = guess ? [{ title: `Change to '${guess}'`, edits: [{ start: r[0], end: r[1], newText: guess }], preferred: true }] : [];
    w.ctx.report({
      code: 'schema-enum', severity: 'error', start: r[0], end: r[1], path: where, fixes,
      message: `${where} is '${String(v)}'; accepted: ${enumValues.join(', ')}${guess ? ` (did you mean '${guess}'?)` : ''}`,
    });
  }
  if (badPattern) {
    const detail = w.kind === 'Eip' && path.join('.') === 'spec.address' ? V1ALPHA1_EIP_ADDRESS : `the pattern ${schema.pattern}`;
    const fixes = w.version === 'v1alpha1' ? [migrateFix(w.res, w.ctx.text)].filter((f): f is Fix => !!f) : [];
    w.ctx.report({ code: 'schema-pattern', severity: 'error', start: r[0], end: r[1], path: where, fixes,
      message: `${where} '${v}' does not match the ${w.version} format (${detail})` });
  }
  if (badRange) {
    w.ctx.report({ code: 'schema-range', severity: 'error', start: r[0], end: r[1], path: where,
      message: `${where} is ${v}; accepted: ${schema.minimum ?? '-∞'} to ${schema.maximum ?? '∞'}` });
  }
}

function unknownField(w: Walk, keyNode: AstScalar, key: string, parent: string[], known: string[]): void {
  const r = nodeRange(w.res, keyNode) ?? [0, 0];
  const parentKey = `${w.kind} ${parent.filter((p) => !/^\d+$/.test(p)).join('.')}`;
  const where = parent.length ? `${w.kind} ${parent.join('.')}` : w.kind;
  // A field spelled as the other version spells it.
  const renames = V1ALPHA1_RENAMES[parentKey] ?? {};
  const toV2 = renames[key];
  const toV1 = Object.entries(renames).find(([, v2]) => v2 === key)?.[0];
  if (w.version === 'v1alpha2' && toV2) {
    w.ctx.report({ code: 'schema-version-field', severity: 'error', start: r[0], end: r[1], path: [...parent, key].join('.'),
      message: `'${key}' is the v1alpha1 name; in v1alpha2 this field is '${toV2}'`,
      fixes: [{ title: `Rename '${key}' to '${toV2}'`, edits: [{ start: r[0], end: r[1], newText: toV2 }], preferred: true }] });
    return;
  }
  if (w.version === 'v1alpha1' && (toV1 || hasInOtherVersion(w.kind, 'v1alpha2', [...parent, key]))) {
    const fix = migrateFix(w.res, w.ctx.text);
    w.ctx.report({ code: 'schema-version-field', severity: 'error', start: r[0], end: r[1], path: [...parent, key].join('.'),
      message: toV1 ? `'${key}' is the v1alpha2 name; in v1alpha1 this field is '${toV1}' (or move to v1alpha2)`
        : `'${key}' exists only in network.kubesphere.io/v1alpha2; this document is v1alpha1`,
      fixes: fix ? [fix] : [] });
    return;
  }
  const guess = closest(key, known);
  w.ctx.report({
    code: 'schema-unknown-field', severity: 'error', start: r[0], end: r[1], path: [...parent, key].join('.'),
    message: `unknown field '${key}' in ${where} (${w.version})${guess ? `; did you mean '${guess}'?` : ''} Known fields: ${known.join(', ')}`,
    fixes: guess ? [{ title: `Rename '${key}' to '${guess}'`, edits: [{ start: r[0], end: r[1], newText: guess }], preferred: true }] : [],
  });
}

function hasInOtherVersion(kind: Kind, version: Version, path: string[]): boolean {
  let s: JSONSchemaProps | undefined = OPENAPI[kind]?.[version];
  for (const p of path) {
    if (!s) return false;
    if (/^\d+$/.test(p)) { s = s.items; continue; }
    s = s.properties?.[p];
  }
  return !!s;
}

/** True when the mapping has `key` with a non-null value. */
function hasValue(pairs: AstPair[], key: string): boolean {
  for (let i = 0; i < pairs.length; i++) {
    const p = pairs[i];
    if (isScalar(p.key) && String(p.key.value) === key && !isNullish(p.value)) return true;
  }
  return false;
}

/** Compiled CRD patterns (a handful), so validating a value does not compile its regex again. */
const patterns = new Map<string, RegExp>();
function patternOf(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) patterns.set(source, (re = new RegExp(source)));
  return re;
}

/** `path` is the field path, pushed and popped as the walk goes (copied by whatever keeps it).
 * `anchor` is where a missing required field is reported: the key of the mapping (a node, or a
 * range for the document root); its range is only computed when something is reported. */
function walk(w: Walk, node: AstNode | null | undefined, schema: JSONSchemaProps, path: string[], anchor: AstNode | Range): void {
  if (isNullish(node) || isAlias(node) || !node) return;
  if (schema.type === 'object') {
    if (!isMap(node)) return wrongType(w, node, schema, path);
    for (const pair of node.pairs) {
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      if (path.length === 0 && (key === 'apiVersion' || key === 'kind' || key === 'metadata' || key === 'status')) continue;
      const sub = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (sub) {
        path.push(key);
        walk(w, pair.value, sub, path, pair.key);
        path.pop();
      }
      else if (schema.properties && schema.additionalProperties === undefined) unknownField(w, pair.key, key, path, Object.keys(schema.properties));
    }
    for (const req of schema.required ?? []) {
      if (hasValue(node.pairs, req)) continue;
      const r = Array.isArray(anchor) ? anchor : nodeRange(w.res, anchor) ?? [w.res.offset, w.res.offset];
      w.ctx.report({ code: 'schema-required', severity: 'error', start: r[0], end: r[1], path: [...path, req].join('.'),
        message: `${path.join('.') || w.kind} is missing the required field '${req}'` });
    }
    return;
  }
  if (schema.type === 'array') {
    if (!isSeq(node)) return wrongType(w, node, schema, path);
    const items = schema.items;
    if (!items) return;
    node.items.forEach((item, i) => {
      path.push(String(i));
      walk(w, item, items, path, item ?? anchor);
      path.pop();
    });
    return;
  }
  if (!isScalar(node)) return wrongType(w, node, schema, path);
  checkScalar(w, node, schema, path);
}

export const schemaRule: Rule = {
  local: true,
  ids: ['schema-type', 'schema-required', 'schema-enum', 'schema-pattern', 'schema-range', 'schema-unknown-field', 'schema-version-field'],
  checkResource(res, ctx) {
    const o = res.openelb;
    if (!o?.kind || !o.version || !res.root) return;
    const schema = OPENAPI[o.kind][o.version];
    const kindNode = res.root.pairs.find((p) => isScalar(p.key) && p.key.value === 'kind');
    const anchor = nodeRange(res, kindNode?.key) ?? [res.offset, res.offset];
    walk({ res, ctx, kind: o.kind, version: o.version }, res.root, schema, [], anchor);
    // `spec` itself may be required implicitly: OpenELB kinds are useless without one.
    const spec = res.root.pairs.find((p) => isScalar(p.key) && p.key.value === 'spec');
    if (!spec || isNullish(spec.value)) {
      ctx.report({ code: 'schema-required', severity: 'error', start: anchor[0], end: anchor[1], path: 'spec',
        message: `${o.kind} is missing 'spec'${o.kind === 'Eip' ? ' (with at least spec.address)' : ''}` });
    }
  },
};
