// Which node answers for an address: rendezvous hashing over the live, ready candidates.
// Every speaker computes the same answer from the same inputs, with no messages exchanged, and
// when a node leaves only the addresses it owned move.
import { createHash } from 'node:crypto';

function score(ip: string, node: string): bigint {
  return createHash('sha256').update(`${ip}\u0000${node}`).digest().readBigUInt64BE(0);
}

/** The owner of `ip` among `candidates` (node names), or undefined when there are none. */
export function electOwner(ip: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = -1n;
  for (const node of candidates) {
    const s = score(ip, node);
    if (s > bestScore || (s === bestScore && best !== undefined && node < best)) {
      best = node;
      bestScore = s;
    }
  }
  return best;
}
