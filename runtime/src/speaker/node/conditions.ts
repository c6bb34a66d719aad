// The per-node condition a speaker writes on an Eip's status (pure names and reasons, shared by
// the plan that decides it and kubeWrites.ts that writes it).

export interface Condition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

/** The per-node condition type on an Eip's status. */
export const conditionType = (node: string): string => `Speaker.${node}`;
/** Condition reasons: the interface is usable here; it is not (missing, wrong subnet, ...); the
 * packet helper could not be started on it (not shipped, cannot run, cannot open the interface). */
export const REASON_OK = 'ConfigSpeaker';
export const REASON_FAILED = 'ConfigSpeakerFailed';
export const REASON_LAYER2_OPEN_FAILED = 'Layer2OpenFailed';
/** This node cannot hold addresses on the Eip's interface (netlink refused, packet helper
 * missing or unable to open it). */
export const REASON_VIP_FAILED = 'VipAddressFailed';
