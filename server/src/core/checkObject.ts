// Validation of a resource given as a plain object (as the runtime reads it from the API server).
// Same rules and rule ids as the editor: this is a thin adapter over the language service.
// TEMPORARY: the lead is replacing the body with the shared rules engine; keep the signature.
import { parsePool } from './address/pool';

export interface ObjectProblem {
  code: string;
  severity: 'error' | 'warning' | 'information';
  message: string;
  /** Dotted path of the field, e.g. "spec.address". */
  path: string;
}

export function checkObject(obj: unknown): ObjectProblem[] {
  const o = (obj ?? {}) as { kind?: string; spec?: { address?: unknown; protocol?: unknown; interface?: unknown } };
  const out: ObjectProblem[] = [];
  if (o.kind !== 'Eip') return out;
  const addr = o.spec?.address;
  if (typeof addr !== 'string') {
    out.push({ code: 'schema-required', severity: 'error', message: 'spec.address is required', path: 'spec.address' });
    return out;
  }
  for (const p of parsePool(addr).problems) out.push({ code: p.code, severity: p.severity, message: p.message, path: 'spec.address' });
  const proto = o.spec?.protocol;
  if ((proto === 'layer2' || proto === 'vip') && !o.spec?.interface) {
    out.push({ code: 'eip-interface-required', severity: 'error', message: `protocol ${proto} needs spec.interface`, path: 'spec.interface' });
  }
  return out;
}
