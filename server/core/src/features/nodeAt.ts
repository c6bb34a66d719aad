// The innermost key or value under an offset, with its path, read from the tree.
import { isMap, isScalar, isSeq, type AstNode, type AstScalar } from '../model/ast';
import type { Resource } from '../model/resource';

export interface NodeAt {
  path: (string | number)[];
  node: AstScalar;
  /** True when the offset is on the key rather than the value. */
  onKey: boolean;
  start: number;
  end: number;
}

export function nodeAt(res: Resource, offset: number): NodeAt | undefined {
  const rel = offset - res.offset;
  let found: NodeAt | undefined;
  const within = (n: AstNode | null | undefined) => !!n && n.start <= rel && rel <= n.end;
  const at = (n: AstScalar, path: (string | number)[], onKey: boolean): NodeAt =>
    ({ path, node: n, onKey, start: res.offset + n.start, end: res.offset + n.end });
  const visit = (n: AstNode | null | undefined, path: (string | number)[]) => {
    if (isMap(n)) {
      for (const pair of n.pairs) {
        const k = pair.key;
        if (!isScalar(k)) continue;
        const key = String(k.value);
        if (within(k)) { found = at(k, [...path, key], true); return; }
        const v = pair.value;
        if (within(v)) {
          if (isScalar(v)) { found = at(v, [...path, key], false); return; }
          visit(v, [...path, key]);
          return;
        }
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, i) => { if (within(item)) visit(item, [...path, i]); });
    }
  };
  visit(res.root, []);
  return found;
}
