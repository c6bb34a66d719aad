// Which namespaces an Eip binds (spec.namespaces, spec.namespaceSelector), and whether it is
// restricted to them (our annotation EIP_RESTRICT_ANNOTATION: "true"). Upstream's binding only
// picks the namespaces' default pool; restricted, it is an access rule. One definition for the
// controller (runtime/src/allocator/plan.ts) and the editor (rules/eipAccess.ts).
import { EIP_RESTRICT_ANNOTATION } from './annotations';

export interface NamespaceBinding {
  namespaces: string[];
  /** matchLabels form: every label must match. Undefined when the Eip has none. */
  selector?: Record<string, string>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The binding of a restricted Eip (plain objects, as the API server or a parser gives them); undefined when not restricted. */
export function restrictedBinding(annotations: unknown, spec: unknown): NamespaceBinding | undefined {
  if (!isRecord(annotations) || annotations[EIP_RESTRICT_ANNOTATION] !== 'true') return undefined;
  const s = isRecord(spec) ? spec : {};
  const namespaces = Array.isArray(s.namespaces) ? s.namespaces.filter((n): n is string => typeof n === 'string') : [];
  const selector = isRecord(s.namespaceSelector)
    ? Object.fromEntries(Object.entries(s.namespaceSelector).filter(([, v]) => typeof v === 'string')) as Record<string, string>
    : undefined;
  return { namespaces, selector };
}

/**
 * Does the binding take in namespace `ns`? Listed by name, or its labels match the selector.
 * Undefined when only the labels could tell and they are not known (the editor).
 */
export function bindsNamespace(b: NamespaceBinding, ns: string, labels?: Record<string, string>): boolean | undefined {
  if (b.namespaces.includes(ns)) return true;
  if (!b.selector) return false;
  if (!labels) return undefined;
  return Object.entries(b.selector).every(([k, v]) => labels[k] === v);
}

/** "namespaces a, b and namespaces labelled k=v", for messages. */
export function describeBinding(b: NamespaceBinding): string {
  const parts = [
    ...(b.namespaces.length ? [`namespaces ${b.namespaces.join(', ')}`] : []),
    ...(b.selector ? [`namespaces labelled ${Object.entries(b.selector).map(([k, v]) => `${k}=${v}`).join(',') || '(any)'}`] : []),
  ];
  return parts.join(' and ') || 'no namespace (it binds none)';
}
