// The Speaker.<node> condition each layer2/vip Eip should carry for this node (pure): True with
// the interface used, or False with why this node cannot serve it. Other speakers read the False
// ones (desiredState.ts speakerFailures) and leave this node out of that Eip's election.
import type { EipObj } from '../node/clusterView';
import { conditionType, REASON_FAILED, REASON_OK, type Condition } from '../node/conditions';
import type { Choice } from '../node/interfaces';

export interface EipCondition {
  name: string;
  uid?: string;
  ok: boolean;
  reason: string;
  message: string;
  /** The Eip's status already carries exactly this condition. */
  current: boolean;
}

/** One condition per Eip that has a choice (Eip name → interface or error). */
export function eipConditions(node: string, choices: ReadonlyMap<string, Choice>, eips: readonly EipObj[]): EipCondition[] {
  const out: EipCondition[] = [];
  for (const obj of eips) {
    const name = obj.metadata?.name ?? '';
    const choice = choices.get(name);
    if (!choice) continue;
    const ok = 'ifname' in choice;
    const message = ok
      ? `config openelb ${obj.spec?.protocol === 'vip' ? 'vip' : 'layer2'} speaker successfully on ${choice.ifname}${choice.note ? ` (${choice.note})` : ''}`
      : choice.error;
    const reason = ok ? REASON_OK : choice.reason ?? REASON_FAILED;
    const now = (obj.status?.conditions as Condition[] | undefined)?.find((c) => c.type === conditionType(node));
    const current = !!now && now.status === (ok ? 'True' : 'False') && now.reason === reason && now.message === message;
    out.push({ name, uid: obj.metadata?.uid, ok, reason, message, current });
  }
  return out;
}
