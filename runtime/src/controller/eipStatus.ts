// The Eip status the controller writes: OpenELB's fields (poolSize, firstIP, lastIP, v4, used,
// usage, occupied, ready) plus a Valid condition saying why an Eip is not allocated from.
//
// Valid=False (reason InvalidSpec, or Overlap when an older Eip shares addresses with it): the
// Eip is not allocated from; the message says why. Valid=True with reason Advice: the Eip is
// allocated from as upstream would, and the message carries the advice findings (rules that do
// not block, rules/blocking.ts). Valid=True with reason Valid: nothing to say.
import { statusFields, type EipObject, type PoolState, type Refusal } from '../allocator';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export type EipStatus = Record<string, unknown> & { conditions?: Condition[]; used?: Record<string, string> };

function validity(state: PoolState, refusal: Refusal | undefined): Pick<Condition, 'status' | 'reason' | 'message'> {
  if (state.problems.length) return { status: 'False', reason: 'InvalidSpec', message: state.problems.join('; ') };
  if (refusal) return { status: 'False', reason: 'Overlap', message: refusal.message };
  if (state.advice.length) return { status: 'True', reason: 'Advice', message: `the pool may be allocated from; advice: ${state.advice.join('; ')}` };
  return { status: 'True', reason: 'Valid', message: 'the pool may be allocated from' };
}

/**
 * The status an Eip should have, given its pool state and its overlap refusal (Allocations.refusal);
 * unknown fields already there are kept.
 */
export function desiredEipStatus(obj: EipObject, state: PoolState, refusal?: Refusal, now = new Date()): EipStatus {
  const old = (obj.status ?? {}) as EipStatus;
  const out: EipStatus = { ...old };
  delete out.used;
  const fields = statusFields(state);
  if (fields) Object.assign(out, fields);
  else {
    // Nothing sensible to count for an address that does not parse.
    for (const k of ['poolSize', 'firstIP', 'lastIP', 'v4', 'usage', 'occupied']) delete out[k];
    out.ready = false;
  }
  const v = validity(state, refusal);
  if (refusal) out.ready = false;
  const prev = old.conditions?.find((c) => c.type === 'Valid');
  const status = v.status;
  const cond: Condition = {
    type: 'Valid', ...v,
    lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now.toISOString().replace(/\.\d+Z$/, 'Z'),
    ...(obj.metadata?.generation !== undefined ? { observedGeneration: obj.metadata.generation } : {}),
  };
  out.conditions = [...(old.conditions ?? []).filter((c) => c.type !== 'Valid'), cond];
  return out;
}

/** JSON with object keys sorted, to compare statuses regardless of key order. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val && typeof val === 'object' && !Array.isArray(val)) {
      return Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return val;
  });
}
