// Pure text for Apply Current File: the impact on running Services shown in the confirmation
// (core/impact, the same summary `openelb lint --cluster` prints), and what a cancelled apply
// wrote. No vscode here, so it is tested as plain functions.
import { describeSummary } from '@openelb/core/impact/eipImpact';
import { filesImpact } from '@openelb/core/impact/fileImpact';
import { toClusterFacts, type ClusterSnapshot } from '../cluster/clusterState';

/** The impact lines of applying `text`, from what the OpenELB view holds of the cluster. */
export function impactLines(uri: string, text: string, snapshot: ClusterSnapshot): string[] {
  const facts = toClusterFacts(snapshot);
  if (!facts) return [`Impact on running Services unknown: the OpenELB view is not connected (${snapshot.state}${snapshot.detail ? `: ${snapshot.detail}` : ''}).`];
  return describeSummary(filesImpact([[uri, text]], facts));
}

/** Where a cancelled apply stopped: written, possibly written (sent, no answer awaited), not sent. */
export function cancelledMessage(names: readonly string[], written: number, inFlight: boolean): string {
  const done = names.slice(0, written);
  const maybe = inFlight ? names[written] : undefined;
  const rest = names.slice(written + (inFlight ? 1 : 0));
  const parts = [done.length ? `applied ${done.join(', ')}` : 'nothing was applied'];
  if (maybe) parts.push(`${maybe} was sent and may have been applied (check it with kubectl get)`);
  if (rest.length) parts.push(`not sent: ${rest.join(', ')}`);
  return `OpenELB: apply cancelled; ${parts.join('; ')}.`;
}
