// Hover: field documentation and type; on an Eip address, the pool size and its first/last IP;
// on a Service's Eip annotation, the Eip it names.
import { MarkupKind, type Hover } from 'vscode-languageserver-types';
import { EIP_POOL_ANNOTATION } from '../api/annotations';
import { firstIp, formatCount, lastIp, parsePool, poolSize } from '../address/pool';
import type { Kind, Version } from '../api/types';
import type { EipFact } from '../model/facts';
import type { LineIndex } from '../model/lineIndex';
import type { Resource } from '../model/resource';
import { nodeAt } from './nodeAt';
import { fieldDoc, schemaAt, typeLabel } from './schemaLookup';

export function hover(res: Resource, offset: number, lines: LineIndex, allEips: EipFact[]): Hover | undefined {
  const at = nodeAt(res, offset);
  if (!at) return undefined;
  const range = { start: lines.position(at.start), end: lines.position(at.end) };
  const parts: string[] = [];
  const pathText = at.path.join('.');
  if (res.isService && at.path[0] === 'metadata' && at.path[2] === EIP_POOL_ANNOTATION && !at.onKey) {
    const e = allEips.find((x) => x.name === String(at.node.value));
    if (!e) return undefined;
    parts.push(`**Eip ${e.name}** (${e.source})`, '', `address \`${e.address}\`, protocol ${e.protocol ?? 'bgp'}`);
    if (e.pool) parts.push('', `${formatCount(poolSize(e.pool))} addresses, ${firstIp(e.pool)} to ${lastIp(e.pool)}`);
    return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n') }, range };
  }
  const o = res.openelb;
  if (!o?.kind) return undefined;
  const version = (o.version ?? 'v1alpha2') as Version;
  const schema = schemaAt(o.kind as Kind, version, at.path);
  const doc = fieldDoc(o.kind as Kind, at.path);
  if (!schema && !doc) return undefined;
  parts.push(`**${pathText}** · ${typeLabel(schema)} · ${o.kind} ${version}`);
  if (doc) parts.push('', doc);
  if (schema?.enum) parts.push('', `Accepted: ${schema.enum.map((v) => `\`${String(v)}\``).join(', ')}`);
  if (o.kind === 'Eip' && pathText === 'spec.address' && !at.onKey) {
    const parsed = parsePool(String(at.node.value ?? ''));
    if (parsed.pool) {
      const p = parsed.pool;
      parts.push('', `**${formatCount(poolSize(p))}** address${poolSize(p) === 1n ? '' : 'es'} (IPv${p.family}${p.form === 'cidr' ? `, /${p.prefix}` : ''})`, '',
        `first \`${firstIp(p)}\` · last \`${lastIp(p)}\``);
    }
  }
  return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n') }, range };
}
