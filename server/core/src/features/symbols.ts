// Document symbols: one per resource, named Kind/name.
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver-types';
import type { LineIndex } from '../model/lineIndex';
import { getNode, nodeRange, type Resource } from '../model/resource';

export function symbols(resources: Resource[], docEnds: number[], lines: LineIndex): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  resources.forEach((res, i) => {
    if (!res.kind) return;
    const start = res.offset;
    const end = Math.max(start, docEnds[i]);
    const nameRange = nodeRange(res, getNode(res.root, ['metadata', 'name'])) ?? [start, start];
    const range = { start: lines.position(start), end: lines.position(end) };
    const sel = { start: lines.position(nameRange[0]), end: lines.position(nameRange[1]) };
    out.push({
      name: `${res.kind}/${res.name ?? '(unnamed)'}`,
      detail: res.apiVersion,
      kind: res.kind === 'Service' ? SymbolKind.Interface : res.kind === 'Eip' ? SymbolKind.Array : SymbolKind.Object,
      range,
      selectionRange: sel.start.line >= range.start.line ? sel : range,
    });
  });
  return out;
}
