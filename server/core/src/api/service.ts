// Whether OpenELB serves a Service: type LoadBalancer and `lb.kubesphere.io/v1alpha1: openelb`.
// The one definition used by the controller, the speaker and the editor's cluster view.
import { LB_ANNOTATION, LB_ANNOTATION_VALUE } from './annotations';

export interface ServiceLike {
  metadata?: { annotations?: Record<string, string> | null };
  spec?: { type?: string } | null;
}

export function servedByOpenElb(svc: ServiceLike): boolean {
  return svc.spec?.type === 'LoadBalancer' && svc.metadata?.annotations?.[LB_ANNOTATION] === LB_ANNOTATION_VALUE;
}
