// The Node's interfaces annotation (openelb.kubesphere.io/interfaces) and whether to write it
// (pure). Editors read it for interface-name completion and the eip-interface-* rules.
import { NODE_INTERFACES_ANNOTATION } from '@openelb/core/api/annotations';
import type { V1Node } from '@kubernetes/client-node';
import { interfacesAnnotation, type Nic } from '../node/interfaces';
import { withoutVips } from './vip';

/** The annotation's value: the host's interfaces without the addresses the drivers put there
 * (vip addresses move at every failover; publishing them would rewrite the Node each time). */
export function interfacesValue(nics: readonly Nic[], hostAddresses: Iterable<string>): string {
  return interfacesAnnotation(withoutVips(nics, hostAddresses));
}

/**
 * The value to write, or undefined: not when the Node is not watched yet, already says it, or
 * our write of that value is still on its way (`sent`: undefined again when a write fails).
 */
export function annotationToWrite(self: V1Node | undefined, value: string, sent: string | undefined): string | undefined {
  if (!self || self.metadata?.annotations?.[NODE_INTERFACES_ANNOTATION] === value || sent === value) return undefined;
  return value;
}
