// The authentication seam (pure interface): the protocol core seals every datagram it sends and
// opens every one it receives through this, so it never touches a key or node:crypto
// (hmacSeal.ts implements it with HMAC-SHA256; tests may use the same or a fake).
export interface Seal {
  /** The bytes to put on the wire for `payload` (payload plus a MAC). */
  seal(payload: Uint8Array): Uint8Array;
  /** The payload when the MAC verifies under a known key, else undefined (dropped and counted). */
  open(datagram: Uint8Array): Uint8Array | undefined;
  /** Bytes `seal` adds, so the core can keep datagrams under the size limit. */
  readonly overhead: number;
}
