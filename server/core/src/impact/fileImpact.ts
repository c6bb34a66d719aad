// The impact of whole files of Eips on the cluster, for the front doors that hold texts rather
// than a language service (`openelb lint --cluster`, Apply Current File).
import { parsePoolCached } from '../address/pool';
import type { EipFact, Facts } from '../model/facts';
import { analyze } from '../rules/index';
import { eipImpact, type ImpactSummary } from './eipImpact';

/** Every file's Eips against the cluster's (an Eip written twice: its last occurrence wins). */
export function filesImpact(files: Iterable<readonly [uri: string, text: string]>, cluster: NonNullable<Facts['cluster']>): ImpactSummary {
  const byName = new Map<string, EipFact>();
  for (const [uri, text] of files) for (const e of analyze(text, uri, {}).fileEips) byName.set(e.name, e);
  // Facts that came as JSON carry no parsed pool (bigints): parse the addresses again.
  const eips = cluster.eips.map((e) => (e.pool ? e : { ...e, pool: parsePoolCached(String(e.address)).pool }));
  return eipImpact([...byName.values()], { eips, services: cluster.services });
}
