// Who may take an address another Service already holds. Upstream OpenELB hands a requested
// address to anyone who asks, beside its holders; that lets any tenant take another's address
// (and, with externalTrafficPolicy Local, move where it is announced). Here sharing needs consent,
// checked against every holder:
//   - the same namespace (one tenant), or, across namespaces, the same non-empty sharing key
//     (eip.openelb.kubesphere.io/allow-shared-ip) on both Services, as MetalLB's allow-shared-ip;
//   - no port+protocol on both Services (kube-proxy could not tell their traffic apart);
//   - with externalTrafficPolicy Local on either, both Local with the same non-empty selector
//     (MetalLB's backend key): the address is announced from nodes with endpoints, and only
//     Services selecting the same pods have their endpoints on the same nodes.
import { SHARED_IP_ANNOTATION } from '@openelb/core/api/annotations';
import type { ServiceRequest } from './service';

/** The request of another Service, by key ("namespace/name"); undefined when it is not known. */
export type PeerLookup = (key: string) => ServiceRequest | undefined;

/** A holder's refusal: who refused (a change of that Service may lift it) and why. */
export interface SharingRefusal { holder: string; message: string }

/** Why `req` may not share `ipText` with its holders, or undefined when every holder consents. */
export function sharingRefusal(req: ServiceRequest, ipText: string, holders: Iterable<string>, peers: PeerLookup | undefined): SharingRefusal | undefined {
  for (const key of holders) {
    if (key === req.key) continue;
    const holder = peers?.(key);
    if (!holder) return { holder: key, message: `${ipText} is held by ${key}, a Service the controller cannot see, so it cannot be shared with it` };
    const why = pairRefusal(req, holder);
    if (why) return { holder: key, message: `${ipText} is held by ${key} and cannot be shared: ${why}` };
  }
  return undefined;
}

function pairRefusal(a: ServiceRequest, b: ServiceRequest): string | undefined {
  return consentRefusal(a, b) ?? portRefusal(a, b) ?? backendRefusal(a, b);
}

function consentRefusal(a: ServiceRequest, b: ServiceRequest): string | undefined {
  if (a.namespace === b.namespace) return undefined;
  const ka = a.sharing.key;
  const kb = b.sharing.key;
  if (ka && ka === kb) return undefined;
  const has = (k: string | undefined): string => (k ? `'${k}'` : 'none');
  return `it is in namespace ${b.namespace}; Services of different namespaces share an address only when both carry the annotation ` +
    `${SHARED_IP_ANNOTATION} with the same value (this Service has ${has(ka)}, the holder ${has(kb)})`;
}

function portRefusal(a: ServiceRequest, b: ServiceRequest): string | undefined {
  const clash = a.sharing.ports.filter((p) => b.sharing.ports.includes(p));
  if (!clash.length) return undefined;
  return `both use port ${clash.join(', ')}; Services sharing an address must use different ports (or protocols)`;
}

function backendRefusal(a: ServiceRequest, b: ServiceRequest): string | undefined {
  const la = a.sharing.localSelector;
  const lb = b.sharing.localSelector;
  if (la === undefined && lb === undefined) return undefined;
  const policy = (s?: string): string => (s === undefined ? 'Cluster' : 'Local');
  if (la === undefined || lb === undefined) {
    return `this Service has externalTrafficPolicy ${policy(la)} and the holder ${policy(lb)}; with Local the address is announced only where ` +
      'endpoints run, so Services sharing it must all be Local and select the same pods (identical spec.selector)';
  }
  if (la === '' || lb === '') {
    return 'with externalTrafficPolicy Local, a Service without spec.selector cannot share an address: its endpoints cannot be shown to be the same pods';
  }
  if (la !== lb) {
    return `with externalTrafficPolicy Local, Services sharing an address must select the same pods (identical spec.selector); this one selects ` +
      `{${la}}, the holder {${lb}}`;
  }
  return undefined;
}
