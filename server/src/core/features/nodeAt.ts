// The innermost key or value under an offset, with its path, read from the AST.
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Resource } from '../model/resource';

export interface NodeAt {
  path: (string | number)[];
  node: Node;
  /** True when the offset is on the key rather than the value. */
  onKey: boolean;
  start: number;
  end: number;
}

export function nodeAt(res: Resource, offset: number): NodeAt | undefined {
  const rel = offset - res.offset;
  let found: NodeAt | undefined;
  const within = (n: Node | null | undefined) => !!n?.range && n.range[0] <= rel && rel <= n.range[1];
  const visit = (n: Node | null | undefined, path: (string | number)[]) => {
    if (!n) return;
    if (isMap(n)) {
      for (const pair of n.items) {
        const k = pair.key as Node | null;
        if (!isScalar(k)) continue;
        const key = String(k.value);
        if (within(k)) { found = { path: [...path, key], node: k, onKey: true, start: res.offset + k.range![0], end: res.offset + k.range![1] }; return; }
        const v = pair.value as Node | null;
        if (within(v)) {
          if (isScalar(v)) { found = { path: [...path, key], node: v, onKey: false, start: res.offset + v.range![0], end: res.offset + v.range![1] }; return; }
          visit(v, [...path, key]);
          return;
        }
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => { if (within(item as Node)) visit(item as Node, [...path, i]); });
    }
  };
  visit(res.root, []);
  return found;
}
