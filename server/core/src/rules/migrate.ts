// The v1alpha1 → v1alpha2 migration as one fix: new apiVersion, renamed fields.
import { V1ALPHA1_RENAMES } from '../api/fieldDocs';
import { GROUP } from '../api/types';
import type { Fix, TextEdit } from '../model/problem';
import { getNode, getPair, nodeRange, type Resource } from '../model/resource';

export function migrateFix(res: Resource, _text: string): Fix | undefined {
  const o = res.openelb;
  if (!o?.kind || o.version !== 'v1alpha1' || !res.root) return undefined;
  const edits: TextEdit[] = [];
  const av = getPair(res.root, 'apiVersion');
  const avRange = nodeRange(res, av?.value);
  if (!avRange) return undefined;
  edits.push({ start: avRange[0], end: avRange[1], newText: `${GROUP}/v1alpha2` });
  for (const [parentKey, renames] of Object.entries(V1ALPHA1_RENAMES)) {
    const [kind, parentPath] = parentKey.split(' ');
    if (kind !== o.kind) continue;
    const parent = getNode(res.root, parentPath.split('.'));
    for (const [from, to] of Object.entries(renames)) {
      const pair = getPair(parent, from);
      const r = nodeRange(res, pair?.key);
      if (r) edits.push({ start: r[0], end: r[1], newText: to });
    }
  }
  return { title: `Migrate this ${o.kind} to ${GROUP}/v1alpha2`, edits };
}
