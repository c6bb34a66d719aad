// The Eip status the controller writes: OpenELB's fields (poolSize, firstIP, lastIP, v4, used,
// usage, occupied, ready) plus a Valid condition saying why an Eip is not allocated from.
import { statusFields, type EipObject, type PoolState } from '../allocator';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export type EipStatus = Record<string, unknown> & { conditions?: Condition[]; used?: Record<string, string> };

/** The status an Eip should have, given its pool state; unknown fields already there are kept. */
export function desiredEipStatus(obj: EipObject, state: PoolState, now = new Date()): EipStatus {
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
  const valid = state.problems.length === 0;
  const message = valid ? 'the pool may be allocated from' : state.problems.join('; ');
  const prev = old.conditions?.find((c) => c.type === 'Valid');
  const status = valid ? 'True' : 'False';
  const cond: Condition = {
    type: 'Valid', status, reason: valid ? 'Valid' : 'InvalidSpec', message,
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
