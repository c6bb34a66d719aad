// Completion: keys with documentation, enum values, apiVersion/kind pairs, Eip names and
// interface names from the workspace and cluster, and whole-document templates.
import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem } from 'vscode-languageserver-types';
import { EIP_DEFAULT_ANNOTATION, EIP_IP_ANNOTATION, EIP_POOL_ANNOTATION, LAYER2_NODE_ANNOTATION, LB_ANNOTATION, LB_ANNOTATION_VALUE, PROTOCOLS, PROTOCOL_ANNOTATION } from '../api/annotations';
import { GROUP, KINDS, VERSIONS, type Kind, type Version } from '../api/types';
import { formatCount, poolSize } from '../address/pool';
import type { EipFact, Facts } from '../model/facts';
import type { LineIndex } from '../model/lineIndex';
import type { Resource } from '../model/resource';
import { cursorContext } from './cursorContext';
import { enumValues, fieldDoc, schemaAt, typeLabel } from './schemaLookup';
import { TEMPLATES } from './templates';

const SERVICE_ANNOTATIONS: Record<string, string> = {
  [LB_ANNOTATION]: 'Hand this Service to OpenELB (value: openelb).',
  [EIP_POOL_ANNOTATION]: 'The Eip (pool) to take the address from.',
  [EIP_IP_ANNOTATION]: 'The exact IP this Service wants; it must lie in an Eip.',
  [PROTOCOL_ANNOTATION]: 'bgp, layer2 or vip: how the address is announced.',
};

export interface CompletionInput {
  text: string;
  offset: number;
  docText: string;
  docOffset: number;
  resource: Resource;
  allEips: EipFact[];
  facts: Facts;
  lines: LineIndex;
}

function item(label: string, kind: CompletionItemKind, input: CompletionInput, insert: string, extra: Partial<CompletionItem> = {}): CompletionItem {
  const ctx = cursorContext(input.docText, input.docOffset, input.offset);
  return {
    label, kind,
    textEdit: { range: { start: input.lines.position(ctx.wordStart), end: input.lines.position(input.offset) }, newText: insert },
    ...extra,
  };
}

export function complete(input: CompletionInput): CompletionItem[] {
  const ctx = cursorContext(input.docText, input.docOffset, input.offset);
  const res = input.resource;
  if (ctx.emptyDocument) {
    return TEMPLATES.map((t, i) => item(t.label, CompletionItemKind.Snippet, input, t.body, {
      insertTextFormat: InsertTextFormat.Snippet, detail: t.detail, sortText: `0${i}`,
      documentation: { kind: MarkupKind.Markdown, value: '```yaml\n' + t.body.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d+/g, '') + '\n```' },
    }));
  }
  const kind = res.openelb?.kind as Kind | undefined;
  const version = (res.openelb?.version ?? 'v1alpha2') as Version;
  if (ctx.mode === 'value') return completeValue(input, ctx.path, ctx.key!, kind, version);
  // Keys.
  if (ctx.path.length === 0) {
    const root = ['apiVersion', 'kind', 'metadata', 'spec'].filter((k) => !ctx.siblings.has(k));
    return root.map((k, i) => item(k, CompletionItemKind.Property, input, `${k}: `, { sortText: `0${i}`, command: { title: 'suggest', command: 'editor.action.triggerSuggest' } }));
  }
  if (ctx.path[0] === 'metadata' && ctx.path[1] === 'annotations' && ctx.path.length === 2) {
    const keys = res.isService ? SERVICE_ANNOTATIONS : kind === 'Eip' ? { [EIP_DEFAULT_ANNOTATION]: 'Make this Eip the default pool (value "true"; only one Eip may be default).' } : {};
    return Object.entries(keys).filter(([k]) => !ctx.siblings.has(k)).map(([k, doc]) =>
      item(k, CompletionItemKind.Property, input, `${k}: `, { documentation: doc, command: { title: 'suggest', command: 'editor.action.triggerSuggest' } }));
  }
  if (!kind) return [];
  const schema = schemaAt(kind, version, ctx.path);
  if (!schema?.properties) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).filter(([k]) => !ctx.siblings.has(k)).map(([k, sub]) => {
    const path = [...ctx.path, k];
    const nested = sub.type === 'object' || sub.type === 'array';
    const doc = fieldDoc(kind, path);
    return item(k, CompletionItemKind.Property, input, nested ? `${k}:\n${' '.repeat(ctx.indent + 2)}${sub.type === 'array' ? '- ' : ''}` : `${k}: `, {
      detail: `${typeLabel(sub)}${required.has(k) ? ' (required)' : ''}`,
      documentation: doc ? { kind: MarkupKind.Markdown, value: doc } : undefined,
      sortText: `${required.has(k) ? '0' : '1'}${k}`,
      command: nested ? undefined : { title: 'suggest', command: 'editor.action.triggerSuggest' },
    });
  });
}

function completeValue(input: CompletionInput, parent: string[], key: string, kind: Kind | undefined, version: Version): CompletionItem[] {
  const res = input.resource;
  const values = (vals: string[], detail?: (v: string) => string | undefined) =>
    vals.map((v, i) => item(v, CompletionItemKind.Value, input, v, { detail: detail?.(v), sortText: String(i).padStart(3, '0') }));
  if (parent.length === 0 && key === 'apiVersion') {
    const k = res.kind && (KINDS as readonly string[]).includes(res.kind) ? res.kind : undefined;
    return values(res.isService ? ['v1'] : [...VERSIONS].reverse().map((v) => `${GROUP}/${v}`), (v) => (v.endsWith('v1alpha2') ? `storage version${k ? ` of ${k}` : ''}` : undefined));
  }
  if (parent.length === 0 && key === 'kind') return values([...KINDS]);
  if (parent[0] === 'metadata' && parent[1] === 'annotations') {
    if (key === EIP_POOL_ANNOTATION) {
      const seen = new Set<string>();
      return input.allEips.filter((e) => !seen.has(e.name) && seen.add(e.name)).map((e) =>
        item(e.name, CompletionItemKind.Reference, input, e.name, { detail: `${e.address}${e.pool ? ` (${formatCount(poolSize(e.pool))} addresses)` : ''} · ${e.source}`, documentation: `protocol ${e.protocol ?? 'bgp'}` }));
    }
    if (key === PROTOCOL_ANNOTATION) return values([...PROTOCOLS]);
    if (key === LB_ANNOTATION) return values([LB_ANNOTATION_VALUE]);
    if (key === EIP_DEFAULT_ANNOTATION) return values(['"true"']);
    if (key === LAYER2_NODE_ANNOTATION) return values((input.facts.cluster?.nodes ?? []).map((n) => n.internalIP).filter((x): x is string => !!x));
    return [];
  }
  if (!kind) return [];
  const path = [...parent, key];
  if (kind === 'Eip' && path.join('.') === 'spec.interface') {
    const names = [...new Set((input.facts.cluster?.nodes ?? []).flatMap((n) => (n.interfaces ?? []).map((i) => i.name)))];
    return [...values(names, () => 'interface on the cluster\'s nodes'), item('can_reach:', CompletionItemKind.Snippet, input, 'can_reach:${1:192.168.0.1}', { insertTextFormat: InsertTextFormat.Snippet, detail: 'the interface that reaches this IP' })];
  }
  const schema = schemaAt(kind, version, path);
  const en = enumValues(kind, path, schema);
  if (en) return values(en.map(String), () => fieldDoc(kind, path));
  if (schema?.type === 'boolean') return values(['true', 'false']);
  return [];
}
