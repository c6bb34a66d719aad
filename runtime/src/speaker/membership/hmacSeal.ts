// The Seal with node:crypto: HMAC-SHA256 over a domain label and the payload, the 32-byte MAC in
// front. Several keys may verify (rotation: the deploy adds the new key, then makes it first, then
// removes the old one); the first one signs. Keys are never logged.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Seal } from './seal';

const MAC_BYTES = 32;
const LABEL = Buffer.from('openelb-membership-v1\0');
export const MIN_KEY_BYTES = 16;

export function hmacSeal(keys: readonly Uint8Array[]): Seal {
  if (keys.length === 0) throw new Error('membership: no gossip key (the deploy creates one in a Secret)');
  for (const k of keys) {
    if (k.length < MIN_KEY_BYTES) throw new Error(`membership: a gossip key has ${k.length} bytes; at least ${MIN_KEY_BYTES} are needed`);
  }
  const mac = (key: Uint8Array, payload: Uint8Array) => createHmac('sha256', key).update(LABEL).update(payload).digest();
  return {
    overhead: MAC_BYTES,
    seal(payload) {
      return Buffer.concat([mac(keys[0], payload), payload]);
    },
    open(datagram) {
      if (datagram.length <= MAC_BYTES) return undefined;
      const got = datagram.subarray(0, MAC_BYTES);
      const payload = datagram.subarray(MAC_BYTES);
      for (const k of keys) if (timingSafeEqual(mac(k, payload), got)) return payload;
      return undefined;
    },
  };
}
