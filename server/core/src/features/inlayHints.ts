// Inlay hints: the size of each Eip pool after its address.
import { InlayHintKind, type InlayHint } from 'vscode-languageserver-types';
import { firstIp, formatCount, lastIp, parsePool, poolSize } from '../address/pool';
import type { LineIndex } from '../model/lineIndex';
import { getString, getNode, nodeRange, type Resource } from '../model/resource';

export function inlayHints(resources: Resource[], lines: LineIndex, from: number, to: number): InlayHint[] {
  const out: InlayHint[] = [];
  for (const res of resources) {
    if (res.openelb?.kind !== 'Eip') continue;
    const node = getNode(res.root, ['spec', 'address']);
    const r = nodeRange(res, node);
    if (!r || r[1] < from || r[0] > to) continue;
    const pool = parsePool(getString(res.root, ['spec', 'address']) ?? '').pool;
    if (!pool) continue;
    const n = poolSize(pool);
    out.push({
      position: lines.position(r[1]),
      label: `${formatCount(n)} IP${n === 1n ? '' : 's'}`,
      kind: InlayHintKind.Type,
      paddingLeft: true,
      tooltip: `${firstIp(pool)} to ${lastIp(pool)}`,
    });
  }
  return out;
}
